package dev.kiln.internal.packer;

import dev.kiln.time.TimeSource;
import dev.kiln.time.Wakeup;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs short actions at deadlines of a {@link TimeSource}: build timeouts, grace periods, command
 * timeouts. One thread for every build of a runner, borrowed from the executor only while an alarm
 * is pending, so an idle runner holds no thread.
 */
final class AlarmClock {

    private static final Logger LOG = LoggerFactory.getLogger(AlarmClock.class);

    private final TimeSource time;
    private final Executor executor;
    private final Wakeup wakeup = new Wakeup();
    private final PriorityQueue<Alarm> queue = new PriorityQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private boolean looping;
    private boolean shutDown;

    AlarmClock(TimeSource time, Executor executor) {
        this.time = time;
        this.executor = executor;
    }

    TimeSource time() {
        return time;
    }

    /** Runs {@code action} on the clock's thread once {@code time().nanoTime() >= atNanos}. */
    Alarm schedule(long atNanos, Runnable action) {
        Alarm alarm = new Alarm(this, atNanos, sequence.getAndIncrement(), action);
        boolean startLoop;
        synchronized (this) {
            if (shutDown) {
                throw new RejectedExecutionException("the packer runner is closed");
            }
            queue.add(alarm);
            startLoop = !looping;
            looping = true;
        }
        if (startLoop) {
            try {
                executor.execute(this::loop);
            } catch (RejectedExecutionException e) {
                synchronized (this) {
                    looping = false;
                }
                throw e;
            }
        }
        wakeup.signal();
        return alarm;
    }

    /** Drops every pending alarm and refuses new ones; the clock's thread returns to its executor. */
    void shutdown() {
        synchronized (this) {
            shutDown = true;
            queue.clear();
        }
        wakeup.signal();
    }

    // A cancelled alarm leaves the queue at once: a far deadline must not keep the thread waiting.
    private void remove(Alarm alarm) {
        synchronized (this) {
            queue.remove(alarm);
        }
        wakeup.signal();
    }

    private void loop() {
        try {
            while (true) {
                Alarm due = null;
                long next;
                synchronized (this) {
                    if (queue.isEmpty()) {
                        looping = false;
                        return;
                    }
                    next = queue.peek().atNanos;
                    if (next - time.nanoTime() <= 0) {
                        due = queue.poll();
                    }
                }
                if (due != null) {
                    due.fire();
                } else {
                    time.await(wakeup, next);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            synchronized (this) {
                looping = false;
            }
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                looping = false;
            }
            throw e;
        }
    }

    /** A scheduled action; {@link #cancel()} keeps it from running if it has not yet. */
    static final class Alarm implements Comparable<Alarm> {
        private final AlarmClock clock;
        private final long atNanos;
        private final long order;
        private final Runnable action;
        private volatile boolean cancelled;

        private Alarm(AlarmClock clock, long atNanos, long order, Runnable action) {
            this.clock = clock;
            this.atNanos = atNanos;
            this.order = order;
            this.action = action;
        }

        void cancel() {
            cancelled = true;
            clock.remove(this);
        }

        private void fire() {
            if (cancelled) {
                return;
            }
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("A packer runner alarm failed", e);
            }
        }

        @Override
        public int compareTo(Alarm o) {
            int c = Long.compare(atNanos - o.atNanos, 0);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }
}
