package dev.kiln.benchmarks;

import dev.kiln.benchmarks.FleetModel.Component;
import dev.kiln.benchmarks.ScheduleModel.Kind;
import dev.kiln.benchmarks.ScheduleModel.Solution;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.JobId;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The best makespan a fleet allows under the simulated cloud's quotas and limits, bracketed by
 * CP-SAT: a lower bound from the {@link Kind#RELAXED relaxed} model (or the area bound, whichever
 * is higher), an upper bound from a {@link Kind#SAFE safe} schedule replayed in the simulator.
 * When the two meet, that is the optimum.
 *
 * <p>Components are solved from the most to the least constrained (by area bound). One whose safe
 * schedule already ends by the lower bound found so far cannot set the fleet's optimum, so its
 * search stops there and its relaxed model is not solved.
 */
final class Optimum {

    private Optimum() {
    }

    /**
     * How long the solver may search.
     *
     * @param secondsPerSolve time limit of one model of one component
     * @param workers         the solver's search threads
     */
    record Settings(double secondsPerSolve, int workers) {
    }

    /**
     * One component's bracket.
     *
     * @param component the builds
     * @param areaBound the area bound alone
     * @param relaxed   the relaxed model's solution, when it had to be solved
     * @param safe      the safe model's best schedule
     */
    record Part(Component component, Duration areaBound, Solution relaxed, Solution safe) {

        /** The component's own lower bound. */
        Duration lower() {
            long relaxedNanos = relaxed == null ? 0 : relaxed.bound() * 1_000_000_000L;
            return Duration.ofNanos(Math.max(areaBound.toNanos(), relaxedNanos));
        }
    }

    /**
     * A fleet's bracket.
     *
     * @param lower  no schedule is shorter
     * @param replay the safe schedule as the simulator ran it: its makespan is the upper bound
     * @param starts the safe schedule's start times, nanoseconds from the fleet's start
     * @param parts  by component, most constrained first
     */
    record Result(Duration lower, Replay.Result replay, Map<JobId, Long> starts, List<Part> parts) {

        Duration upper() {
            return replay.makespan();
        }

        double solverSeconds() {
            return parts.stream().mapToDouble(p -> p.safe().seconds() + (p.relaxed() == null ? 0
                    : p.relaxed().seconds())).sum();
        }
    }

    /** Brackets {@code plan}'s optimum as the simulation with this seed and model error runs it. */
    static Result of(BuildPlan plan, long seed, double modelError, Settings settings) {
        FleetModel model = FleetModel.of(plan, cloud(plan), runner(plan, seed, modelError), 10_000);
        List<Component> components = new ArrayList<>(model.components());
        Map<Component, Duration> area = new HashMap<>();
        components.forEach(c -> area.put(c, c.areaBound()));
        components.sort(Comparator.comparing(area::get).reversed());
        Duration lower = area.get(components.get(0));
        List<Part> parts = new ArrayList<>();
        Map<JobId, Long> starts = new HashMap<>();
        for (Component c : components) {
            long enough = (lower.toNanos() + 999_999_999L) / 1_000_000_000L;
            Solution safe = ScheduleModel.solve(ScheduleModel.problem(c, Kind.SAFE), settings.secondsPerSolve(),
                    settings.workers(), enough);
            Solution relaxed = null;
            if (safe.makespan() > enough) {
                relaxed = ScheduleModel.solve(ScheduleModel.problem(c, Kind.RELAXED), settings.secondsPerSolve(),
                        settings.workers(), 0);
            }
            Part part = new Part(c, area.get(c), relaxed, safe);
            if (part.lower().compareTo(lower) > 0) {
                lower = part.lower();
            }
            parts.add(part);
            starts.putAll(ScheduleModel.startsOf(c, safe.starts()));
        }
        Replay.Result replay = Replay.run(plan, seed, modelError, starts);
        return new Result(lower, replay, starts, parts);
    }

    /**
     * The schedule a solver inside Kiln could make before a run: every component's safe model
     * solved for its shortest makespan from the cost model's durations (all Kiln knows), each
     * within {@code settings}' time limit.
     */
    static Map<JobId, Long> planned(BuildPlan plan, long seed, Settings settings) {
        FleetModel model = FleetModel.of(plan, cloud(plan), runner(plan, seed, 0), 10_000);
        Map<JobId, Long> starts = new HashMap<>();
        for (Component c : model.components()) {
            Solution s = ScheduleModel.solve(ScheduleModel.problem(c, Kind.SAFE), settings.secondsPerSolve(),
                    settings.workers(), 0);
            starts.putAll(ScheduleModel.startsOf(c, s.starts()));
        }
        return starts;
    }

    /** The cloud the model reads quotas and limits from: one of its own, as probing it charges reads. */
    static SimulatedCloud cloud(BuildPlan plan) {
        return SimulatedCloud.builder(TimeSource.virtual(plan.createdAt())).build();
    }

    static SimulatedPackerRunner runner(BuildPlan plan, long seed, double modelError) {
        return SimulatedPackerRunner.builder(cloud(plan)).seed(seed).modelError(modelError).build();
    }
}
