package dev.kiln.benchmarks;

import dev.kiln.job.JobState;
import dev.kiln.plan.BuildPlan;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.sim.Simulation;
import dev.kiln.sim.SimulationResult;
import dev.kiln.time.TimeSource;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The scheduling benchmark: the same seeded fleets under Kiln, under fixed concurrency (what
 * {@code packer build -parallel-builds=N} does), under a CI matrix of one such packer per
 * account-region ({@link Matrix}), under a reactive policy (start everything, retry what fails),
 * and under an adaptive one per region, all against the same simulated clouds, next to the
 * analytical lower bound. Virtual time; deterministic for a seed.
 *
 * <p>Exits non-zero only when Kiln breaks a hard invariant (a throttle or a quota breach); speed
 * figures are reported, never asserted.
 *
 * <pre>{@code bin/bench scheduling [seed]}</pre>
 */
public final class SchedulingBenchmark {

    static final long VCPU_QUOTA = 64;
    private static final int[] FIXED = {1, 2, 4, 8, 16, 32, 64};
    /** {@code -parallel-builds} of each CI job of a matrix with one job per account-region. */
    private static final int[] PER_REGION = {1, 2, 4, 8, 16, 32};

    private SchedulingBenchmark() {
    }

    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
        PrintStream out = System.out;
        boolean broken = false;
        out.println("Kiln scheduling benchmark, seed " + seed + " (virtual time; makespan from the simulated clouds)");
        for (BuildPlan plan : List.of(Workloads.small(seed), Workloads.large(seed))) {
            for (double error : new double[] {0.0, 0.5}) {
                broken |= compare(plan, seed, error, out);
            }
        }
        BuildPlan huge = Workloads.fleet("c-10000x40x4", seed, 10_000, Map.of(
                "aws", regions("us-east-", 10), "azure", regions("region", 10), "gcp", regions("us-east", 10),
                "vsphere", regions("esxi-", 10)));
        Row row = run("Kiln", huge, seed, 0.5, b -> b);
        out.printf(Locale.ROOT, "%nc-10000x40x4 (±50%%): Kiln simulated %d builds in %.2f s of wall time"
                + " (makespan %s, %d throttles, %d quota breaches)%n", huge.jobs().size(), row.wallSeconds,
                hours(row.makespan), row.throttles, row.quotaBreaches);
        broken |= row.throttles > 0 || row.quotaBreaches > 0;
        if (broken) {
            out.println("FAILED: Kiln let a throttle or a quota breach through");
            System.exit(1);
        }
    }

    private static List<String> regions(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    /** Prints one workload's table; true when Kiln broke an invariant. */
    static boolean compare(BuildPlan plan, long seed, double error, PrintStream out) {
        SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.virtual(plan.createdAt())).build();
        SimulatedPackerRunner runner = SimulatedPackerRunner.builder(cloud).seed(seed).modelError(error).build();
        LowerBound.Bound bound = LowerBound.of(plan, cloud, runner, VCPU_QUOTA);

        List<Row> rows = new ArrayList<>();
        Row kiln = run("Kiln", plan, seed, error, b -> b);
        rows.add(kiln);
        for (int n : FIXED) {
            rows.add(run("fixed N=" + n, plan, seed, error, b -> b.withoutLimits().hostSlots(n)));
        }
        for (int n : PER_REGION) {
            rows.add(timed("matrix N=" + n, () -> Row.of(Matrix.parallelBuilds(plan, seed, error, n))));
        }
        rows.add(run("reactive", plan, seed, error, b -> b.withoutLimits().hostSlots(100_000)));
        rows.add(timed("adaptive", () -> Row.of(Matrix.adaptive(plan, seed, error))));

        out.printf(Locale.ROOT, "%n%s, %d builds, model error ±%d%%; lower bound %s (%s)%n", plan.name(),
                plan.jobs().size(), Math.round(error * 100), hours(bound.makespan()), bound.bindingConstraint());
        out.printf(Locale.ROOT, "%-13s %10s %8s %10s %8s %10s %8s %9s%n", "policy", "makespan", "x bound",
                "throttles", "quota", "mean wait", "failed", "wall (s)");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-13s %10s %8.3f %10d %8d %10s %8d %9.2f%n", r.policy, hours(r.makespan),
                    ratio(r.makespan, bound.makespan()), r.throttles, r.quotaBreaches, hours(r.meanWait), r.failed,
                    r.wallSeconds);
        }
        best(out, kiln, rows, "fixed N", r -> r.policy.startsWith("fixed"));
        best(out, kiln, rows, "CI matrix", r -> r.policy.startsWith("matrix"));
        best(out, kiln, rows, "baseline", r -> r != kiln);
        best(out, kiln, rows, "baseline with 0 throttles and 0 breaches",
                r -> r != kiln && r.throttles == 0 && r.quotaBreaches == 0);
        return kiln.throttles > 0 || kiln.quotaBreaches > 0 || kiln.failed > 0;
    }

    /** Prints Kiln against the shortest of {@code rows} that {@code among} admits and that finished. */
    private static void best(PrintStream out, Row kiln, List<Row> rows, String what, Predicate<Row> among) {
        rows.stream().filter(among).filter(r -> r.failed == 0).min(Comparator.comparing((Row r) -> r.makespan))
                .ifPresent(b -> out.printf(Locale.ROOT, "Kiln vs best %s (%s, %d throttles, %d quota breaches):"
                        + " %.3f of its makespan%n", what, b.policy, b.throttles, b.quotaBreaches,
                        ratio(kiln.makespan, b.makespan)));
    }

    private static Row run(String policy, BuildPlan plan, long seed, double error,
                           UnaryOperator<Simulation.Builder> shape) {
        Simulation simulation = shape.apply(Simulation.builder().seed(seed).modelError(error)).build();
        return timed(policy, () -> Row.of(simulation.run(plan)));
    }

    private static Row timed(String policy, Supplier<Row> run) {
        long start = System.nanoTime();
        Row row = run.get();
        return new Row(policy, row.makespan, row.throttles, row.quotaBreaches, row.meanWait, row.failed,
                (System.nanoTime() - start) / 1e9);
    }

    private static double ratio(Duration a, Duration b) {
        return b.isZero() ? 0 : a.toMillis() / (double) b.toMillis();
    }

    static String hours(Duration d) {
        long s = d.toSeconds();
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
    }

    /** One policy's run: makespan, what the cloud refused, and how long the simulation took. */
    private record Row(String policy, Duration makespan, long throttles, long quotaBreaches, Duration meanWait,
                       long failed, double wallSeconds) {

        static Row of(SimulationResult s) {
            long failed = s.run().jobs().stream().filter(j -> j.state() != JobState.SUCCEEDED).count();
            double meanWait = s.run().jobs().stream().mapToLong(j -> j.waited().toSeconds()).average().orElse(0);
            return new Row("", s.makespan(), s.throttles(), s.quotaBreaches(), Duration.ofSeconds(Math.round(meanWait)),
                    failed, 0);
        }

        static Row of(Matrix.Outcome o) {
            return new Row("", o.makespan(), o.throttles(), o.quotaBreaches(), o.meanWait(), o.failed(), 0);
        }
    }
}
