package dev.kiln.postgres.internal;

import dev.kiln.time.TimeSource;
import io.github.bucket4j.TimeMeter;
import java.time.Instant;

/**
 * Bucket4j's clock for buckets shared by many JVMs: nanoseconds since the epoch read from
 * {@link TimeSource#now()}. {@link TimeSource#nanoTime()} would not do: its origin differs per
 * JVM, and a bucket's state written by one node is refilled by another.
 */
public final class EpochMeter implements TimeMeter {

    private final TimeSource time;

    public EpochMeter(TimeSource time) {
        this.time = time;
    }

    @Override
    public long currentTimeNanos() {
        Instant now = time.now();
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    }

    @Override
    public boolean isWallClockBased() {
        return true;
    }
}
