package dev.kiln.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.internal.limits.Admission;
import dev.kiln.internal.limits.JobBudget;
import dev.kiln.internal.limits.RunLimits;
import dev.kiln.internal.limits.Units;
import dev.kiln.plan.Target;
import dev.kiln.spi.Coordination;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Packer's calls, let go by Kiln's limits, reaching the cloud late and out of order, in virtual
 * time. The cloud counts a call when it arrives; the gate lets a call go a moment before, and on a
 * loaded machine calls let go at the bucket's pace can arrive bunched (issue 20: two RunInstances
 * throttles at 32 slots, load average 27). Each call here is let go as the gate's meter does
 * ({@link RunLimits#tryRelease}, and {@link RunLimits#answered} when its answer is back), arrives at
 * the cloud's bucket after a delay of its own, and is answered after another.
 */
class LateCallsTest {

    private static final Target TARGET = Target.of("aws", "123456789012", "eu-west-1");
    /** EC2's RunInstances bucket: 5 calls, refilling 2 a second. */
    private static final LimitSpec.TokenBucket RUN_INSTANCES = LimitSpec.tokenBucket(5, 2);

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-01T00:00:00Z"));
    /** One store, as PostgreSQL is for every node of a fleet. */
    private final Coordination store = InMemoryCoordination.of(time);
    private final LimitsTable table = LimitsTable.builder().limit("RunInstances", RUN_INSTANCES, Scope.REGION).build();
    private final LimitKey key = new LimitKey(TARGET.key(), "RunInstances");
    /** A build whose start burst prepays one RunInstances call, as amazon-ebs's cost model does. */
    private final JobBudget build = JobBudget.of(TARGET, table, new CostModel(Duration.ofMinutes(1),
            List.of(new ApiCost("RunInstances", 1, 0, 0)), Map.of()));
    /**
     * The cloud's own RunInstances bucket, made as the EC2 emulator makes it (its {@code RateLimits}:
     * Bucket4j, whole calls, greedy refill of the capacity over capacity / rate seconds) on the same
     * virtual time. Not the emulator itself: kiln-emulators depends on core, so core's tests cannot
     * use it.
     */
    private final Bucket cloud = Bucket.builder()
            .addLimit(Bandwidth.builder().capacity(5).refillGreedy(5, Duration.ofMillis(2_500)).build())
            .withCustomTimePrecision(Units.meter(time))
            .build();

    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private long sequence;
    private int arrived;
    private int throttled;
    private int answered;

    @Test
    void issue20_calls_let_go_at_the_buckets_pace_but_arriving_bunched_are_never_throttled() {
        // Given five builds admitted at once, whose packers call RunInstances at once on their
        // prepaid calls, and whose calls reach the cloud a second late (a machine at load 27)
        RunLimits node = node("n1");
        for (int b = 1; b <= 5; b++) {
            admit(node, "b" + b, 0, 0, millis(1_000));
        }
        // And two more builds admitted as Kiln's bucket refills, whose calls arrive at once
        admit(node, "b6", millis(500), 0, 0);
        admit(node, "b7", millis(1_000), 0, 0);

        // When they all run
        runAll();

        // Then all seven calls reach the cloud and none is throttled: the late five arrive into a
        // bucket that was full while they were on their way, and had refilled for no one
        assertThat(arrived).isEqualTo(7);
        assertThat(throttled).isZero();
        assertThat(answered).isEqualTo(7);
    }

    @Test
    void calls_that_arrive_at_once_go_at_the_buckets_full_pace() {
        // Given seven builds admitted one after another, whose calls reach the cloud as they go
        RunLimits node = node("n1");
        for (int b = 1; b <= 7; b++) {
            admit(node, "b" + b, 0, 0, 0);
        }

        // When they run
        runAll();

        // Then nothing is held back beyond the bucket: five go at once, the sixth and seventh one
        // refill (0.5 s) apart, none throttled
        assertThat(arrived).isEqualTo(7);
        assertThat(throttled).isZero();
        assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void issue20_a_fleet_on_two_nodes_with_calls_delayed_at_random_is_never_throttled() {
        // Given two nodes sharing one store, 60 builds admitted as their buckets allow, each calling
        // RunInstances 0-10 s after it starts (every fifth twice, the second time unpaid), each call
        // reaching the cloud 0-2 s after the gate let it go and answered 0-0.5 s after that
        RunLimits n1 = node("n1");
        RunLimits n2 = node("n2");
        Random random = new Random(20);
        for (int b = 0; b < 60; b++) {
            RunLimits node = b % 2 == 0 ? n1 : n2;
            int calls = b % 5 == 0 ? 2 : 1;
            admit(node, "b" + b, millis(random.nextInt(20_000)), calls, random);
        }

        // When the fleet runs
        runAll();

        // Then every call reaches the cloud and none is throttled
        assertThat(arrived).isEqualTo(72);
        assertThat(throttled).isZero();
        assertThat(answered).isEqualTo(72);
    }

    @Test
    void a_call_waiting_on_a_bucket_full_of_calls_on_their_way_asks_again_after_a_calls_refill() {
        // Given two builds that prepaid a call each, and a call of the first charging a little more
        // than one call, on its way: the bucket is left 2.999 calls, which its refill stops at
        // while that call is unanswered
        RunLimits node = node("n1");
        assertThat(node.tryAdmit("a", build, List.of(), true).admitted()).isTrue();
        assertThat(node.tryAdmit("b", build, List.of(), true).admitted()).isTrue();
        assertThat(node.tryRelease("a", key, RUN_INSTANCES, 1.001)).isZero();

        // When the second build's call of 4 asks to go (its prepaid call and 3 of the bucket's)
        long wait = node.tryRelease("b", key, RUN_INSTANCES, 4);

        // Then it is told to ask again after a call's refill (0.5 s), not after the thousandth of a
        // call the bucket lacks (0.5 ms), which would be forfeited again at each asking
        assertThat(wait).isEqualTo(Duration.ofMillis(500).toNanos());
    }

    @Test
    void a_call_its_packer_makes_as_its_build_ends_leaves_nothing_counted_behind() {
        // Given a build that ended while its packer's last call was still held by the gate
        RunLimits node = node("n1");
        assertThat(node.tryAdmit("a", build, List.of(), true).admitted()).isTrue();
        node.finished("a", build, true);

        // When that call goes after all, and its answer reaches no one (the build's meter is gone)
        assertThat(node.tryRelease("a", key, RUN_INSTANCES, 1)).isZero();

        // Then, once the bucket has refilled, another build's five calls go at once: nothing of the
        // ended build is left counted as on its way
        time.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 5; i++) {
            assertThat(node.tryRelease("b", key, RUN_INSTANCES, 1)).isZero();
        }
    }

    private RunLimits node(String id) {
        return new RunLimits(time, store, id, AdaptiveRateConfig.DEFAULT, 0.9, (k, rates) -> {
        });
    }

    /** Admits {@code holder} at {@code at} or as soon after as its burst fits; its packer then calls once. */
    private void admit(RunLimits node, String holder, long at, long callAfter, long lag) {
        at(at, () -> tryAdmit(node, holder, () -> call(node, holder, time.nanoTime() + callAfter, lag, 0,
                () -> node.finished(holder, build, true))));
    }

    /** As {@link #admit(RunLimits, String, long, long, long)}, its packer calling {@code calls} times at random. */
    private void admit(RunLimits node, String holder, long at, int calls, Random random) {
        List<long[]> plan = new ArrayList<>();
        for (int c = 0; c < calls; c++) {
            plan.add(new long[] {millis(random.nextInt(10_000)), millis(random.nextInt(2_000)),
                    millis(random.nextInt(500))});
        }
        at(at, () -> tryAdmit(node, holder, () -> calls(node, holder, plan, 0)));
    }

    private void calls(RunLimits node, String holder, List<long[]> plan, int next) {
        if (next == plan.size()) {
            node.finished(holder, build, true);
            return;
        }
        long[] c = plan.get(next);
        call(node, holder, time.nanoTime() + c[0], c[1], c[2], () -> calls(node, holder, plan, next + 1));
    }

    private void tryAdmit(RunLimits node, String holder, Runnable started) {
        Admission a = node.tryAdmit(holder, build, List.of(), true);
        if (a.admitted()) {
            started.run();
        } else {
            at(time.nanoTime() + Math.max(1, a.waitNanos()), () -> tryAdmit(node, holder, started));
        }
    }

    /**
     * A packer call at {@code at}: held until Kiln lets it go, arriving at the cloud {@code lag}
     * later, answered {@code answerLag} after that; then {@code then}.
     */
    private void call(RunLimits node, String holder, long at, long lag, long answerLag, Runnable then) {
        at(at, () -> {
            long wait = node.tryRelease(holder, key, RUN_INSTANCES, 1);
            if (wait > 0) {
                call(node, holder, time.nanoTime() + wait, lag, answerLag, then);
                return;
            }
            at(time.nanoTime() + lag, () -> {
                arrived++;
                if (!cloud.tryConsume(1)) {
                    throttled++;
                }
                at(time.nanoTime() + answerLag, () -> {
                    answered++;
                    node.answered(holder, key, RUN_INSTANCES, 1);
                    then.run();
                });
            });
        });
    }

    private void at(long nanos, Runnable step) {
        events.add(new Event(nanos, sequence++, step));
    }

    private void runAll() {
        while (!events.isEmpty()) {
            Event e = events.poll();
            time.advanceTo(e.at());
            e.step().run();
        }
    }

    private static long millis(long ms) {
        return Duration.ofMillis(ms).toNanos();
    }

    /** One step at a virtual time; steps at the same time run in the order they were scheduled. */
    private record Event(long at, long sequence, Runnable step) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
