package dev.kiln.benchmarks;

import dev.kiln.spi.Timers;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A discrete-event loop on virtual time, for driving simulated builds without Kiln: the solver's
 * schedules replayed, and baselines Kiln cannot play. It is the runner's {@link Timers}; at equal
 * times the runner's own events (a build ending, a vCenter operation granted) come before the
 * driver's decisions, as in Kiln's run loop, so a build due to start when another ends finds the
 * other's quota released.
 */
final class EventLoop implements Timers {

    private final VirtualTime time;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(Comparator.comparingLong(Event::at)
            .thenComparingInt(Event::rank).thenComparingLong(Event::sequence));
    private long sequence;

    EventLoop(VirtualTime time) {
        this.time = time;
    }

    private record Event(long at, int rank, long sequence, Runnable task) {
    }

    @Override
    public TimeSource time() {
        return time;
    }

    @Override
    public void schedule(long atNanos, Runnable task) {
        queue.add(new Event(atNanos, 0, sequence++, task));
    }

    /** A decision of the driver's at {@code atNanos}, after whatever the builds do then. */
    void decide(long atNanos, Runnable task) {
        queue.add(new Event(atNanos, 1, sequence++, task));
    }

    /** Runs every event, moving time forward to each; returns when nothing is left. */
    void run() {
        while (!queue.isEmpty()) {
            Event e = queue.poll();
            time.advanceTo(e.at());
            e.task().run();
        }
    }
}
