package dev.kiln.time;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

final class SystemTimeSource implements TimeSource {

    static final SystemTimeSource INSTANCE = new SystemTimeSource();

    private SystemTimeSource() {
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public boolean await(Wakeup wakeup, long deadlineNanos) throws InterruptedException {
        synchronized (wakeup) {
            while (!wakeup.isSignalled()) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(wakeup, remaining);
            }
            return wakeup.consume();
        }
    }

    @Override
    public String toString() {
        return "TimeSource.system()";
    }
}
