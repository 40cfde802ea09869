package dev.kiln.benchmarks;

import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.packer.PackerRunners;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.spi.CloudProvider;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What Kiln costs on top of packer itself: the same null-builder builds run through Kiln (plan,
 * preflight with {@code packer validate}, workspaces, var-files, parsing, redaction, verification)
 * and as bare {@code packer build} processes started together, interleaved round by round.
 *
 * <pre>{@code bin/bench dispatch [builds] [rounds]}</pre>
 */
public final class DispatchOverhead {

    private static final String TEMPLATE = "{\"variables\": {\"greeting\": \"hello\"},"
            + " \"builders\": [{\"type\": \"null\", \"name\": \"box\", \"communicator\": \"none\"}],"
            + " \"provisioners\": [{\"type\": \"shell-local\", \"inline\": [\"echo {{user `greeting`}}\"]}]}";

    private DispatchOverhead() {
    }

    public static void main(String[] args) throws Exception {
        int builds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("kiln-dispatch");
        // A directory of its own: Kiln snapshots the template's directory, which must not hold the bare runs' output
        Path template = Files.createDirectories(dir.resolve("template")).resolve("null.json");
        Files.writeString(template, TEMPLATE);
        double[] kiln = new double[rounds];
        double[] bare = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            Cpu before = Cpu.now();
            kiln[r] = viaKiln(template, dir.resolve("runs"), builds, r);
            Cpu during = Cpu.now().minus(before);
            before = Cpu.now();
            bare[r] = bare(template, dir.resolve("bare-" + r), builds);
            Cpu bareCpu = Cpu.now().minus(before);
            System.out.printf(Locale.ROOT, "round %d: Kiln %.2f s (CPU: Kiln's JVM %.2f s, its packers %.2f s),"
                    + " bare packer %.2f s (CPU %.2f s)%n", r + 1, kiln[r], during.self(), during.children(), bare[r],
                    bareCpu.children());
        }
        double k = median(kiln);
        double b = median(bare);
        System.out.printf(Locale.ROOT, "%d null builds at once, median of %d rounds: Kiln %.2f s, bare packer %.2f s,"
                + " ratio %.2f%n", builds, rounds, k, b, k / b);
    }

    private static double viaKiln(Path template, Path runs, int builds, int round) {
        SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.system()).acceptNullBuilds().build();
        Kiln.Builder builder = Kiln.builder().packerRunner(PackerRunners.process())
                .files(f -> f.withRunsDirectory(runs)).scheduling(s -> s.withHostSlots(builds));
        for (CloudProvider p : cloud.providers()) {
            builder.provider(p);
        }
        Fleet.Builder fleet = Fleet.builder("dispatch").environments("dev")
                .image(ImageSpec.builder("null", template, "null").only("box").build());
        for (int i = 0; i < builds; i++) {
            fleet.target(Target.of("gcp", "kiln-bench", "us-east" + (i + 1)));
        }
        long start = System.nanoTime();
        try (Kiln kiln = builder.build()) {
            BuildPlan plan = fleet.build(PlanContext.of(TimeSource.system()).withRunId("d" + round + "x"
                    + Long.toString(System.nanoTime() & 0xffffff, 36)));
            RunResult result = kiln.run(plan);
            if (!result.allSucceeded()) {
                throw new IllegalStateException("a Kiln build failed: " + result.jobs());
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double bare(Path template, Path dir, int builds) throws IOException, InterruptedException {
        long start = System.nanoTime();
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < builds; i++) {
            Path work = Files.createDirectories(dir.resolve("b" + i));
            processes.add(new ProcessBuilder("packer", "build", "-machine-readable", template.toString())
                    .directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("out.log").toFile()).start());
        }
        for (Process p : processes) {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("bare packer failed, see " + dir);
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * CPU seconds this JVM has used, and those its finished children have (the kernel counts a
     * child's time once it is waited for), from {@code /proc/self/stat}; zeros where there is none.
     */
    record Cpu(double self, double children) {

        static Cpu now() {
            try {
                String stat = Files.readString(Path.of("/proc/self/stat"));
                // the fields after the command's closing parenthesis: state is the 3rd field, utime the 14th
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                double tick = 100.0;
                return new Cpu((Long.parseLong(f[11]) + Long.parseLong(f[12])) / tick,
                        (Long.parseLong(f[13]) + Long.parseLong(f[14])) / tick);
            } catch (IOException | RuntimeException e) {
                return new Cpu(0, 0);
            }
        }

        Cpu minus(Cpu earlier) {
            return new Cpu(self - earlier.self, children - earlier.children);
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
