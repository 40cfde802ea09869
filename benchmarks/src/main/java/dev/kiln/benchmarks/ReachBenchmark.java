package dev.kiln.benchmarks;

import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.aws.AwsProvider;
import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.aws.Ec2Delays;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.event.KilnEvent;
import dev.kiln.gate.GateNetwork;
import dev.kiln.job.RetryPolicy;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.time.TimeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * One node's reach: fleets of real amazon-ebs builds (packer's own builder, unmodified) against the
 * EC2 emulator through Kiln's gate, at 1, 2, 4, … slots, each fleet twice as many builds as slots
 * over four regions. The emulator keeps each instance and AMI pending for a while, so a build
 * mostly waits on its cloud, as real ones do; its limits are EC2's and each region's vCPU quota is
 * out of the way, so only the node (CPU, memory) and Kiln can hold the builds back.
 *
 * <p>Per fleet: builds per minute over the fleet's build window (first build start to last build
 * end), the CPU this JVM (Kiln, gate, emulator) and its packer processes used as a share of the
 * node's cores, the node's whole CPU use from {@code /proc/stat} (other load included), and each
 * packer build's peak memory (its process tree's {@code VmRSS}).
 *
 * <pre>{@code bin/bench reach [max slots] [emulator delay seconds]}</pre>
 *
 * Exits non-zero only if a fleet under Kiln is throttled or refused for quota by the emulator.
 */
public final class ReachBenchmark {

    private static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2");
    /** Fake keys: the emulator checks no signatures. */
    private static final String ACCESS_KEY = "AKIAKILNBENCHREACH01";
    private static final String SECRET_KEY = "kiln-bench-fake-secret-not-for-aws-0001";
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private ReachBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int max = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        Duration delay = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 5);
        Path work = Files.createTempDirectory("kiln-reach");
        Path template = AmazonEbsTemplate.write(work);
        System.out.printf(Locale.ROOT, "one node's reach: real amazon-ebs builds (packer 1.6) on the EC2 emulator"
                + " (instances and AMIs pending %d s), 2 x slots builds per fleet over %d regions; %d cores%n",
                delay.toSeconds(), REGIONS.size(), CORES);
        System.out.println("slots | builds | build window | builds/min | x 1 slot | CPU of Kiln+packers | CPU s per build"
                + " | node CPU (all load) | packer RSS per build, median / max | all packers' peak | JVM peak"
                + " | throttles | quota errors | load average");
        boolean broken = false;
        double perSlot = 0;
        try (PackerTrees trees = new PackerTrees()) {
            // Not reported: the first fleet of a JVM pays for class loading and JIT, the first packer for the page cache.
            fleet(work, template, 2, 2, delay, trees);
            for (int slots : PackerTrees.doublings(max)) {
                Measured result = fleet(work, template, slots, Math.max(4, 2 * slots), delay, trees);
                if (slots == 1) {
                    perSlot = result.buildsPerMinute();
                }
                System.out.println(result.row(perSlot));
                broken |= result.throttled() > 0 || result.quotaErrors() > 0;
            }
        }
        if (broken) {
            System.out.println("Kiln let a throttle or a quota error through: a hard invariant is broken");
            System.exit(1);
        }
    }

    /**
     * What one fleet did.
     *
     * @param ownCpu  CPU of this JVM and its packer processes over the run, as a share of the node's cores
     * @param nodeCpu the node's whole CPU use over the run, everyone's, as a share of its cores
     */
    record Measured(int slots, int builds, double windowSeconds, double wallSeconds, double ownCpu, double nodeCpu,
                    PackerTrees.Seen seen, long throttled, long quotaErrors, String load) {

        double buildsPerMinute() {
            return builds * 60 / windowSeconds;
        }

        String row(double oneSlot) {
            return String.format(Locale.ROOT, "%d | %d | %.1f s (run %.1f s) | %.1f | %.2f | %.0f %% | %.2f | %.0f %%"
                    + " | %s / %s | %s (%d builds at once) | %s | %d | %d | %s", slots, builds, windowSeconds,
                    wallSeconds, buildsPerMinute(), oneSlot == 0 ? 1 : buildsPerMinute() / oneSlot, ownCpu * 100,
                    ownCpu * wallSeconds * CORES / builds, nodeCpu * 100,
                    PackerTrees.mb(seen.medianPeak()), PackerTrees.mb(seen.maxPeak()), PackerTrees.mb(seen.peakAll()),
                    seen.peakBuilds(), PackerTrees.mb(seen.peakSelf()), throttled, quotaErrors, load);
        }
    }

    private static Measured fleet(Path work, Path template, int slots, int builds, Duration delay, PackerTrees trees)
            throws Exception {
        Path runs = work.resolve("runs-" + slots);
        Files.createDirectories(work.resolve("home"));
        AtomicReference<Instant> first = new AtomicReference<>();
        AtomicReference<Instant> last = new AtomicReference<>();
        try (Ec2Emulator ec2 = Ec2Emulator.builder().vcpuQuota(100_000).delays(Ec2Delays.uniform(delay)).start();
             ProcessPackerRunner packer = PackerRunners.processBuilder()
                     .extraEnv("AWS_ACCESS_KEY_ID", ACCESS_KEY).extraEnv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                     .extraEnv("HOME", work.resolve("home").toString()).build();
             Kiln kiln = Kiln.builder()
                     .provider(AwsProvider.builder().endpointOverride(ec2.endpoint())
                             .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                                     SECRET_KEY)))
                             .pollDelay(Duration.ofSeconds(2)).build())
                     .packerRunner(packer)
                     .network(GateNetwork.builder().route(ec2.routes()).upstreamProxy(Optional.empty()).build())
                     .files(f -> f.withRunsDirectory(runs))
                     .listener(e -> {
                         if (e instanceof KilnEvent.BuildStarted s) {
                             first.compareAndSet(null, s.at());
                         } else if (e instanceof KilnEvent.BuildEnded end) {
                             last.set(end.at());
                         }
                     })
                     .scheduling(s -> s.withHostSlots(slots).withBudgetSampleInterval(null)).build()) {
            Fleet.Builder plan = Fleet.builder("reach-" + slots).environments("dev")
                    .retryPolicy(RetryPolicy.never());
            REGIONS.forEach(r -> plan.target(Target.of("aws", Ec2Emulator.DEFAULT_ACCOUNT, r)));
            int images = (builds + REGIONS.size() - 1) / REGIONS.size();
            for (int i = 1; i <= images; i++) {
                plan.image(ImageSpec.builder("img" + i, template, "amazon-ebs").instanceSize("t3.micro")
                        .expectedDuration(delay.multipliedBy(4)).timeout(Duration.ofMinutes(10)).build());
            }
            BuildPlan fleet = plan.build(kiln.planContext());
            trees.take();
            Proc.NodeCpu nodeBefore = Proc.NodeCpu.now();
            double ownBefore = Proc.selfAndChildrenCpuSeconds();
            long started = TimeSource.system().nanoTime();
            RunResult result = kiln.run(fleet);
            double wall = (TimeSource.system().nanoTime() - started) / 1e9;
            double own = Proc.selfAndChildrenCpuSeconds() - ownBefore;
            double node = Proc.NodeCpu.now().busySince(nodeBefore);
            PackerTrees.Seen seen = trees.take();
            if (!result.allSucceeded()) {
                throw new IllegalStateException("a build of the " + slots + "-slot fleet failed (the benchmark"
                        + " measures working fleets): " + result.jobs());
            }
            double window = Duration.between(first.get(), last.get()).toMillis() / 1000.0;
            ActionCounts total = ec2.counters().total();
            ec2.counters().snapshot().forEach((action, counts) -> {
                if (counts.throttled() > 0 || counts.quotaErrors() > 0) {
                    System.out.println("  the emulator throttled " + action + " " + counts.throttled()
                            + " times and refused it for quota " + counts.quotaErrors() + " times");
                }
            });
            // CPU over the whole run (preflight and verification included), so both shares are of the same time.
            return new Measured(slots, fleet.jobs().size(), window, wall, own / (wall * CORES), node, seen,
                    total.throttled(), total.quotaErrors(), Proc.loadAverage());
        }
    }
}
