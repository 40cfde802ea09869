package dev.kiln.time;

import java.time.Duration;
import java.time.Instant;

/**
 * Virtual time for tests and simulation. Time moves only when a waiter's deadline is reached
 * (it jumps straight there) or when {@link #advance(Duration)} is called, so a run of hours
 * takes milliseconds and is the same every time.
 *
 * <p>Meant for a single driving thread: a waiter with no deadline and no pending signal would
 * wait forever, so {@link #await(Wakeup, long)} refuses it instead of hanging.
 */
public final class VirtualTime implements TimeSource {

    private final Instant origin;
    private long nanos;

    VirtualTime(Instant origin) {
        this.origin = origin;
    }

    @Override
    public synchronized Instant now() {
        return origin.plusNanos(nanos);
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public boolean await(Wakeup wakeup, long deadlineNanos) {
        if (wakeup.consume()) {
            return true;
        }
        if (deadlineNanos == Long.MAX_VALUE) {
            throw new IllegalStateException(
                    "virtual time would wait forever: nothing is scheduled and nothing can signal");
        }
        advanceTo(deadlineNanos);
        return false;
    }

    /** Moves time forward by {@code duration}. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time cannot go backwards: " + duration);
        }
        synchronized (this) {
            nanos = Math.addExact(nanos, duration.toNanos());
        }
    }

    /** Moves time forward to {@code deadlineNanos}; a deadline in the past leaves time alone. */
    public synchronized void advanceTo(long deadlineNanos) {
        nanos = Math.max(nanos, deadlineNanos);
    }

    /** How much virtual time has passed since the origin. */
    public synchronized Duration elapsed() {
        return Duration.ofNanos(nanos);
    }

    @Override
    public String toString() {
        return "VirtualTime[" + now() + "]";
    }
}
