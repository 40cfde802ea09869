package dev.kiln.benchmarks;

import com.google.ortools.Loader;
import com.google.ortools.sat.BoolVar;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverSolutionCallback;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.CumulativeConstraint;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.IntervalVar;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearExprBuilder;
import com.google.ortools.sat.Literal;
import dev.kiln.benchmarks.FleetModel.Build;
import dev.kiln.benchmarks.FleetModel.Calls;
import dev.kiln.benchmarks.FleetModel.Component;
import dev.kiln.limits.LimitSpec;
import dev.kiln.plan.JobId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One component's scheduling problem in whole seconds, in the two versions that bracket its real
 * optimum (the real problem has real-valued times and durations), and CP-SAT to solve them:
 *
 * <ul>
 *   <li>{@link Kind#RELAXED} keeps only what every real schedule satisfies, with starts and
 *       durations rounded down. Its optimum, or the solver's proven bound on it, is a lower bound
 *       on the real optimum.
 *   <li>{@link Kind#SAFE} asks for more than the cloud does, with durations rounded up: any of its
 *       schedules, started at its times, runs without a throttle, a quota breach or a queued vCenter
 *       operation (the simulator replays it to check), so its makespan is an upper bound.
 * </ul>
 *
 * <p>Both: each build an interval of its duration; each quota and concurrency limit a cumulative
 * over those intervals, with the energy bound (capacity × makespan ≥ area) stated so the solver's
 * bound sees it; a dependency an end-before-start. Rate limits are where the versions part: see
 * {@link #rateLimit}. Everything is a {@link Problem} of cumulatives over intervals placed relative
 * to each build's start, which CP-SAT solves from a {@link SerialSchedule}.
 */
final class ScheduleModel {

    /** Which version of the problem. */
    enum Kind { RELAXED, SAFE }

    /** Tokens are counted in thousandths: polling rates are fractional. */
    static final long SCALE = 1000;

    /** Unit-demand limits up to this capacity also get one machine per unit (see {@link #machines}). */
    private static final long MACHINES_UP_TO = 16;

    private static final long NANOS = 1_000_000_000L;

    static {
        Loader.loadNativeLibraries();
    }

    private ScheduleModel() {
    }

    /**
     * A build's use of a cumulative: {@code demand} over [start + offset, start + offset + size).
     */
    record Use(int build, long offset, long size, long demand) {
    }

    /**
     * A cumulative constraint.
     *
     * @param name     the resource or rate limit it stands for
     * @param capacity the most its uses may add up to at any second
     * @param resource whether it is a quota or concurrency limit held for the builds' whole run
     *                 (rather than a rate limit's window)
     * @param uses     what each build puts on it
     */
    record Cumulative(String name, long capacity, boolean resource, List<Use> uses) {
    }

    /**
     * One version of a component's problem.
     *
     * @param component   the builds
     * @param kind        which version
     * @param durations   each build's duration in whole seconds, rounded the version's way
     * @param cumulatives every constraint but the dependencies (in the component's builds)
     */
    record Problem(Component component, Kind kind, long[] durations, List<Cumulative> cumulatives) {

        /** One build after another, far enough apart that no two share a window: always feasible. */
        long horizon() {
            long gap = 2;
            for (Cumulative c : cumulatives) {
                for (Use u : c.uses()) {
                    gap = Math.max(gap, u.offset() + u.size() - durations[u.build()] + 2);
                }
            }
            long h = 0;
            for (long d : durations) {
                h += d + gap;
            }
            return h;
        }

        long makespan(long[] starts) {
            long m = 0;
            for (int i = 0; i < starts.length; i++) {
                m = Math.max(m, starts[i] + durations[i]);
            }
            return m;
        }
    }

    /**
     * What the solver found.
     *
     * @param kind     which version was solved
     * @param status   the solver's status (OPTIMAL when {@code makespan == bound}), or GREEDY when the
     *                 greedy schedule was short enough or the solver found none better
     * @param makespan the best schedule's makespan in seconds
     * @param bound    the proven lower bound on this version's optimum, in seconds
     * @param starts   the best schedule's start times in seconds from the fleet's start, by build
     * @param seconds  the solver's wall time
     */
    record Solution(Kind kind, String status, long makespan, long bound, long[] starts, double seconds) {

        static final String GREEDY = "GREEDY";
    }

    /** The {@code kind} version of {@code component}'s problem. */
    static Problem problem(Component component, Kind kind) {
        List<Build> builds = component.builds();
        int n = builds.size();
        long[] duration = new long[n];
        for (int i = 0; i < n; i++) {
            long nanos = builds.get(i).durationNanos();
            duration[i] = kind == Kind.SAFE ? Math.floorDiv(nanos + NANOS - 1, NANOS) : nanos / NANOS;
        }
        List<Cumulative> cumulatives = new ArrayList<>();
        for (var r : component.capacities().entrySet()) {
            List<Use> uses = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Long amount = builds.get(i).holds().get(r.getKey());
                if (amount != null) {
                    uses.add(new Use(i, 0, duration[i], amount));
                }
            }
            cumulatives.add(new Cumulative(r.getKey(), r.getValue(), true, uses));
        }
        for (var limit : component.rateLimits().entrySet()) {
            cumulatives.addAll(rateLimit(kind, builds, limit.getKey(), limit.getValue(), duration));
        }
        return new Problem(component, kind, duration, List.copyOf(cumulatives));
    }

    /**
     * How far apart (seconds) two calls must be so a limit counts them in no common window: a
     * bucket's time to refill from empty, rounded up, plus one; or a fixed window's length.
     */
    static long reach(LimitSpec spec) {
        if (spec instanceof LimitSpec.TokenBucket tb) {
            return (long) Math.ceil(tb.capacity() / tb.refillPerSecond()) + 1;
        }
        return ((LimitSpec.FixedWindow) spec).window().toSeconds();
    }

    /**
     * One rate limit. A build's calls are discrete events — its start burst at its start, its
     * teardown burst at its end — plus a steady polling rate in between; each becomes an interval
     * in a cumulative over the limit's window.
     *
     * <p>SAFE: every span of {@code T = capacity / refill} seconds sees at most {@code capacity}
     * tokens. That is enough for a bucket that starts full: a span of any length L splits into
     * ⌈L/T⌉ pieces of at most T, so it sees at most capacity × (1 + L/T) = capacity + refill × L.
     * A burst at time t becomes [t, t + ⌈T⌉ + 1), polling [start, end + ⌈T⌉ + 1) at T × rate:
     * every span of T then has one second all its events cover. A teardown's real time lies in the
     * last second before the rounded-up end, so its interval starts a second early (unless the
     * duration is whole seconds). Fixed windows of W: the same with W for T and the limit for the
     * capacity (every window starts at a whole second of the fleet's clock, so the window's last
     * second is covered by everything in it).
     *
     * <p>RELAXED: a window's rule only where every real schedule obeys it. Rounded down, a start
     * lies within a second of its real time and an end within two, so bursts at the same second
     * are less than 2 s apart in reality: at most capacity + 2 × refill. Polling is left to the
     * area bound for buckets. For a fixed window, a build covering a second polls through the whole
     * window holding it when its interval is shrunk by a window at each end, and a start burst at
     * that second falls in the same window.
     */
    private static List<Cumulative> rateLimit(Kind kind, List<Build> builds, String key, LimitSpec spec,
                                              long[] duration) {
        List<Use> uses = new ArrayList<>();
        long capacity;
        if (kind == Kind.SAFE) {
            double span;
            if (spec instanceof LimitSpec.TokenBucket tb) {
                span = tb.capacity() / tb.refillPerSecond();
                capacity = tb.capacity() * SCALE;
            } else {
                LimitSpec.FixedWindow fw = (LimitSpec.FixedWindow) spec;
                span = fw.window().toSeconds();
                capacity = fw.limit() * SCALE;
            }
            long reach = reach(spec);
            for (int i = 0; i < builds.size(); i++) {
                Calls c = builds.get(i).calls().get(key);
                if (c == null) {
                    continue;
                }
                long early = builds.get(i).durationNanos() % NANOS == 0 ? 0 : 1;
                add(uses, i, 0, reach, up(c.atStart()));
                add(uses, i, 0, duration[i] + reach, up(c.perSecond() * span));
                add(uses, i, duration[i] - early, reach + early, up(c.atEnd()));
            }
        } else if (spec instanceof LimitSpec.TokenBucket tb) {
            capacity = (long) Math.floor((tb.capacity() + 2 * tb.refillPerSecond()) * SCALE);
            for (int i = 0; i < builds.size(); i++) {
                Calls c = builds.get(i).calls().get(key);
                if (c != null) {
                    add(uses, i, 0, 1, down(c.atStart()));
                    add(uses, i, duration[i], 1, down(c.atEnd()));
                }
            }
        } else {
            LimitSpec.FixedWindow fw = (LimitSpec.FixedWindow) spec;
            long w = fw.window().toSeconds();
            capacity = fw.limit() * SCALE;
            for (int i = 0; i < builds.size(); i++) {
                Calls c = builds.get(i).calls().get(key);
                if (c != null) {
                    add(uses, i, 0, 1, down(c.atStart()));
                    add(uses, i, w, duration[i] - 2 * w, down(c.perSecond() * w));
                }
            }
        }
        long peak = uses.stream().mapToLong(Use::demand).max().orElse(0);
        if (peak > capacity) {
            throw new IllegalArgumentException("no schedule exists: one build alone needs " + peak / (double) SCALE
                    + " of " + key + ", which allows " + capacity / (double) SCALE);
        }
        // A limit no set of builds can fill is no constraint.
        long total = uses.stream().mapToLong(Use::demand).sum();
        return total <= capacity ? List.of() : List.of(new Cumulative(key, capacity, false, List.copyOf(uses)));
    }

    private static void add(List<Use> uses, int build, long offset, long size, long demand) {
        if (demand > 0 && size > 0) {
            uses.add(new Use(build, offset, size, demand));
        }
    }

    private static long up(double tokens) {
        return (long) Math.ceil(tokens * SCALE - 1e-9);
    }

    private static long down(double tokens) {
        return (long) Math.floor(tokens * SCALE + 1e-9);
    }

    /**
     * Solves {@code p} with CP-SAT, from the greedy schedule.
     *
     * @param seconds  time limit
     * @param workers  search workers
     * @param stopAt   stop at the first schedule this short (seconds); 0 to look for the optimum
     */
    static Solution solve(Problem p, double seconds, int workers, long stopAt) {
        List<Build> builds = p.component().builds();
        int n = builds.size();
        long[] duration = p.durations();
        long horizon = p.horizon();
        long[] hint = SerialSchedule.best(p);
        long greedy = p.makespan(hint);
        if (stopAt > 0 && greedy <= stopAt) {
            return new Solution(p.kind(), Solution.GREEDY, greedy, 0, hint, 0);
        }
        CpModel model = new CpModel();
        IntVar makespan = model.newIntVar(0, horizon, "makespan");
        IntVar[] start = new IntVar[n];
        IntervalVar[] run = new IntervalVar[n];
        for (int i = 0; i < n; i++) {
            start[i] = model.newIntVar(0, horizon - duration[i], "start" + i);
            run[i] = model.newFixedSizeIntervalVar(start[i], duration[i], "run" + i);
            model.addLessOrEqual(LinearExpr.affine(start[i], 1, duration[i]), makespan);
            for (int d : builds.get(i).dependsOn()) {
                model.addGreaterOrEqual(start[i], LinearExpr.affine(start[d], 1, duration[d]));
            }
            model.addHint(start[i], hint[i]);
        }
        for (Cumulative c : p.cumulatives()) {
            CumulativeConstraint cumulative = model.addCumulative(c.capacity());
            long area = 0;
            for (Use u : c.uses()) {
                IntervalVar interval = u.offset() == 0 && u.size() == duration[u.build()] ? run[u.build()]
                        : model.newFixedSizeIntervalVar(LinearExpr.affine(start[u.build()], 1, u.offset()), u.size(), "");
                cumulative.addDemand(interval, u.demand());
                area += u.demand() * u.size();
            }
            if (c.resource()) {
                model.addGreaterOrEqual(LinearExpr.term(makespan, c.capacity()), area);
                machines(model, c, start, duration, makespan);
            }
        }
        model.minimize(makespan);

        CpSolver solver = new CpSolver();
        solver.getParameters().setMaxTimeInSeconds(seconds).setNumWorkers(workers).setRandomSeed(1);
        CpSolverStatus status = solver.solve(model, new CpSolverSolutionCallback() {
            @Override
            public void onSolutionCallback() {
                if (stopAt > 0 && objectiveValue() <= stopAt) {
                    stopSearch();
                }
            }
        });
        if (status == CpSolverStatus.INFEASIBLE || status == CpSolverStatus.MODEL_INVALID) {
            throw new IllegalStateException("the " + p.kind() + " model of " + p.component().name() + " is " + status
                    + ", yet the greedy schedule satisfies it");
        }
        long bound = (long) Math.ceil(solver.bestObjectiveBound() - 1e-6);
        boolean found = status == CpSolverStatus.OPTIMAL || status == CpSolverStatus.FEASIBLE;
        if (!found || Math.round(solver.objectiveValue()) >= greedy) {
            return new Solution(p.kind(), status == CpSolverStatus.OPTIMAL ? status.name() : Solution.GREEDY, greedy,
                    bound, hint, solver.wallTime());
        }
        long[] starts = new long[n];
        for (int i = 0; i < n; i++) {
            starts[i] = solver.value(start[i]);
        }
        return new Solution(p.kind(), status.name(), Math.round(solver.objectiveValue()), bound, starts,
                solver.wallTime());
    }

    /**
     * A limit of m held one unit per build is m machines: whatever holds it at most m at a time can
     * be dealt onto m machines, each running one build at a time (intervals of at most m overlapping
     * colour with m colours). Stated that way too — each build on one machine, no two on one machine
     * at once, each machine's load within the makespan — the solver sees the bin packing behind
     * vCenter's host limit, and its bound climbs from the area to the best split.
     */
    private static void machines(CpModel model, Cumulative c, IntVar[] start, long[] duration, IntVar makespan) {
        boolean units = c.uses().stream().allMatch(u -> u.demand() == 1);
        if (!units || c.capacity() > MACHINES_UP_TO || c.uses().size() <= c.capacity()) {
            return;
        }
        int m = (int) c.capacity();
        List<List<IntervalVar>> onMachine = new ArrayList<>();
        List<LinearExprBuilder> load = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            onMachine.add(new ArrayList<>());
            load.add(LinearExpr.newBuilder());
        }
        int index = 0;
        for (Use u : c.uses()) {
            List<Literal> choice = new ArrayList<>();
            // Machines are alike: the k-th build goes on one of the first k machines.
            for (int j = 0; j < Math.min(m, index + 1); j++) {
                BoolVar on = model.newBoolVar("");
                choice.add(on);
                onMachine.get(j).add(model.newOptionalFixedSizeIntervalVar(start[u.build()], duration[u.build()], on, ""));
                load.get(j).addTerm(on, duration[u.build()]);
            }
            model.addExactlyOne(choice);
            index++;
        }
        for (int j = 0; j < m; j++) {
            model.addNoOverlap(onMachine.get(j));
            model.addLessOrEqual(load.get(j), makespan);
        }
    }

    /** Start times in nanoseconds from the fleet's start, by job, for a replay. */
    static Map<JobId, Long> startsOf(Component component, long[] startSeconds) {
        Map<JobId, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < component.builds().size(); i++) {
            out.put(component.builds().get(i).id(), startSeconds[i] * NANOS);
        }
        return out;
    }
}
