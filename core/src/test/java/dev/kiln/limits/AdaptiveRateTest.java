package dev.kiln.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.internal.limits.Admission;
import dev.kiln.internal.limits.JobBudget;
import dev.kiln.internal.limits.RunLimits;
import dev.kiln.plan.Target;
import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Multiplicative decrease on throttles, additive recovery after quiet periods, in virtual time. */
class AdaptiveRateTest {

    private static final Target TARGET = Target.of("aws", "123456789012", "us-east-1");

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<double[]> changes = new ArrayList<>();
    private final AdaptiveRateConfig config =
            new AdaptiveRateConfig(0.5, 0.25, Duration.ofSeconds(30), 0.1, Duration.ofSeconds(2));
    private final RunLimits limits = new RunLimits(time, InMemoryCoordination.of(time), config, 0.9,
            (key, rates) -> changes.add(rates));
    private final LimitsTable table = LimitsTable.builder()
            .limit("Describe", LimitSpec.tokenBucket(10, 2), Scope.REGION).build();
    private final LimitKey key = new LimitKey(TARGET.key(), "Describe");

    private JobBudget burst(double calls) {
        return JobBudget.of(TARGET, table, new CostModel(Duration.ofMinutes(1),
                List.of(new ApiCost("Describe", calls, 0, 0)), Map.of()));
    }

    @Test
    void a_throttle_halves_the_refill_and_empties_the_bucket() {
        // Given the bucket is in use and full
        assertThat(limits.tryAdmit("a", burst(1), List.of()).admitted()).isTrue();
        time.advance(Duration.ofSeconds(10));

        // When the provider throttles
        long recoveryDue = limits.throttled(key);

        // Then the rate halves, the bucket is empty, and recovery is due after a quiet period
        assertThat(limits.factor(key)).isEqualTo(0.5);
        assertThat(changes).singleElement().satisfies(c -> assertThat(c).containsExactly(2.0, 1.0));
        assertThat(recoveryDue).isEqualTo(time.nanoTime() + Duration.ofSeconds(30).toNanos());
        Admission next = limits.tryAdmit("b", burst(2), List.of());
        assertThat(next.admitted()).isFalse();
        assertThat(next.waitNanos()).isEqualTo(Duration.ofSeconds(2).toNanos());
    }

    @Test
    void throttles_within_the_cooldown_cut_once() {
        limits.tryAdmit("a", burst(1), List.of());

        limits.throttled(key);
        time.advance(Duration.ofSeconds(1));
        limits.throttled(key);
        time.advance(Duration.ofSeconds(2));
        limits.throttled(key);

        assertThat(limits.factor(key)).isEqualTo(0.25);
    }

    @Test
    void the_rate_never_falls_below_its_floor() {
        limits.tryAdmit("a", burst(1), List.of());
        for (int i = 0; i < 10; i++) {
            limits.throttled(key);
            time.advance(Duration.ofSeconds(3));
        }
        assertThat(limits.factor(key)).isEqualTo(0.1);
    }

    @Test
    void quiet_periods_grow_the_rate_back_to_its_configured_value() {
        // Given a rate cut to a quarter
        limits.tryAdmit("a", burst(1), List.of());
        limits.throttled(key);
        time.advance(Duration.ofSeconds(3));
        limits.throttled(key);
        assertThat(limits.factor(key)).isEqualTo(0.25);

        // When it stays quiet, checking whenever recovery says it is due
        List<Double> factors = new ArrayList<>();
        long due = limits.recover();
        while (due > 0) {
            time.advanceTo(due);
            due = limits.recover();
            factors.add(limits.factor(key));
        }

        // Then it grows a quarter per quiet period, up to the configured rate, and stops there
        assertThat(factors).containsExactly(0.5, 0.75, 1.0);
        assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(3 + 90));
    }

    @Test
    void a_throttle_during_recovery_restarts_the_quiet_period() {
        limits.tryAdmit("a", burst(1), List.of());
        limits.throttled(key);
        time.advance(Duration.ofSeconds(29));
        limits.throttled(key);
        time.advance(Duration.ofSeconds(29));

        assertThat(limits.recover()).isEqualTo(time.nanoTime() + Duration.ofSeconds(1).toNanos());
        assertThat(limits.factor(key)).isEqualTo(0.25);
    }
}
