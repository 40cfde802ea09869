package dev.kiln.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.internal.limits.Admission;
import dev.kiln.internal.limits.JobBudget;
import dev.kiln.internal.limits.RunLimits;
import dev.kiln.plan.Target;
import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.spi.Coordination;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GCE-style per-minute windows and vCenter-style provisioning costs. */
class FixedWindowAndConcurrencyTest {

    private static final Target PROJECT = Target.of("gcp", "kiln-images", "us-east1");
    private static final Target HOST = Target.of("vsphere", "vcenter", "esxi-01");

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-01T00:00:10Z"));
    private final Coordination store = InMemoryCoordination.of(time);
    private final RunLimits limits = new RunLimits(time, store, AdaptiveRateConfig.DEFAULT, 0.9, (k, r) -> { });

    @Test
    void a_window_refills_at_the_minute_boundary_not_gradually() {
        // Given a window of 10 writes per minute and bursts of 4
        LimitsTable table = LimitsTable.builder()
                .limit("writes", LimitSpec.fixedWindow(10, Duration.ofMinutes(1)), Scope.ACCOUNT).build();
        JobBudget burst = JobBudget.of(PROJECT, table, new CostModel(Duration.ofMinutes(1),
                List.of(new ApiCost("writes", 4, 0, 0)), Map.of()));

        // When three bursts ask at 00:00:10
        Admission first = limits.tryAdmit("a", burst, List.of());
        Admission second = limits.tryAdmit("b", burst, List.of());
        Admission third = limits.tryAdmit("c", burst, List.of());

        // Then two fit, and the third waits exactly until 00:01:00
        assertThat(first.admitted()).isTrue();
        assertThat(second.admitted()).isTrue();
        assertThat(third.admitted()).isFalse();
        assertThat(third.waitNanos()).isEqualTo(Duration.ofSeconds(50).toNanos());
        time.advance(Duration.ofSeconds(50));
        assertThat(limits.tryAdmit("c", burst, List.of()).admitted()).isTrue();
    }

    @Test
    void a_window_keeps_room_for_the_polling_running_builds_will_do_before_it_ends() {
        // Given 60 reads per minute, and a build that polls 30 per minute with a burst of 10
        LimitsTable table = LimitsTable.builder()
                .limit("reads", LimitSpec.fixedWindow(60, Duration.ofMinutes(1)), Scope.ACCOUNT).build();
        JobBudget poller = JobBudget.of(PROJECT, table, new CostModel(Duration.ofMinutes(10),
                List.of(new ApiCost("reads", 10, 30, 0)), Map.of()));
        JobBudget burst = JobBudget.of(PROJECT, table, new CostModel(Duration.ofMinutes(1),
                List.of(new ApiCost("reads", 20, 0, 0)), Map.of()));
        assertThat(limits.tryAdmit("poller", poller, List.of()).admitted()).isTrue();

        // When a burst of 20 asks at 00:00:10: 10 used + 20 + 25 polling due by 00:01:00 = 55 <= 60
        Admission fits = limits.tryAdmit("b1", burst, List.of());
        // and another: 30 used + 20 + 25 = 75 > 60
        Admission waits = limits.tryAdmit("b2", burst, List.of());

        assertThat(fits.admitted()).isTrue();
        assertThat(waits.admitted()).isFalse();
        assertThat(waits.waitNanos()).isEqualTo(Duration.ofSeconds(50).toNanos());
    }

    @Test
    void provisioning_cost_is_held_while_a_build_runs_and_freed_when_it_ends() {
        // Given a host that runs at most 2 clones at once
        LimitsTable table = ProviderDefaults.vsphere("ds1").withOverrides(Map.of("vcenter.host",
                LimitSpec.concurrency(2)));
        JobBudget clone = JobBudget.of(HOST, table, ProviderDefaults.vsphereClone("ds1"));

        // When three builds ask
        assertThat(limits.tryAdmit("a", clone, List.of()).admitted()).isTrue();
        assertThat(limits.tryAdmit("b", clone, List.of()).admitted()).isTrue();
        Admission third = limits.tryAdmit("c", clone, List.of());

        // Then the third waits for a release (not for time), and starts after one ends
        assertThat(third.admitted()).isFalse();
        assertThat(third.waitNanos()).isEqualTo(-1);
        assertThat(third.shortOf()).containsExactly("vsphere/vcenter/esxi-01#vcenter.host");
        limits.finished("a", clone);
        assertThat(limits.tryAdmit("c", clone, List.of()).admitted()).isTrue();
    }

    @Test
    void steady_polling_may_take_only_its_share_of_a_bucket_refill() {
        // Given a bucket refilling 1 call/s and builds polling 24 calls/min (0.4/s) each
        LimitsTable table = LimitsTable.builder()
                .limit("Describe", LimitSpec.tokenBucket(100, 1), Scope.REGION).build();
        JobBudget poller = JobBudget.of(PROJECT, table, new CostModel(Duration.ofMinutes(10),
                List.of(new ApiCost("Describe", 1, 24, 0)), Map.of()));

        // When three ask: 0.4 + 0.4 = 0.8 <= 0.9, but 1.2 > 0.9
        assertThat(limits.tryAdmit("a", poller, List.of()).admitted()).isTrue();
        assertThat(limits.tryAdmit("b", poller, List.of()).admitted()).isTrue();
        Admission third = limits.tryAdmit("c", poller, List.of());

        // Then the third waits until one of them ends
        assertThat(third.admitted()).isFalse();
        assertThat(third.waitNanos()).isEqualTo(-1);
        assertThat(third.reason()).isEqualTo("waiting for gcp/kiln-images/us-east1#rate:Describe");
    }

    @Test
    void a_start_burst_near_the_end_of_a_window_also_counts_in_the_next() {
        // Given 10 writes per minute, and a burst of 6 admitted 10 s before the minute ends
        LimitsTable table = LimitsTable.builder()
                .limit("writes", LimitSpec.fixedWindow(10, Duration.ofMinutes(1)), Scope.ACCOUNT).build();
        JobBudget burst = JobBudget.of(PROJECT, table, new CostModel(Duration.ofMinutes(1),
                List.of(new ApiCost("writes", 6, 0, 0)), Map.of()));
        time.advance(Duration.ofSeconds(40));
        assertThat(limits.tryAdmit("a", burst, List.of()).admitted()).isTrue();

        // When another burst asks early in the next minute
        time.advance(Duration.ofSeconds(15));
        Admission next = limits.tryAdmit("b", burst, List.of());

        // Then packer may still be making the first one's calls in this window: it waits for the next
        assertThat(next.admitted()).isFalse();
        assertThat(next.waitNanos()).isEqualTo(Duration.ofSeconds(55).toNanos());
    }
}
