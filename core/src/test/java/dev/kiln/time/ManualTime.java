package dev.kiln.time;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fake clock for tests with real threads: time stands still until the test calls
 * {@link #advance(Duration)}, and waiters really block until then (or until signalled). Unlike
 * {@link VirtualTime}, a waiter never moves time itself, so a test decides exactly when a timeout
 * or grace period runs out. Lives in {@code dev.kiln.time} to consume {@link Wakeup} signals.
 */
public final class ManualTime implements TimeSource {

    private final Instant origin;
    private final Set<Wakeup> waiting = ConcurrentHashMap.newKeySet();
    private long nanos;

    public ManualTime(Instant origin) {
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
    public boolean await(Wakeup wakeup, long deadlineNanos) throws InterruptedException {
        synchronized (wakeup) {
            waiting.add(wakeup);
            try {
                while (true) {
                    if (wakeup.consume()) {
                        return true;
                    }
                    if (nanoTime() - deadlineNanos >= 0) {
                        return false;
                    }
                    wakeup.wait();
                }
            } finally {
                waiting.remove(wakeup);
            }
        }
    }

    /** Moves time forward; waiters whose deadline passed return. */
    public void advance(Duration duration) {
        synchronized (this) {
            nanos += duration.toNanos();
        }
        for (Wakeup w : List.copyOf(waiting)) {
            synchronized (w) {
                w.notifyAll();
            }
        }
    }
}
