package dev.kiln.internal.run;

import dev.kiln.spi.Timers;
import dev.kiln.time.TimeSource;
import dev.kiln.time.Wakeup;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What reaches the loop's thread: tasks posted from any thread (runner and provider results), and
 * timers due at a time of the run's clock (retry backoff, rate recovery, simulated builds). The
 * loop runs them and waits until the next is due or something is posted.
 */
final class Inbox implements Timers {

    private final TimeSource time;
    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final Wakeup wakeup = new Wakeup();
    private long timerSeq;

    Inbox(TimeSource time) {
        this.time = time;
    }

    @Override
    public TimeSource time() {
        return time;
    }

    /** Runs {@code task} on the loop thread; safe from any thread. */
    void post(Runnable task) {
        mailbox.add(task);
        wakeup.signal();
    }

    /** Wakes the loop without a task (a cancel). */
    void signal() {
        wakeup.signal();
    }

    @Override
    public void schedule(long atNanos, Runnable task) {
        timers.add(new Timer(atNanos, timerSeq++, task));
    }

    /** Runs every posted task, then every timer due, with what each of them posts. */
    void runPosted() {
        drain();
        long now = time.nanoTime();
        while (!timers.isEmpty() && timers.peek().at <= now) {
            timers.poll().task.run();
            drain();
        }
    }

    private void drain() {
        Runnable task;
        while ((task = mailbox.poll()) != null) {
            task.run();
        }
    }

    boolean hasPosted() {
        return !mailbox.isEmpty();
    }

    /** When the next timer is due; {@code Long.MAX_VALUE} when none is set. */
    long nextTimer() {
        return timers.isEmpty() ? Long.MAX_VALUE : timers.peek().at;
    }

    /** Waits until {@code deadlineNanos} or until something is posted or signalled. */
    void await(long deadlineNanos) throws InterruptedException {
        time.await(wakeup, deadlineNanos);
    }

    private record Timer(long at, long seq, Runnable task) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
