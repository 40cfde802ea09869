package dev.kiln.internal.run;

import dev.kiln.event.KilnEvent;
import dev.kiln.internal.limits.Admission;
import dev.kiln.internal.limits.QuotaLedger;
import dev.kiln.internal.limits.RunLimits;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.QuotaVerdict;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The single event-driven loop of a run, on one thread: what was posted and what is due
 * ({@link Inbox}), then admission, then the wait.
 *
 * <p>Everything that changes a job happens on the loop thread. Runner threads, provider calls and
 * build starts post their results; timers sit in one queue ordered by due time. When nothing can
 * start, the loop waits in the run's time source until the earliest moment a waiting job could
 * start (token buckets tell "nanos until N tokens"), a timer is due, or something is posted —
 * never polling.
 */
final class RunLoop {

    private final RunContext run;
    private final TimeSource time;
    private final Inbox inbox;
    private final Collection<JobRun> jobs;
    private final WaitingQueue waiting;
    private final BuildSupervisor builds;
    private final SharedRun shared;
    private long lastSample = Long.MIN_VALUE;
    /** The instant of the sample before this one. */
    private Instant previousSample;
    /** By identity: a run's limits keep their key objects, and thousands are looked up at every sample. */
    private final Map<LimitKey, Held> held = new IdentityHashMap<>();
    private boolean cancelHandled;

    RunLoop(RunContext run, Inbox inbox, Collection<JobRun> jobs, WaitingQueue waiting, BuildSupervisor builds,
            SharedRun shared) {
        this.run = run;
        this.time = run.time();
        this.inbox = inbox;
        this.jobs = jobs;
        this.waiting = waiting;
        this.builds = builds;
        this.shared = shared;
    }

    /** Runs until every job has ended. */
    void run() {
        while (true) {
            inbox.runPosted();
            if (run.cancelRequested() && !cancelHandled) {
                cancelEverything();
            }
            if (finished()) {
                return;
            }
            long next = cancelHandled ? Long.MAX_VALUE : admit();
            sampleBudgets(false);
            if (inbox.hasPosted()) {
                continue;
            }
            long deadline = Math.min(next, inbox.nextTimer());
            if (deadline == Long.MAX_VALUE && builds.running() == 0 && run.pendingCalls() == 0) {
                if (failStuckJobs()) {
                    continue;
                }
            }
            if (deadline != Long.MAX_VALUE || builds.running() > 0 || run.pendingCalls() > 0) {
                // Samples keep their own clock while anything is under way, not whatever else wakes the loop.
                deadline = Math.min(deadline, nextSample());
            }
            if (deadline <= time.nanoTime()) {
                continue;
            }
            try {
                inbox.await(deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                run.requestCancel();
            }
        }
    }

    /** Whether every job has ended, and nothing of theirs is still under way. */
    boolean finished() {
        return waiting.isEmpty() && builds.running() == 0 && run.pendingCalls() == 0
                && jobs.stream().allMatch(j -> j.state().isTerminal());
    }

    /**
     * Starts every waiting job that can start; returns the earliest time a budget wait ends.
     * Groups are visited in the order of their first jobs; a job short of something claims it, so
     * no later job needing the same thing overtakes it, while jobs needing other things go ahead.
     */
    private long admit() {
        long now = time.nanoTime();
        long earliest = Long.MAX_VALUE;
        int slots = run.scheduling().hostSlots();
        if (builds.running() >= slots) {
            // Most passes of a big fleet end here: no copy of the queue's groups to tell the first one why.
            WaitingQueue.Group first = waiting.firstGroup();
            if (first != null) {
                run.waits(first.head(), slotsFull(slots));
            }
            return earliest;
        }
        Set<String> claimed = new HashSet<>();
        // Each group once, in the order of their first jobs when the pass began: a group whose jobs
        // start moves back by its next job, and is not looked at again. Walked rather than copied: a
        // 50,000-build fleet has 500 groups, and most passes stop at the first.
        Set<WaitingQueue.Group> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        WaitingQueue.Group next;
        for (WaitingQueue.Group group = waiting.firstGroup(); group != null; group = next) {
            next = waiting.groupAfter(group);
            if (!seen.add(group)) {
                continue;
            }
            if (builds.running() >= slots) {
                run.waits(group.head(), slotsFull(slots));
                break;
            }
            if (!Collections.disjoint(group.keys, claimed)) {
                run.waits(group.head(), "queued behind higher-priority builds");
                continue;
            }
            while (!group.jobs.isEmpty() && builds.running() < slots) {
                JobRun j = group.head();
                if (!shared.ownsTheBuild(j)) {
                    continue;
                }
                Admission a = tryAdmit(j);
                if (a.admitted()) {
                    builds.start(j);
                    continue;
                }
                claimed.addAll(a.shortOf());
                run.waits(j, a.reason());
                if (a.waitNanos() > 0) {
                    earliest = Math.min(earliest, now + a.waitNanos());
                }
                break;
            }
        }
        return earliest;
    }

    private static String slotsFull(int slots) {
        return "waiting for a host slot (" + slots + " builds at once)";
    }

    /** Reserves the job's quota, then its limits; all or nothing. */
    private Admission tryAdmit(JobRun j) {
        QuotaLedger ledger = run.ledger();
        if (!ledger.tryReserve(j.quotaHolder(), j.job().target(), j.demand())) {
            QuotaVerdict v = ledger.estimate(j.job().target(), j.demand());
            String metric = v instanceof QuotaVerdict.Later later ? later.metric() : "quota";
            return Admission.untilRelease(j.quotaKeys(), "waiting for " + metric + " quota on "
                    + j.job().target().key());
        }
        boolean metered = run.metered(j);
        Admission a = run.limits().tryAdmit(j.holder(), j.budget(), List.of(), metered);
        if (a.admitted()) {
            j.quotaReserved();
            j.metered(metered);
        } else {
            ledger.release(j.quotaHolder());
        }
        return a;
    }

    /** Nothing runs, nothing is scheduled, yet jobs wait: they wait for something that cannot come. */
    private boolean failStuckJobs() {
        if (waiting.isEmpty()) {
            return false;
        }
        for (JobRun j : waiting.jobs()) {
            if (j.state() != JobState.WAITING) {
                continue; // cancelled already, as the dependent of a job failed here
            }
            j.fail(FailureClass.QUOTA, "can never start: " + j.waitReason() + " and nothing running will free it");
        }
        return true;
    }

    private void cancelEverything() {
        cancelHandled = true;
        for (JobRun j : jobs) {
            switch (j.state()) {
                case PLANNED, QUEUED, PREFLIGHT, RETRY_WAIT, WAITING -> j.cancel("run cancelled");
                case RUNNING -> j.interrupt();
                default -> {
                }
            }
        }
    }

    /** When the next budget sample is due; {@code Long.MAX_VALUE} when sampling is off. */
    private long nextSample() {
        Duration interval = run.scheduling().budgetSampleInterval();
        if (interval == null || lastSample == Long.MIN_VALUE) {
            return Long.MAX_VALUE;
        }
        return lastSample + interval.toNanos();
    }

    /**
     * Samples the limits' levels for the reports, at most once per sample interval unless forced
     * (then every limit's, at its level now). A limit is reported when its level moves: at the last
     * sample that held the old level, then at the new one, so a chart drawn through the samples is
     * the same as one of every sample.
     */
    void sampleBudgets(boolean force) {
        Duration interval = run.scheduling().budgetSampleInterval();
        if (interval == null) {
            return;
        }
        long now = time.nanoTime();
        if (!force && lastSample != Long.MIN_VALUE && now - lastSample < interval.toNanos()) {
            return;
        }
        lastSample = now;
        Instant at = time.now();
        // Limits left out did not move: they held their level at every sample since they were reported.
        for (RunLimits.LimitLevel level : run.limits().levels(force)) {
            Held h = held.get(level.key());
            if (h == null) {
                held.put(level.key(), new Held(at, level));
                emit(at, level);
                continue;
            }
            boolean moved = !h.level.equals(level);
            if (!moved && !force) {
                continue;
            }
            if (moved && previousSample != null && previousSample.isAfter(h.at)) {
                emit(previousSample, h.level);
            }
            h.at = at;
            h.level = level;
            emit(at, level);
        }
        previousSample = at;
    }

    private void emit(Instant at, RunLimits.LimitLevel level) {
        run.emit(new KilnEvent.BudgetSample(at, run.runId(), level.key().toString(), level.available(),
                level.capacity(), level.runningRate(), level.ratePerSecond()));
    }

    /** A limit's last reported level, and the sample that reported it. */
    private static final class Held {
        Instant at;
        RunLimits.LimitLevel level;

        Held(Instant at, RunLimits.LimitLevel level) {
            this.at = at;
            this.level = level;
        }
    }
}
