package dev.kiln.time;

import java.time.Duration;
import java.time.Instant;

/**
 * The one place Kiln reads time and waits. Every bucket, timeout, backoff and the scheduler's
 * admission loop go through it, so the whole scheduler runs unchanged in virtual time.
 *
 * <p>Two implementations ship: {@link #system()} for real runs and {@link #virtual(Instant)} for
 * tests and simulation. Implement your own only to bridge another clock; the contract is that
 * {@link #nanoTime()} never goes backwards and {@link #await(Wakeup, long)} returns no later than
 * the deadline (as this source counts time) or the first {@link Wakeup#signal()}.
 */
public interface TimeSource {

    /** Wall-clock instant, for timestamps in names, events and reports. */
    Instant now();

    /** Monotonic nanoseconds, for every duration and deadline. Only differences are meaningful. */
    long nanoTime();

    /**
     * Waits until {@code nanoTime() >= deadlineNanos} or until {@code wakeup} is signalled,
     * whichever comes first, and consumes the signal.
     *
     * @return true when woken by a signal, false when the deadline passed
     */
    boolean await(Wakeup wakeup, long deadlineNanos) throws InterruptedException;

    /** Blocks the calling thread for {@code duration} as this source counts time. */
    default void sleep(Duration duration) throws InterruptedException {
        await(new Wakeup(), Math.addExact(nanoTime(), duration.toNanos()));
    }

    /** Real time: {@link Instant#now()} and {@link System#nanoTime()}. */
    static TimeSource system() {
        return SystemTimeSource.INSTANCE;
    }

    /** Virtual time starting at {@code start}; it moves only when someone waits or advances it. */
    static VirtualTime virtual(Instant start) {
        return new VirtualTime(start);
    }
}
