package dev.kiln.benchmarks;

import dev.kiln.JobResult;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The scheduling benchmark: the same seeded fleets under Kiln, under fixed concurrency (what
 * {@code packer build -parallel-builds=N} does), and under a reactive policy (start everything,
 * back off on throttles, as the SDKs' adaptive retry mode), all against the same simulated clouds,
 * next to the analytical lower bound. Virtual time; deterministic for a seed.
 *
 * <p>Exits non-zero only when Kiln breaks a hard invariant (a throttle or a quota breach); speed
 * figures are reported, never asserted.
 *
 * <pre>{@code bin/bench scheduling [seed]}</pre>
 */
public final class SchedulingBenchmark {

    static final long VCPU_QUOTA = 64;
    private static final int[] FIXED = {1, 2, 4, 8, 16, 32, 64};

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
                hours(row.result.makespan()), row.result.throttles(), row.result.quotaBreaches());
        broken |= row.result.throttles() > 0 || row.result.quotaBreaches() > 0;
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
        rows.add(run("Kiln", plan, seed, error, b -> b));
        for (int n : FIXED) {
            rows.add(run("fixed N=" + n, plan, seed, error, b -> b.withoutLimits().hostSlots(n)));
        }
        rows.add(run("reactive", plan, seed, error, b -> b.withoutLimits().hostSlots(100_000)));

        out.printf(Locale.ROOT, "%n%s, %d builds, model error ±%d%%; lower bound %s (%s)%n", plan.name(),
                plan.jobs().size(), Math.round(error * 100), hours(bound.makespan()), bound.bindingConstraint());
        out.printf(Locale.ROOT, "%-12s %10s %8s %10s %8s %10s %8s %9s%n", "policy", "makespan", "x bound",
                "throttles", "quota", "mean wait", "failed", "wall (s)");
        Row best = null;
        for (Row r : rows) {
            SimulationResult s = r.result;
            long failed = s.run().jobs().stream().filter(j -> j.state() != JobState.SUCCEEDED).count();
            double meanWait = s.run().jobs().stream().mapToLong(j -> j.waited().toSeconds()).average().orElse(0);
            out.printf(Locale.ROOT, "%-12s %10s %8.3f %10d %8d %10s %8d %9.2f%n", r.policy, hours(s.makespan()),
                    ratio(s.makespan(), bound.makespan()), s.throttles(), s.quotaBreaches(),
                    hours(Duration.ofSeconds(Math.round(meanWait))), failed, r.wallSeconds);
            if (r.policy.startsWith("fixed") && failed == 0
                    && (best == null || s.makespan().compareTo(best.result.makespan()) < 0)) {
                best = r;
            }
        }
        Row kiln = rows.get(0);
        if (best != null) {
            out.printf(Locale.ROOT, "Kiln vs best fixed N (%s, %d throttles): %.3f of its makespan%n", best.policy,
                    best.result.throttles(), ratio(kiln.result.makespan(), best.result.makespan()));
        }
        return kiln.result.throttles() > 0 || kiln.result.quotaBreaches() > 0
                || kiln.result.run().jobs().stream().anyMatch(j -> !j.state().isTerminal());
    }

    private static Row run(String policy, BuildPlan plan, long seed, double error,
                           UnaryOperator<Simulation.Builder> shape) {
        Simulation simulation = shape.apply(Simulation.builder().seed(seed).modelError(error)).build();
        long start = System.nanoTime();
        SimulationResult result = simulation.run(plan);
        double wall = (System.nanoTime() - start) / 1e9;
        return new Row(policy, result, wall);
    }

    private static double ratio(Duration a, Duration b) {
        return b.isZero() ? 0 : a.toMillis() / (double) b.toMillis();
    }

    static String hours(Duration d) {
        long s = d.toSeconds();
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
    }

    private record Row(String policy, SimulationResult result, double wallSeconds) {
    }

    static long failed(List<JobResult> jobs) {
        return jobs.stream().filter(j -> !j.succeeded()).count();
    }
}
