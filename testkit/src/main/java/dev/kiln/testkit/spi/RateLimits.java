package dev.kiln.testkit.spi;

import dev.kiln.limits.LimitSpec;
import dev.kiln.time.TimeSource;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An emulator's token buckets, created full on first use and refilled on the emulator's time
 * source (Bucket4j on a {@link TimeMeter} reading {@link TimeSource#nanoTime()}), so a test in
 * virtual time sees buckets refill only when it moves time.
 */
public final class RateLimits {

    private final TimeMeter meter;
    private final Map<String, Held> buckets = new ConcurrentHashMap<>();

    public RateLimits(TimeSource time) {
        this.meter = new TimeSourceMeter(time);
    }

    /**
     * Takes {@code tokens} from the bucket {@code key} shaped {@code spec}; false, and nothing
     * taken, when the bucket holds fewer. A bucket whose shape changed since it was created starts
     * again full with the new shape.
     */
    public boolean tryConsume(String key, LimitSpec.TokenBucket spec, long tokens) {
        Held held = buckets.compute(key, (k, h) -> h != null && h.spec.equals(spec) ? h : new Held(spec, create(spec)));
        return held.bucket.tryConsume(tokens);
    }

    /**
     * Nanoseconds until bucket {@code key} shaped {@code spec} holds {@code tokens}; 0 when it does
     * now. Takes nothing: for the {@code Retry-After} of a throttled call.
     */
    public long nanosUntil(String key, LimitSpec.TokenBucket spec, long tokens) {
        Held held = buckets.compute(key, (k, h) -> h != null && h.spec.equals(spec) ? h : new Held(spec, create(spec)));
        return held.bucket.estimateAbilityToConsume(tokens).getNanosToWaitForRefill();
    }

    /** Tokens now in bucket {@code key}, or -1 if it was never used. */
    public long available(String key) {
        Held h = buckets.get(key);
        return h == null ? -1 : h.bucket.getAvailableTokens();
    }

    /** Every bucket full again. */
    public void reset() {
        buckets.clear();
    }

    private Bucket create(LimitSpec.TokenBucket spec) {
        // Bucket4j refills an integer number of tokens per period; give it the whole capacity over
        // the time the documented rate takes to refill it, which is the same rate.
        long periodNanos = Math.max(1, Math.round(spec.capacity() * 1e9 / spec.refillPerSecond()));
        Bandwidth bandwidth = Bandwidth.builder()
                .capacity(spec.capacity())
                .refillGreedy(spec.capacity(), Duration.ofNanos(periodNanos))
                .build();
        return Bucket.builder().addLimit(bandwidth).withCustomTimePrecision(meter).build();
    }

    private record Held(LimitSpec.TokenBucket spec, Bucket bucket) {
    }

    private static final class TimeSourceMeter implements TimeMeter {
        private final TimeSource time;

        TimeSourceMeter(TimeSource time) {
            this.time = time;
        }

        @Override
        public long currentTimeNanos() {
            return time.nanoTime();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    }
}
