package dev.kiln.testkit;

/**
 * What one API action (or all of them) was answered with.
 *
 * @param calls          every call received
 * @param throttled      calls refused by a rate limit
 * @param quotaErrors    calls refused because a quota would be exceeded
 * @param otherErrors    every other error, injected faults included
 * @param injectedFaults the part of {@code otherErrors} that fault injection caused
 */
public record ActionCounts(long calls, long throttled, long quotaErrors, long otherErrors, long injectedFaults) {

    /** No calls at all. */
    public static final ActionCounts NONE = new ActionCounts(0, 0, 0, 0, 0);

    /** Calls answered with success. */
    public long succeeded() {
        return calls - throttled - quotaErrors - otherErrors;
    }

    ActionCounts plus(ActionCounts o) {
        return new ActionCounts(calls + o.calls, throttled + o.throttled, quotaErrors + o.quotaErrors,
                otherErrors + o.otherErrors, injectedFaults + o.injectedFaults);
    }
}
