package dev.kiln.internal.run;

import dev.kiln.event.KilnEvent;
import dev.kiln.limits.LimitKey;

/** Throttles a run sees: each slows its limit down, and the limits speed up again on a timer. */
final class Throttles {

    private final RunContext run;
    private long count;
    private long recoveryDue = -1;

    Throttles(RunContext run) {
        this.run = run;
    }

    /** A throttle seen anywhere (build output, provider call): slow the limit down. */
    void observed(LimitKey key, String source) {
        count++;
        run.emit(new KilnEvent.ThrottleObserved(run.time().now(), run.runId(), key.toString(), source));
        long due = run.limits().throttled(key);
        if (due > 0 && (recoveryDue < 0 || due < recoveryDue)) {
            recoveryDue = due;
            run.schedule(due, this::recover);
        }
    }

    private void recover() {
        recoveryDue = -1;
        long next = run.limits().recover();
        if (next > 0) {
            recoveryDue = next;
            run.schedule(next, this::recover);
        }
    }

    long count() {
        return count;
    }
}
