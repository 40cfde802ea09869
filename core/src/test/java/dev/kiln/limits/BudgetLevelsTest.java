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
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The levels a budget sample reports. A full bucket nobody drew from is not read again, so these
 * check that every draw shows, whoever makes it: the run, or others on the same store.
 */
class BudgetLevelsTest {

    private static final Target TARGET = Target.of("aws", "123456789012", "us-east-1");
    private static final LimitSpec.TokenBucket DESCRIBE = LimitSpec.tokenBucket(10, 2);

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-01T00:00:00Z"));
    private final Coordination store = InMemoryCoordination.of(time);
    private final RunLimits limits = new RunLimits(time, store, AdaptiveRateConfig.DEFAULT, 0.9, (key, rates) -> {
    });
    private final LimitsTable table = LimitsTable.builder().limit("Describe", DESCRIBE, Scope.REGION).build();
    private final LimitKey key = new LimitKey(TARGET.key(), "Describe");

    private JobBudget burst(double calls) {
        return JobBudget.of(TARGET, table, new CostModel(Duration.ofMinutes(1),
                List.of(new ApiCost("Describe", calls, 0, 0)), Map.of()));
    }

    private double available() {
        return limits.levels().stream().filter(l -> l.key().equals(key)).findFirst().orElseThrow().available();
    }

    @Test
    void a_full_bucket_drawn_from_by_another_holder_of_the_store_shows_the_draw() {
        // Given the run used the bucket, which has refilled and was sampled full twice
        assertThat(limits.tryAdmit("a", burst(1), List.of()).admitted()).isTrue();
        assertThat(available()).isEqualTo(9);
        time.advance(Duration.ofSeconds(10));
        assertThat(available()).isEqualTo(10);
        assertThat(available()).isEqualTo(10);

        // When a provider's gate (or another run) draws 4 calls from the same bucket
        Bucket shared = store.rates().bucket(key, Units.configuration(DESCRIBE, DESCRIBE.refillPerSecond()));
        assertThat(shared.tryConsume(Units.ofCalls(4))).isTrue();

        // Then the next sample sees it, and the refill after it
        assertThat(available()).isEqualTo(6);
        time.advance(Duration.ofSeconds(1));
        assertThat(available()).isEqualTo(8);
        time.advance(Duration.ofSeconds(5));
        assertThat(available()).isEqualTo(10);
    }

    @Test
    void a_full_bucket_drawn_from_by_the_run_shows_the_draw() {
        assertThat(limits.tryAdmit("a", burst(1), List.of()).admitted()).isTrue();
        time.advance(Duration.ofSeconds(10));
        assertThat(available()).isEqualTo(10);

        assertThat(limits.tryAdmit("b", burst(3), List.of()).admitted()).isTrue();

        assertThat(available()).isEqualTo(7);
    }

    @Test
    void only_limits_that_may_have_moved_are_sampled_again_and_a_new_polling_rate_is_a_move() {
        // Given the bucket was used, refilled, and sampled full
        assertThat(limits.tryAdmit("a", burst(1), List.of()).admitted()).isTrue();
        time.advance(Duration.ofSeconds(10));
        assertThat(moved()).extracting(RunLimits.LimitLevel::available).containsExactly(10.0);

        // When nothing draws from it, it is left out of the next samples
        time.advance(Duration.ofSeconds(10));
        assertThat(moved()).isEmpty();
        assertThat(limits.levels()).hasSize(1);

        // When a build that only polls it is admitted, its full bucket is sampled again for the new rate
        JobBudget poller = JobBudget.of(TARGET, table, new CostModel(Duration.ofMinutes(1),
                List.of(new ApiCost("Describe", 0, 30, 0)), Map.of()));
        assertThat(limits.tryAdmit("b", poller, List.of()).admitted()).isTrue();
        assertThat(moved()).singleElement().satisfies(l -> {
            assertThat(l.available()).isEqualTo(10);
            assertThat(l.runningRate()).isEqualTo(0.5);
        });
        assertThat(moved()).isEmpty();

        // And when it ends, once more
        limits.finished("b", poller);
        assertThat(moved()).singleElement().extracting(RunLimits.LimitLevel::runningRate).isEqualTo(0.0);
    }

    private List<RunLimits.LimitLevel> moved() {
        return limits.levels(false);
    }
}
