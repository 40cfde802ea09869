package dev.kiln.emulators.spi;

import dev.kiln.limits.LimitSpec;
import dev.kiln.time.TimeSource;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An emulator's rate limits on its time source, so a test in virtual time sees them refill only
 * when it moves time: token buckets (EC2, ARM), created full on first use and refilled
 * continuously (Bucket4j on a {@link TimeMeter} reading {@link TimeSource#nanoTime()}), and fixed
 * windows (GCE's per-minute rate quotas), which start empty at every window boundary of the time
 * source's wall clock ({@link TimeSource#now()}), aligned exactly as Kiln aligns its own.
 */
final class RateLimits {

    private final TimeSource time;
    private final TimeMeter meter;
    private final Map<String, Held> buckets = new ConcurrentHashMap<>();
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    RateLimits(TimeSource time) {
        this.time = time;
        this.meter = new TimeSourceMeter(time);
    }

    /**
     * Takes {@code tokens} from the bucket {@code key} shaped {@code spec}; false, and nothing
     * taken, when the bucket holds fewer. A bucket whose shape changed since it was created starts
     * again full with the new shape.
     */
    boolean tryConsume(String key, LimitSpec.TokenBucket spec, long tokens) {
        Held held = buckets.compute(key, (k, h) -> h != null && h.spec.equals(spec) ? h : new Held(spec, create(spec)));
        return held.bucket.tryConsume(tokens);
    }

    /**
     * Nanoseconds until bucket {@code key} shaped {@code spec} holds {@code tokens}; 0 when it does
     * now. Takes nothing: for the {@code Retry-After} of a throttled call.
     */
    long nanosUntil(String key, LimitSpec.TokenBucket spec, long tokens) {
        Held held = buckets.compute(key, (k, h) -> h != null && h.spec.equals(spec) ? h : new Held(spec, create(spec)));
        return held.bucket.estimateAbilityToConsume(tokens).getNanosToWaitForRefill();
    }

    /** Tokens now in bucket {@code key}, or -1 if it was never used. */
    long available(String key) {
        Held h = buckets.get(key);
        return h == null ? -1 : h.bucket.getAvailableTokens();
    }

    /**
     * Counts {@code units} in the current window of {@code key} shaped {@code spec}; false, and
     * nothing counted, when the window would go over its limit. A window whose shape changed
     * since it was last used starts again empty with the new shape.
     */
    boolean tryConsume(String key, LimitSpec.FixedWindow spec, long units) {
        Instant start = windowStart(time.now(), spec.window());
        boolean[] taken = new boolean[1];
        windows.compute(key, (k, w) -> {
            Window current = w != null && w.spec.equals(spec) && w.start.equals(start) ? w : new Window(spec, start, 0);
            if (current.used + units > spec.limit()) {
                return current;
            }
            taken[0] = true;
            return new Window(spec, start, current.used + units);
        });
        return taken[0];
    }

    /** Units counted in the current window of {@code key}, or -1 if it was never used. */
    long used(String key) {
        Window w = windows.get(key);
        if (w == null) {
            return -1;
        }
        return w.start.equals(windowStart(time.now(), w.spec.window())) ? w.used : 0;
    }

    /** How long until the current window of {@code spec}'s size ends, as the time source counts. */
    Duration untilWindowEnds(LimitSpec.FixedWindow spec) {
        Instant now = time.now();
        return Duration.between(now, windowStart(now, spec.window()).plus(spec.window()));
    }

    /** Every bucket full and every window empty again. */
    void reset() {
        buckets.clear();
        windows.clear();
    }

    /** The start of the window of size {@code window} holding {@code t}: a multiple of the size since the epoch. */
    static Instant windowStart(Instant t, Duration window) {
        long windowNanos = window.toNanos();
        long epochNanos = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        long start = Math.floorDiv(epochNanos, windowNanos) * windowNanos;
        return Instant.ofEpochSecond(Math.floorDiv(start, 1_000_000_000L), Math.floorMod(start, 1_000_000_000L));
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

    private record Window(LimitSpec.FixedWindow spec, Instant start, long used) {
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
