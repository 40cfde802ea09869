package dev.kiln.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.internal.limits.JobBudget;
import dev.kiln.internal.limits.RunLimits;
import dev.kiln.internal.limits.Units;
import dev.kiln.plan.Target;
import dev.kiln.spi.Coordination;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What admission prepaid for metered builds (their start bursts), drawn by their packer's calls
 * through the gate, in virtual time. The cloud counts a call when it arrives; whatever Kiln lets go
 * at one moment, prepaid or from the bucket, must fit the cloud's bucket, whichever node lets it go.
 */
class PrepaidCallsTest {

    private static final Target TARGET = Target.of("aws", "123456789012", "us-east-1");
    /** EC2's RunInstances bucket, small: 2 calls, refilling 1 a second. */
    private static final LimitSpec.TokenBucket RUN_INSTANCES = LimitSpec.tokenBucket(2, 1);

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-01T00:00:00Z"));
    /** One store, as PostgreSQL is for every node of a fleet. */
    private final Coordination store = InMemoryCoordination.of(time);
    private final LimitsTable table = LimitsTable.builder().limit("RunInstances", RUN_INSTANCES, Scope.REGION).build();
    private final LimitKey key = new LimitKey(TARGET.key(), "RunInstances");
    private final JobBudget startBurst = JobBudget.of(TARGET, table, new CostModel(Duration.ofMinutes(1),
            List.of(new ApiCost("RunInstances", 1, 0, 0)), Map.of()));

    private RunLimits node(String id) {
        return new RunLimits(time, store, id, AdaptiveRateConfig.DEFAULT, 0.9, (k, rates) -> {
        });
    }

    private double bucket() {
        return Units.toCalls(store.rates().bucket(key, Units.configuration(RUN_INSTANCES,
                RUN_INSTANCES.refillPerSecond())).getAvailableTokens());
    }

    @Test
    void calls_prepaid_on_two_nodes_never_go_at_once_beyond_what_the_clouds_bucket_holds() {
        // Given two nodes, each admitting a metered build whose start burst prepaid one RunInstances call
        RunLimits n1 = node("n1");
        RunLimits n2 = node("n2");
        assertThat(n1.tryAdmit("a", startBurst, List.of(), true).admitted()).isTrue();
        assertThat(n2.tryAdmit("b", startBurst, List.of(), true).admitted()).isTrue();
        assertThat(bucket()).isZero();

        // When both builds' packers call RunInstances a second later, when the bucket has one call again
        time.advance(Duration.ofSeconds(1));
        boolean a = n1.tryRelease("a", key, RUN_INSTANCES, 1) == 0;
        boolean b = n2.tryRelease("b", key, RUN_INSTANCES, 1) == 0;

        // Then both go, and the bucket is empty: the first build's prepaid call was forfeited (the
        // bucket could not hold it on top of its refilled call) and its call took the bucket's, the
        // second drew its own; what went at once is the bucket's capacity and no more
        assertThat(a).isTrue();
        assertThat(b).isTrue();
        assertThat(bucket()).isZero();

        // And a third call of either waits: both calls are still on their way to the cloud
        assertThat(n1.tryRelease("a", key, RUN_INSTANCES, 1)).isPositive();
    }

    @Test
    void a_prepaid_call_the_bucket_can_hold_goes_at_once() {
        // Given one node's build that prepaid its call, drawn right after admission
        RunLimits n1 = node("n1");
        assertThat(n1.tryAdmit("a", startBurst, List.of(), true).admitted()).isTrue();

        // When its packer calls
        long wait = n1.tryRelease("a", key, RUN_INSTANCES, 1);

        // Then it is not charged twice: the prepaid call goes, the bucket keeps its other call
        assertThat(wait).isZero();
        assertThat(bucket()).isEqualTo(1);
    }

    @Test
    void a_finished_build_takes_its_prepaid_calls_off_the_fleets_count() {
        // Given a build on one node whose prepaid call was never made, and a build on another node
        RunLimits n1 = node("n1");
        RunLimits n2 = node("n2");
        assertThat(n1.tryAdmit("a", startBurst, List.of(), true).admitted()).isTrue();
        assertThat(n2.tryAdmit("b", startBurst, List.of(), true).admitted()).isTrue();

        // When the first finishes (its undrawn call back in the bucket) and the second's packer calls
        n1.finished("a", startBurst, true);
        long wait = n2.tryRelease("b", key, RUN_INSTANCES, 1);

        // Then the second draws its own at once: the first's allowance no longer counts against it
        assertThat(wait).isZero();
        assertThat(bucket()).isEqualTo(1);
    }
}
