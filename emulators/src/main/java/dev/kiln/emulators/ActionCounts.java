package dev.kiln.emulators;

/**
 * What one API action (or all of them) was answered with.
 *
 * @param calls          every call received
 * @param throttled      calls refused by a rate limit
 * @param quotaErrors    calls refused because a quota would be exceeded
 * @param otherErrors    every other error, injected faults included
 * @param injectedFaults the part of {@code otherErrors} that fault injection caused
 * @param queued         calls the provider held back before doing them (vCenter queues provisioning
 *                       operations over its cost limits instead of refusing them); they end as any
 *                       other call and are counted there too
 */
public record ActionCounts(long calls, long throttled, long quotaErrors, long otherErrors, long injectedFaults,
        long queued) {

    /** No calls at all. */
    public static final ActionCounts NONE = new ActionCounts(0, 0, 0, 0, 0, 0);

    /** Counts of a provider that never queues a call. */
    public ActionCounts(long calls, long throttled, long quotaErrors, long otherErrors, long injectedFaults) {
        this(calls, throttled, quotaErrors, otherErrors, injectedFaults, 0);
    }

    /** Calls answered with success. */
    public long succeeded() {
        return calls - throttled - quotaErrors - otherErrors;
    }

    ActionCounts plus(ActionCounts o) {
        return new ActionCounts(calls + o.calls, throttled + o.throttled, quotaErrors + o.quotaErrors,
                otherErrors + o.otherErrors, injectedFaults + o.injectedFaults, queued + o.queued);
    }
}
