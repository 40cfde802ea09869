package dev.kiln.emulators;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Per-action counts of what an emulator answered. Thread-safe; reads are consistent per action. */
public final class ApiCounters {

    /** How a call ended, as far as the counters care. */
    public enum Outcome {
        /** Answered with success. */
        OK,
        /** Refused by a rate limit (EC2 {@code RequestLimitExceeded}, Service Quotas {@code TooManyRequestsException}). */
        THROTTLED,
        /** Refused because a quota would be exceeded (EC2 {@code VcpuLimitExceeded}, ...). */
        QUOTA,
        /** Any other error the emulator answered. */
        ERROR,
        /** An error caused by fault injection. */
        INJECTED_FAULT
    }

    private final Map<String, Cells> byAction = new ConcurrentHashMap<>();

    /** Counts one call of {@code action} that ended with {@code outcome}. */
    public void record(String action, Outcome outcome) {
        Cells c = byAction.computeIfAbsent(action, a -> new Cells());
        c.calls.increment();
        switch (outcome) {
            case OK -> { }
            case THROTTLED -> c.throttled.increment();
            case QUOTA -> c.quota.increment();
            case ERROR -> c.other.increment();
            case INJECTED_FAULT -> {
                c.other.increment();
                c.injected.increment();
            }
        }
    }

    /**
     * Marks one call of {@code action} as queued: held back before it was done. The call is still
     * counted once, by {@link #record}, when it ends.
     */
    public void recordQueued(String action) {
        byAction.computeIfAbsent(action, a -> new Cells()).queued.increment();
    }

    /** Counts of one action; {@link ActionCounts#NONE} when it was never called. */
    public ActionCounts of(String action) {
        Cells c = byAction.get(action);
        return c == null ? ActionCounts.NONE : c.snapshot();
    }

    /** Counts of every action called so far, sorted by action name. */
    public Map<String, ActionCounts> snapshot() {
        Map<String, ActionCounts> out = new TreeMap<>();
        byAction.forEach((a, c) -> out.put(a, c.snapshot()));
        return Collections.unmodifiableMap(out);
    }

    /** The sum over every action. */
    public ActionCounts total() {
        ActionCounts sum = ActionCounts.NONE;
        for (ActionCounts c : snapshot().values()) {
            sum = sum.plus(c);
        }
        return sum;
    }

    /** Back to zero. */
    public void reset() {
        byAction.clear();
    }

    private static final class Cells {
        final LongAdder calls = new LongAdder();
        final LongAdder throttled = new LongAdder();
        final LongAdder quota = new LongAdder();
        final LongAdder other = new LongAdder();
        final LongAdder injected = new LongAdder();
        final LongAdder queued = new LongAdder();

        ActionCounts snapshot() {
            return new ActionCounts(calls.sum(), throttled.sum(), quota.sum(), other.sum(), injected.sum(),
                    queued.sum());
        }
    }
}
