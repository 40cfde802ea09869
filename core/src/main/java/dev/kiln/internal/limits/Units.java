package dev.kiln.internal.limits;

import dev.kiln.limits.LimitSpec;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import dev.kiln.time.TimeSource;
import java.time.Duration;

/**
 * Kiln's buckets count in thousandths of a call, so a steady polling rate can be charged as it
 * accrues and fractional refill rates (ARM's 500 per minute) are exact.
 */
public final class Units {

    /** Bucket units per API call. */
    public static final long PER_CALL = 1000;

    private Units() {
    }

    public static long ofCalls(double calls) {
        return Math.round(calls * PER_CALL);
    }

    public static double toCalls(long units) {
        return units / (double) PER_CALL;
    }

    /** A Bucket4j configuration for {@code spec}, refilling greedily at {@code refillPerSecond} calls. */
    public static BucketConfiguration configuration(LimitSpec.TokenBucket spec, double refillPerSecond) {
        long perHour = Math.max(1, Math.round(refillPerSecond * PER_CALL * 3600));
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(spec.capacity() * PER_CALL)
                        .refillGreedy(perHour, Duration.ofHours(1))
                        .initialTokens(spec.capacity() * PER_CALL)
                        .build())
                .build();
    }

    /** A Bucket4j time meter reading the run's time source. */
    public static TimeMeter meter(TimeSource time) {
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return time.nanoTime();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
    }
}
