package dev.kiln.benchmarks;

import dev.kiln.JobResult;
import dev.kiln.benchmarks.FleetModel.Build;
import dev.kiln.benchmarks.FleetModel.Component;
import dev.kiln.job.JobState;
import dev.kiln.job.StateChange;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.sim.Simulation;
import dev.kiln.sim.SimulationResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Kiln against the best schedule that exists: for workloads (a) and (b), exact and with ±50%
 * model error, the optimal makespan bracketed by CP-SAT ({@link Optimum}) next to Kiln's, per
 * component and for the fleet; Kiln's schedule against the solver's where they part; and Kiln run
 * in the order of the solver's schedule (the solver given only what Kiln knows: the cost model's
 * durations), to decide whether Kiln should use a solver.
 *
 * <p>Exits non-zero when Kiln lets a throttle or a quota breach through, or when a safe schedule
 * does not replay cleanly (the model would be unsound); speed is reported, never asserted.
 *
 * <pre>{@code bin/bench optimum [seed] [seconds per model to bracket] [seconds per model to plan]}</pre>
 */
public final class OptimumBenchmark {

    private OptimumBenchmark() {
    }

    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 60;
        double planning = args.length > 2 ? Double.parseDouble(args[2]) : 10;
        int workers = 2;
        PrintStream out = System.out;
        Optimum.Settings settings = new Optimum.Settings(seconds, workers);
        out.printf(Locale.ROOT, "Kiln vs the optimum, seed %d (CP-SAT, %s s per model of a component to bracket the"
                + " optimum, %s s to plan one, %d workers; virtual time)%n", seed, fmt(seconds), fmt(planning), workers);
        boolean broken = false;
        for (BuildPlan plan : List.of(Workloads.small(seed), Workloads.large(seed))) {
            long start = System.nanoTime();
            Map<JobId, Long> planned = Optimum.planned(plan, seed, new Optimum.Settings(planning, workers));
            double plannedSeconds = (System.nanoTime() - start) / 1e9;
            for (double error : new double[] {0.0, 0.5}) {
                Optimum.Result optimum = Optimum.of(plan, seed, error, settings);
                broken |= report(plan, seed, error, optimum, planned, plannedSeconds, out);
            }
        }
        if (broken) {
            out.println("FAILED: Kiln let a throttle or a quota breach through, or a safe schedule did not replay"
                    + " cleanly");
            System.exit(1);
        }
    }

    /** Prints one workload's comparison; true when something broke. */
    private static boolean report(BuildPlan plan, long seed, double error, Optimum.Result optimum,
                                  Map<JobId, Long> planned, double plannedSeconds, PrintStream out) {
        SimulationResult kiln = Simulation.builder().seed(seed).modelError(error).build().run(plan);
        SimulationResult ordered = Simulation.builder().seed(seed).modelError(error).build()
                .run(inOrder(plan, planned));
        Map<JobId, long[]> spans = spans(plan, kiln);
        Duration lower = optimum.lower();
        Duration upper = optimum.upper();
        boolean proven = upper.toSeconds() == lower.toSeconds();
        out.printf(Locale.ROOT, "%n%s, %d builds, model error ±%d%%: optimum %s (lower %s, upper %s replayed),"
                        + " solver %.1f s%n", plan.name(), plan.jobs().size(), Math.round(error * 100),
                proven ? hours(upper) + ", proven" : "in [" + hours(lower) + ", " + hours(upper) + "]",
                hours(lower), hours(upper), optimum.solverSeconds());
        out.printf(Locale.ROOT, "  %-44s %6s %9s %9s %9s %10s %9s %8s%n", "component", "builds", "area",
                "lower", "upper", "status", "Kiln", "Kiln/up");
        Component kilnCritical = null;
        long kilnLast = -1;
        for (Optimum.Part p : optimum.parts()) {
            long kilnEnd = p.component().builds().stream().mapToLong(b -> spans.get(b.id())[1]).max().orElse(0);
            if (kilnEnd > kilnLast) {
                kilnLast = kilnEnd;
                kilnCritical = p.component();
            }
            // A component whose safe schedule ends by the fleet's lower bound was not solved further.
            boolean solved = p.relaxed() != null;
            String status = solved ? shortStatus(p.relaxed().status() + "/" + p.safe().status()) : "enough";
            out.printf(Locale.ROOT, "  %-44s %6d %9s %9s %9s %10s %9s %8s%n", p.component().name(),
                    p.component().builds().size(), hours(p.areaBound()), hours(p.lower()),
                    hours(Duration.ofSeconds(p.safe().makespan())), status, hours(Duration.ofNanos(kilnEnd)),
                    solved ? String.format(Locale.ROOT, "%.3f", kilnEnd / (p.safe().makespan() * 1e9)) : "-");
        }
        Replay.Result replay = optimum.replay();
        out.printf(Locale.ROOT, "  upper bound replayed: %s, %d throttles, %d quota breaches, %d queued operations,"
                + " %d failed%n", hours(replay.makespan()), replay.throttles(), replay.quotaBreaches(),
                replay.queuedOperations(), replay.failed());
        out.printf(Locale.ROOT, "  Kiln %s (%d throttles, %d quota breaches) = %.3f × upper, %.3f × lower%n",
                hours(kiln.makespan()), kiln.throttles(), kiln.quotaBreaches(), ratio(kiln.makespan(), upper),
                ratio(kiln.makespan(), lower));
        out.printf(Locale.ROOT, "  Kiln in the order the solver plans from the cost model (%.1f s to plan): %s"
                        + " (%d throttles, %d quota breaches) = %.3f × upper%n", plannedSeconds,
                hours(ordered.makespan()), ordered.throttles(), ordered.quotaBreaches(),
                ratio(ordered.makespan(), upper));
        if (error > 0) {
            SimulationResult knowing = Simulation.builder().seed(seed).build().run(knowing(plan, seed, error));
            out.printf(Locale.ROOT, "  Kiln told the real durations: %s (%d throttles, %d quota breaches) = %.3f × upper%n",
                    hours(knowing.makespan()), knowing.throttles(), knowing.quotaBreaches(),
                    ratio(knowing.makespan(), upper));
        }
        differences(plan, kilnCritical, optimum, spans, out);
        return !replay.clean() || kiln.throttles() > 0 || kiln.quotaBreaches() > 0;
    }

    /**
     * Where Kiln's last component ends later than the solver's schedule of it: the builds Kiln starts
     * later than the solver does, by more than a minute, with what they hold and how long they run.
     */
    private static void differences(BuildPlan plan, Component c, Optimum.Result optimum, Map<JobId, long[]> spans,
                                    PrintStream out) {
        List<Build> later = new ArrayList<>();
        for (Build b : c.builds()) {
            long solver = optimum.starts().get(b.id());
            if (spans.get(b.id())[0] - solver > 60_000_000_000L) {
                later.add(b);
            }
        }
        later.sort(Comparator.comparingLong((Build b) -> optimum.starts().get(b.id())));
        out.printf(Locale.ROOT, "  %s, where Kiln ends last: %d of %d builds start over a minute later under Kiln"
                + " than in the solver's schedule%n", c.name(), later.size(), c.builds().size());
        for (Build b : later) {
            Duration expected = plan.job(b.id()).orElseThrow().image().expectedDuration();
            out.printf(Locale.ROOT, "    %-8s %-9s runs %s (expected %s): solver starts it at %s, Kiln at %s%n",
                    b.id().value().substring(0, b.id().value().indexOf('/')), holding(b),
                    hours(Duration.ofNanos(b.durationNanos())), hours(expected),
                    hours(Duration.ofNanos(optimum.starts().get(b.id()))), hours(Duration.ofNanos(spans.get(b.id())[0])));
        }
    }

    private static String holding(Build b) {
        return b.holds().entrySet().stream().filter(e -> e.getKey().endsWith(" " + Demand.VCPUS)).findFirst()
                .map(e -> e.getValue() + " vCPUs").orElse("1 host slot");
    }

    /** Each job's first start and its end under Kiln, nanoseconds from the fleet's start. */
    private static Map<JobId, long[]> spans(BuildPlan plan, SimulationResult kiln) {
        Map<JobId, long[]> out = new HashMap<>();
        for (JobResult j : kiln.run().jobs()) {
            long start = -1;
            long end = 0;
            for (StateChange c : j.history()) {
                long at = Duration.between(plan.createdAt(), c.at()).toNanos();
                if (c.state() == JobState.RUNNING && start < 0) {
                    start = at;
                }
                end = at;
            }
            out.put(j.job().id(), new long[] {start, end});
        }
        return out;
    }

    /** The plan with priorities that make Kiln start each group's builds in the order of {@code starts}. */
    static BuildPlan inOrder(BuildPlan plan, Map<JobId, Long> starts) {
        List<BuildJob> jobs = new ArrayList<>(plan.jobs());
        jobs.sort(Comparator.comparingLong((BuildJob j) -> starts.get(j.id()))
                .thenComparing(j -> j.image().expectedDuration(), Comparator.reverseOrder()));
        Map<JobId, Integer> priority = new HashMap<>();
        for (int i = 0; i < jobs.size(); i++) {
            priority.put(jobs.get(i).id(), jobs.size() - i);
        }
        return rewrite(plan, (j, i) -> new ImageSpec(i.name(), i.template(), i.builderType(), i.only(),
                i.instanceSize(), i.variables(), i.sensitive(), i.nameTemplate(), i.providers(), priority.get(j.id()),
                i.timeout(), i.expectedDuration(), i.dependsOn(), i.diskGb(), i.vcpus(), i.varFiles(),
                i.variablesMap(), i.setFields(), i.workingDirectory(), i.location()));
    }

    /**
     * The plan whose cost model knows each build's real duration under {@code error}: run without
     * model error, its builds take as long as they do with it (their calls follow the model).
     */
    static BuildPlan knowing(BuildPlan plan, long seed, double error) {
        SimulatedPackerRunner runner = Optimum.runner(plan, seed, error);
        return rewrite(plan, (j, i) -> new ImageSpec(i.name(), i.template(), i.builderType(), i.only(),
                i.instanceSize(), i.variables(), i.sensitive(), i.nameTemplate(), i.providers(), i.priority(),
                i.timeout(), runner.draw(j, 1).duration(), i.dependsOn(), i.diskGb(), i.vcpus(), i.varFiles(),
                i.variablesMap(), i.setFields(), i.workingDirectory(), i.location()));
    }

    private static BuildPlan rewrite(BuildPlan plan, BiFunction<BuildJob, ImageSpec, ImageSpec> image) {
        List<BuildJob> out = new ArrayList<>();
        for (BuildJob j : plan.jobs()) {
            out.add(new BuildJob(j.id(), image.apply(j, j.image()), j.target(), j.environment(), j.imageName(),
                    j.buildId(), j.dependsOn(), j.demand()));
        }
        return plan.withJobs(out);
    }

    private static String shortStatus(String status) {
        return status.replace("OPTIMAL", "opt").replace("FEASIBLE", "feas").replace("UNKNOWN", "unk")
                .replace("GREEDY", "greedy");
    }

    private static double ratio(Duration a, Duration b) {
        return b.isZero() ? 0 : a.toNanos() / (double) b.toNanos();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static String hours(Duration d) {
        return SchedulingBenchmark.hours(d);
    }
}
