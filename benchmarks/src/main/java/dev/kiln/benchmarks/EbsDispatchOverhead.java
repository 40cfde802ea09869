package dev.kiln.benchmarks;

import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.aws.AwsProvider;
import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.aws.Ec2Delays;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.gate.GateNetwork;
import dev.kiln.job.RetryPolicy;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * What Kiln costs on top of packer on real builds: a fleet of amazon-ebs builds (packer's own
 * builder, unmodified, the reach benchmark's template) against the EC2 emulator, through Kiln as
 * {@code kiln run} does it (preflight, quota probes and name checks, packer's calls through the
 * gate, the AMI verified, reports) and as bare {@code packer build} processes started together at
 * the emulator's own endpoint, interleaved round by round, each round on a fresh emulator whose
 * instances and AMIs stay pending for the given delay, as real ones do for minutes. Every emulator
 * listens on the same port: its endpoint is in the environment Kiln validates templates in, and
 * a new one each round would defeat the cache of {@code packer validate} that consecutive runs
 * against one cloud enjoy. With {@code gate off}, Kiln's packers reach the emulator at its own
 * endpoint, as the bare ones do, which tells the gate's share.
 *
 * <pre>{@code bin/bench dispatch-ebs [builds] [rounds] [emulator delay seconds] [gate on|off]}</pre>
 */
public final class EbsDispatchOverhead {

    private static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2");
    /** Fake keys: the emulator checks no signatures. */
    private static final String ACCESS_KEY = "AKIAKILNBENCHDISP001";
    private static final String SECRET_KEY = "kiln-bench-fake-secret-not-for-aws-0003";
    private static final TimeSource CLOCK = TimeSource.system();
    private static final Duration POLL_DELAY = Duration.ofSeconds(2);

    private EbsDispatchOverhead() {
    }

    public static void main(String[] args) throws Exception {
        int builds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Duration delay = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 3);
        boolean gate = args.length <= 3 || args[3].equals("on");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path work = Files.createTempDirectory("kiln-dispatch-ebs");
        Files.createDirectories(work.resolve("home"));
        Path template = AmazonEbsTemplate.write(work);
        System.out.printf(Locale.ROOT, "%d amazon-ebs builds (packer 1.6) at once over %d regions on the EC2 emulator"
                + " (instances and AMIs pending %d s), through Kiln (gate %s) and bare; load average %s%n", builds,
                REGIONS.size(), delay.toSeconds(), gate ? "on" : "off", Proc.loadAverage());
        double[] kiln = new double[rounds];
        double[] bare = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            kiln[r] = viaKiln(work, template, builds, r, delay, emulator(port, delay), gate);
            bare[r] = bare(work, template, builds, r, emulator(port, delay));
            System.out.printf(Locale.ROOT, "round %d: Kiln %.2f s, bare packer %.2f s, load average %s%n", r + 1,
                    kiln[r], bare[r], Proc.loadAverage());
        }
        double k = DispatchOverhead.median(kiln);
        double b = DispatchOverhead.median(bare);
        System.out.printf(Locale.ROOT, "%d amazon-ebs builds at once, median of %d rounds: Kiln %.2f s, bare packer"
                + " %.2f s, ratio %.3f%n", builds, rounds, k, b, k / b);
    }

    private static Ec2Emulator.Builder emulator(int port, Duration delay) {
        return Ec2Emulator.builder().port(port).vcpuQuota(100_000).delays(Ec2Delays.uniform(delay));
    }

    private static double viaKiln(Path work, Path template, int builds, int round, Duration delay,
            Ec2Emulator.Builder emulator, boolean gate) throws Exception {
        try (Ec2Emulator ec2 = emulator.start()) {
            long start = CLOCK.nanoTime();
            Kiln.Builder kilnBuilder = Kiln.builder();
            if (gate) {
                kilnBuilder.network(GateNetwork.builder().route(ec2.routes()).upstreamProxy(Optional.empty()).build());
            }
            try (ProcessPackerRunner packer = PackerRunners.processBuilder()
                         .extraEnv("AWS_ACCESS_KEY_ID", ACCESS_KEY).extraEnv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                         .extraEnv("HOME", work.resolve("home").toString()).build();
                 Kiln kiln = kilnBuilder
                         .provider(AwsProvider.builder().endpointOverride(ec2.endpoint())
                                 .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                                         SECRET_KEY)))
                                 .pollDelay(POLL_DELAY).build())
                         .packerRunner(packer)
                         // one runs directory for all rounds, as consecutive kiln runs share one
                         .files(f -> f.withRunsDirectory(work.resolve("runs")))
                         .scheduling(s -> s.withHostSlots(builds)).build()) {
                Fleet.Builder plan = Fleet.builder("dispatch-ebs").environments("dev")
                        .retryPolicy(RetryPolicy.never());
                REGIONS.forEach(r -> plan.target(Target.of("aws", Ec2Emulator.DEFAULT_ACCOUNT, r)));
                int images = (builds + REGIONS.size() - 1) / REGIONS.size();
                for (int i = 1; i <= images; i++) {
                    plan.image(ImageSpec.builder("img" + i, template, "amazon-ebs").instanceSize("t3.micro")
                            .variable("ec2_endpoint", gate ? "" : ec2.endpoint().toString())
                            .expectedDuration(delay.multipliedBy(4)).timeout(Duration.ofMinutes(10)).build());
                }
                BuildPlan fleet = plan.build(kiln.planContext());
                if (fleet.jobs().size() != builds) {
                    throw new IllegalArgumentException("builds must be a multiple of " + REGIONS.size() + ", got "
                            + builds);
                }
                RunResult result = kiln.run(fleet);
                if (!result.allSucceeded()) {
                    throw new IllegalStateException("a Kiln build failed in round " + (round + 1) + ": "
                            + result.jobs());
                }
            }
            double seconds = (CLOCK.nanoTime() - start) / 1e9;
            report(ec2, "Kiln", round);
            return seconds;
        }
    }

    private static double bare(Path work, Path template, int builds, int round, Ec2Emulator.Builder emulator)
            throws IOException, InterruptedException {
        try (Ec2Emulator ec2 = emulator.start()) {
            Path dir = work.resolve("bare-" + round);
            long start = CLOCK.nanoTime();
            List<Process> processes = new ArrayList<>();
            for (int i = 0; i < builds; i++) {
                Path out = Files.createDirectories(dir.resolve("b" + i));
                String id = "bare-" + round + "-" + i;
                ProcessBuilder pb = new ProcessBuilder("packer", "build", "-machine-readable",
                        "-var", "kiln_region=" + REGIONS.get(i % REGIONS.size()),
                        "-var", "kiln_image_name=" + id, "-var", "kiln_build_id=" + id,
                        "-var", "ec2_endpoint=" + ec2.endpoint(), template.toString())
                        .directory(out.toFile()).redirectErrorStream(true)
                        .redirectOutput(out.resolve("out.log").toFile());
                Map<String, String> env = pb.environment();
                env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
                env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
                env.put("HOME", work.resolve("home").toString());
                env.put("CHECKPOINT_DISABLE", "1");
                // What Kiln's AWS provider gives its builds at a 2 s poll delay (and an hour of waiting):
                // with packer's own waiter delays, bare builds poll the pending AMI far less often
                // and take about twice as long, which is no measure of Kiln.
                env.put("AWS_POLL_DELAY_SECONDS", Long.toString(POLL_DELAY.toSeconds()));
                env.put("AWS_MAX_ATTEMPTS", Long.toString(Duration.ofHours(1).dividedBy(POLL_DELAY)));
                processes.add(pb.start());
            }
            for (Process p : processes) {
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("bare packer failed, see " + dir);
                }
            }
            double seconds = (CLOCK.nanoTime() - start) / 1e9;
            report(ec2, "bare packer", round);
            return seconds;
        }
    }

    /** Throttles and quota errors would make the two sides' times incomparable: said, not hidden. */
    private static void report(Ec2Emulator ec2, String who, int round) {
        ActionCounts total = ec2.counters().total();
        if (total.throttled() > 0 || total.quotaErrors() > 0) {
            System.out.printf(Locale.ROOT, "  round %d, %s: the emulator throttled %d calls and refused %d for quota%n",
                    round + 1, who, total.throttled(), total.quotaErrors());
        }
    }
}
