package dev.kiln.coordination;

import dev.kiln.internal.limits.DrawCounts;
import dev.kiln.internal.limits.Units;
import dev.kiln.limits.LimitKey;
import dev.kiln.spi.Rates;
import dev.kiln.time.TimeSource;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketListener;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Local Bucket4j buckets on the store's clock, each counting its draws, and window counters of
 * which the latest few are kept.
 */
final class MemoryRates implements Rates, DrawCounts {

    private static final int WINDOWS_KEPT = 4;

    private final TimeMeter meter;
    private final Map<LimitKey, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<LimitKey, AtomicLong> draws = new ConcurrentHashMap<>();
    private final Map<LimitKey, Map<Instant, Long>> windows = new HashMap<>();

    MemoryRates(TimeSource time) {
        this.meter = Units.meter(time);
    }

    @Override
    public Bucket bucket(LimitKey key, BucketConfiguration configuration) {
        return buckets.computeIfAbsent(key, k -> {
            LocalBucketBuilder builder = Bucket.builder().withCustomTimePrecision(meter);
            for (Bandwidth b : configuration.getBandwidths()) {
                builder.addLimit(b);
            }
            AtomicLong count = new AtomicLong();
            draws.put(k, count);
            return builder.build().toListenable(new Counting(count));
        });
    }

    /** Each bucket read where it lies: a run samples thousands of them many times, most long since made. */
    @Override
    public Map<LimitKey, Long> availableTokens(Map<LimitKey, BucketConfiguration> requested) {
        Map<LimitKey, Long> available = new HashMap<>(requested.size() * 4 / 3 + 1);
        requested.forEach((key, configuration) -> {
            Bucket b = buckets.get(key);
            available.put(key, (b != null ? b : bucket(key, configuration)).getAvailableTokens());
        });
        return available;
    }

    @Override
    public LongSupplier draws(LimitKey key) {
        AtomicLong count = draws.get(key);
        if (count != null) {
            return count::get;
        }
        return () -> {
            AtomicLong made = draws.get(key);
            return made == null ? 0 : made.get();
        };
    }

    /** Counts every draw on a bucket: whatever takes tokens, consumed, parked for or delayed. */
    private record Counting(AtomicLong count) implements BucketListener {
        @Override
        public void onConsumed(long tokens) {
            count.incrementAndGet();
        }

        @Override
        public void onRejected(long tokens) {
        }

        @Override
        public void onParked(long nanos) {
            count.incrementAndGet();
        }

        @Override
        public void onInterrupted(InterruptedException e) {
        }

        @Override
        public void onDelayed(long nanos) {
            count.incrementAndGet();
        }
    }

    @Override
    public synchronized long tryCountInWindow(LimitKey key, Instant windowStart, long amount, long limit) {
        Map<Instant, Long> counts = windows.computeIfAbsent(key, k -> new HashMap<>());
        long now = counts.getOrDefault(windowStart, 0L);
        if (now + amount > limit) {
            return -1;
        }
        counts.put(windowStart, now + amount);
        if (counts.size() > WINDOWS_KEPT) {
            Instant oldest = counts.keySet().stream().min(Instant::compareTo).orElseThrow();
            counts.remove(oldest);
        }
        return now + amount;
    }

    @Override
    public synchronized long countInWindow(LimitKey key, Instant windowStart) {
        return windows.getOrDefault(key, Map.of()).getOrDefault(windowStart, 0L);
    }
}
