package dev.kiln.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitSpec;
import dev.kiln.spi.Coordination;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * How Kiln holds calls on its buckets and windows, in virtual time. The real-builder fleet tests
 * prove that metered fleets meet no throttle; whether a call had to be held depends on how packer's
 * polls fall, so the holding itself is proven here, where it cannot depend on timing. (Packer's
 * calls of a token bucket are let go by {@code RunLimits.tryRelease}: see {@code LateCallsTest}.)
 */
class GatesTest {

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-01T00:00:00Z"));
    private final Coordination store = InMemoryCoordination.of(time);
    private final LimitKey key = new LimitKey("aws/123456789012/us-east-1", "DescribeInstances");

    @Test
    void calls_go_at_once_while_the_bucket_has_them_then_wait_for_its_refill() throws Exception {
        // Given a bucket of 4 calls refilling 0.6 a second, as the fleet tests' tight EC2 buckets
        LimitSpec spec = LimitSpec.tokenBucket(4, 0.6);

        // When calls are taken one by one
        for (int i = 0; i < 4; i++) {
            Gates.take(time, store, key, spec, 1);
        }

        // Then all four go at once, and a fifth waits for one refill
        assertThat(time.elapsed()).isZero();
        Gates.take(time, store, key, spec, 1);
        assertThat(time.elapsed().toMillis()).isBetween(1_666L, 1_668L);
    }

    @Test
    void a_window_full_for_this_period_holds_a_call_until_the_next_one() throws Exception {
        // Given a window of 2 calls in 10 s, as GCE's rate quotas count them
        LimitSpec spec = LimitSpec.fixedWindow(2, Duration.ofSeconds(10));

        // When three calls are taken
        Gates.take(time, store, key, spec, 1);
        Gates.take(time, store, key, spec, 1);
        assertThat(time.elapsed()).isZero();
        Gates.take(time, store, key, spec, 1);

        // Then the third waits for the next window
        assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(10));
    }
}
