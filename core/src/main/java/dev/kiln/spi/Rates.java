package dev.kiln.spi;

import dev.kiln.limits.LimitKey;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * API rate limits shared by runs: token buckets and fixed-window counters, both keyed by
 * {@link LimitKey}. Buckets are Bucket4j's, so a store shares them through a Bucket4j backend (a
 * proxy per key) and the scheduler reads refill waits from them as Bucket4j computes them.
 *
 * <p>Stability: evolving SPI; part of {@link Coordination}.
 */
public interface Rates {

    /**
     * The token bucket for {@code key}, created with {@code configuration} on first use. Later
     * calls return the same live bucket whatever configuration they pass; change it with
     * {@link Bucket#replaceConfiguration}.
     */
    Bucket bucket(LimitKey key, BucketConfiguration configuration);

    /**
     * The tokens available now in each of {@code buckets} (key to the configuration it is created
     * with if no one created it yet), as each bucket's {@link Bucket#getAvailableTokens()} answers.
     * For reports, which sample every bucket a run touched: a shared store may read them all at
     * once instead of one call each.
     */
    default Map<LimitKey, Long> availableTokens(Map<LimitKey, BucketConfiguration> buckets) {
        Map<LimitKey, Long> available = new LinkedHashMap<>();
        buckets.forEach((key, configuration) -> available.put(key, bucket(key, configuration).getAvailableTokens()));
        return available;
    }

    /**
     * Adds {@code amount} to the counter of {@code key} for the window starting at
     * {@code windowStart}, if the total stays within {@code limit}.
     *
     * @return the count in that window after the call, or -1 when refused
     */
    long tryCountInWindow(LimitKey key, Instant windowStart, long amount, long limit);

    /** The count of {@code key} in the window starting at {@code windowStart}. */
    long countInWindow(LimitKey key, Instant windowStart);
}
