package dev.kiln.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.benchmarks.FleetModel.Build;
import dev.kiln.benchmarks.FleetModel.Calls;
import dev.kiln.benchmarks.FleetModel.Component;
import dev.kiln.benchmarks.ScheduleModel.Cumulative;
import dev.kiln.benchmarks.ScheduleModel.Kind;
import dev.kiln.benchmarks.ScheduleModel.Problem;
import dev.kiln.benchmarks.ScheduleModel.Solution;
import dev.kiln.benchmarks.ScheduleModel.Use;
import dev.kiln.limits.LimitSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CP-SAT model on instances small enough to solve by hand: its optimum, that its relaxed
 * version never claims more than the truth and its safe version never allows what the cloud
 * refuses (checked by exact window and bucket arithmetic, independent of the model), and that the
 * greedy seed keeps every constraint.
 */
class ScheduleModelTest {

    private static final String QUOTA = "quota vcpus";
    private static final long NANOS = 1_000_000_000L;

    @Test
    void five_builds_on_an_eight_vcpu_quota_take_the_hand_computed_optimum() {
        // Given one 8-vCPU build of 100 s and four 4-vCPU builds (60, 60, 40, 40 s) on a quota of 8:
        // the big one runs alone, the others two by two, so 100 + 60 + 40 = 200 s and no less
        Component c = component(Map.of(QUOTA, 8L), Map.of(),
                build(100, Map.of(QUOTA, 8L)), build(60, Map.of(QUOTA, 4L)), build(60, Map.of(QUOTA, 4L)),
                build(40, Map.of(QUOTA, 4L)), build(40, Map.of(QUOTA, 4L)));

        // When both versions are solved
        Solution relaxed = solve(c, Kind.RELAXED);
        Solution safe = solve(c, Kind.SAFE);

        // Then both prove 200 s, and the schedule keeps the quota
        assertThat(relaxed.status()).isEqualTo("OPTIMAL");
        assertThat(relaxed.makespan()).isEqualTo(200);
        assertThat(safe.status()).isEqualTo("OPTIMAL");
        assertThat(safe.makespan()).isEqualTo(200);
        assertThat(overloads(ScheduleModel.problem(c, Kind.SAFE), safe.starts())).isEmpty();
    }

    @Test
    void a_dependency_chain_longer_than_the_area_sets_the_optimum() {
        // Given base (100 s) before app (120 s), and two free builds of 100 s and 50 s, all 2 vCPUs of 4:
        // the area allows 185 s, the chain needs 220 s
        Component c = component(Map.of(QUOTA, 4L), Map.of(),
                build(100, Map.of(QUOTA, 2L)), build(120, Map.of(QUOTA, 2L), 0),
                build(100, Map.of(QUOTA, 2L)), build(50, Map.of(QUOTA, 2L)));

        // When solved
        Solution safe = solve(c, Kind.SAFE);

        // Then 220 s, with app started after base ended
        assertThat(safe.makespan()).isEqualTo(220);
        assertThat(safe.starts()[1]).isGreaterThanOrEqualTo(safe.starts()[0] + 100);
        assertThat(solve(c, Kind.RELAXED).makespan()).isEqualTo(220);
    }

    @Test
    void a_host_of_two_slots_is_split_as_well_as_the_builds_allow_which_longest_first_misses() {
        // Given five builds of 300, 300, 200, 200 and 200 s on two slots: {300, 300} and {200, 200, 200}
        // take 600 s; longest first puts 300 + 200 + 200 on one slot, 700 s
        Component c = component(Map.of("vcenter.host", 2L), Map.of(),
                build(300, Map.of("vcenter.host", 1L)), build(300, Map.of("vcenter.host", 1L)),
                build(200, Map.of("vcenter.host", 1L)), build(200, Map.of("vcenter.host", 1L)),
                build(200, Map.of("vcenter.host", 1L)));
        Problem safe = ScheduleModel.problem(c, Kind.SAFE);

        // When solved, and seeded greedily
        Solution solved = ScheduleModel.solve(safe, 10, 2, 0);
        long[] greedy = SerialSchedule.best(safe);

        // Then
        assertThat(solved.makespan()).isEqualTo(600);
        assertThat(solved.status()).isEqualTo("OPTIMAL");
        assertThat(safe.makespan(greedy)).isEqualTo(700);
        assertThat(overloads(safe, greedy)).isEmpty();
    }

    @Test
    void a_token_bucket_is_bracketed_with_the_safe_schedule_never_overdrawing_it() {
        // Given five 100-s builds each calling RunInstances once at start, a bucket of 2 refilled at 1/s:
        // the best is 2 calls at 0, then one a second, the last at 3 s: 103 s
        LimitSpec.TokenBucket bucket = LimitSpec.tokenBucket(2, 1);
        Map<String, Calls> call = Map.of("RunInstances", new Calls(1, 0, 0));
        Component c = component(Map.of(), Map.of("RunInstances", bucket),
                build(100, Map.of(), call), build(100, Map.of(), call), build(100, Map.of(), call),
                build(100, Map.of(), call), build(100, Map.of(), call));

        // When both versions are solved
        Solution relaxed = solve(c, Kind.RELAXED);
        Solution safe = solve(c, Kind.SAFE);

        // Then the relaxed bound is at most the optimum, the safe schedule at least it, and no span of
        // the safe schedule holds more calls than the bucket allows
        assertThat(relaxed.makespan()).isLessThanOrEqualTo(103);
        assertThat(safe.makespan()).isBetween(103L, 106L);
        List<Double> calls = new ArrayList<>();
        for (long s : safe.starts()) {
            calls.add((double) s);
        }
        for (double from : calls) {
            for (double to : calls) {
                long within = calls.stream().filter(t -> t >= from && t <= to).count();
                assertThat((double) within).as("calls in [%s, %s]", from, to)
                        .isLessThanOrEqualTo(to >= from ? bucket.capacity() + bucket.refillPerSecond() * (to - from)
                                : Double.MAX_VALUE);
            }
        }
    }

    @Test
    void the_safe_schedule_keeps_every_fixed_window_counting_polling_and_bursts() {
        // Given six builds of 95.5 s (not whole seconds) under a 10-s window of 12 calls: 2 at start, 2 at
        // end, 0.5 a second while running, 5 calls per window for a build that polls all of it
        LimitSpec.FixedWindow window = LimitSpec.fixedWindow(12, Duration.ofSeconds(10));
        Calls calls = new Calls(2, 0.5, 2);
        List<Build> builds = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            builds.add(new Build(id(i), 95_500_000_000L, Map.of(), Map.of("gce.operation.reads", calls), List.of()));
        }
        Component c = new Component(builds, Map.of(), Map.of("gce.operation.reads", window), 0);

        // When the safe version is solved
        Solution safe = solve(c, Kind.SAFE);

        // Then every window, counted exactly from the real durations, stays within its limit
        double[] perWindow = new double[200];
        for (int i = 0; i < builds.size(); i++) {
            double start = safe.starts()[i];
            double end = start + 95.5;
            perWindow[(int) (start / 10)] += calls.atStart();
            perWindow[(int) (end / 10)] += calls.atEnd();
            for (int w = 0; w < perWindow.length; w++) {
                perWindow[w] += calls.perSecond() * Math.max(0, Math.min(end, w * 10 + 10) - Math.max(start, w * 10));
            }
        }
        for (int w = 0; w < perWindow.length; w++) {
            assertThat(perWindow[w]).as("window %d", w).isLessThanOrEqualTo(12 + 1e-9);
        }
        // and the relaxed version claims no more than the safe schedule achieves
        assertThat(solve(c, Kind.RELAXED).bound()).isLessThanOrEqualTo(safe.makespan());
    }

    @Test
    void the_greedy_seed_keeps_a_builds_own_burst_and_polling_together_within_a_window() {
        // Given a window of 10 calls where each build polls 4 per window and bursts 4 at start: once the
        // first has started, the second's burst and polling each fit beside its polling, but not both
        LimitSpec.FixedWindow window = LimitSpec.fixedWindow(10, Duration.ofSeconds(60));
        Calls calls = new Calls(4, 4 / 60.0, 0);
        Component c = new Component(List.of(
                new Build(id(0), 300 * NANOS, Map.of(), Map.of("w", calls), List.of()),
                new Build(id(1), 300 * NANOS, Map.of(), Map.of("w", calls), List.of())),
                Map.of(), Map.of("w", window), 0);
        Problem safe = ScheduleModel.problem(c, Kind.SAFE);

        // When seeded greedily
        long[] starts = SerialSchedule.best(safe);

        // Then
        assertThat(overloads(safe, starts)).isEmpty();
        assertThat(Math.abs(starts[1] - starts[0])).isGreaterThanOrEqualTo(300 + 60);
    }

    // ---------------------------------------------------------------- helpers

    private static Solution solve(Component c, Kind kind) {
        return ScheduleModel.solve(ScheduleModel.problem(c, kind), 10, 2, 0);
    }

    /** Every cumulative over capacity at some second, checked second by second. */
    static List<String> overloads(Problem p, long[] starts) {
        List<String> out = new ArrayList<>();
        long horizon = 0;
        for (Cumulative c : p.cumulatives()) {
            for (Use u : c.uses()) {
                horizon = Math.max(horizon, starts[u.build()] + u.offset() + u.size());
            }
        }
        for (Cumulative c : p.cumulatives()) {
            long[] load = new long[(int) horizon + 1];
            for (Use u : c.uses()) {
                for (long t = starts[u.build()] + u.offset(); t < starts[u.build()] + u.offset() + u.size(); t++) {
                    load[(int) t] += u.demand();
                }
            }
            for (int t = 0; t < load.length; t++) {
                if (load[t] > c.capacity()) {
                    out.add(c.name() + " at " + t + " s: " + load[t] + " > " + c.capacity());
                    break;
                }
            }
        }
        for (int i = 0; i < starts.length; i++) {
            for (int d : p.component().builds().get(i).dependsOn()) {
                if (starts[i] < starts[d] + p.durations()[d]) {
                    out.add("build " + i + " starts before its dependency " + d + " ends");
                }
            }
        }
        return out;
    }

    private static Component component(Map<String, Long> capacities, Map<String, LimitSpec> rates, Build... builds) {
        List<Build> numbered = new ArrayList<>();
        for (int i = 0; i < builds.length; i++) {
            Build b = builds[i];
            numbered.add(new Build(id(i), b.durationNanos(), b.holds(), b.calls(), b.dependsOn()));
        }
        return new Component(numbered, capacities, rates, 0);
    }

    private static Build build(long seconds, Map<String, Long> holds, int... dependsOn) {
        return new Build(id(0), seconds * NANOS, holds, Map.of(), Arrays.stream(dependsOn).boxed().toList());
    }

    private static Build build(long seconds, Map<String, Long> holds, Map<String, Calls> calls) {
        return new Build(id(0), seconds * NANOS, holds, calls, List.of());
    }

    private static JobId id(int i) {
        return JobId.of("img" + i, Target.of("aws", "123456789012", "us-east-1"), "prod");
    }
}
