package dev.kiln.internal.run;

import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.job.StateChange;
import dev.kiln.internal.limits.JobBudget;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.spi.BuildHandle;
import dev.kiln.spi.CloudProvider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** One job's mutable state within a run; touched only by the run loop's thread. */
final class JobRun {

    final BuildJob job;
    final int index;
    final String holder;
    final String quotaHolder;
    JobState state = JobState.PLANNED;
    final List<StateChange> history = new ArrayList<>();

    CloudProvider provider;
    LimitsTable limits;
    CostModel cost;
    JobBudget budget = JobBudget.NONE;
    Demand demand = Demand.NONE;
    Set<String> keys = Set.of();
    Set<String> quotaKeys = Set.of();
    long expectedNanos;

    int attempt;
    BuildHandle handle;
    long startedNanos;
    long waitingSinceNanos = -1;
    long waitedNanos;
    long ranNanos;
    String waitReason = "";
    boolean cancelRequested;
    boolean quotaHeld;

    /** Distributed runs: this node's lease on the job, and on its build's content (reuse across runs). */
    dev.kiln.spi.Coordination.Lease lease;
    dev.kiln.spi.Coordination.Lease buildLease;
    String buildKey;
    boolean leaseLost;
    boolean sweptBeforeStart;
    /** Preflight found an image of this name; in a shared run, whose it is shows once the job is leased. */
    boolean imageExisted;
    Instant watchedSince;

    FailureClass failure;
    String message = "";
    List<Artifact> artifacts = List.of();
    List<String> verified = List.of();
    String diagnosis;
    final List<String> swept = new ArrayList<>();
    /** Sweeps tried again for the current attempt after one left something behind. */
    int sweeps;

    /** Resumed after a crash that caught this job's build under way: sweep before building again. */
    boolean resumeSweep;
    long leftoverPid = -1;

    JobRun(BuildJob job, int index, String runId) {
        this.job = job;
        this.index = index;
        this.holder = runId + ":" + job.id().value();
        this.quotaHolder = holder + ":quota";
    }

    /** Takes over what a crashed run's journal recorded of this job. */
    void restore(Journal.Job recorded) {
        history.addAll(recorded.history());
        attempt = recorded.attempts();
        swept.addAll(recorded.swept());
        waitedNanos = recorded.waited().toNanos();
        ranNanos = recorded.ran().toNanos();
        if (recorded.last().isTerminal()) {
            state = recorded.last();
            verified = recorded.verified();
            artifacts = recorded.artifacts();
            failure = recorded.failure();
            message = recorded.message();
        } else {
            resumeSweep = recorded.interrupted();
            leftoverPid = recorded.pid();
        }
    }

    void enter(JobState next, Instant at, String reason) {
        JobState.checkTransition(job.id().value(), state, next);
        state = next;
        history.add(new StateChange(next, at, reason == null ? "" : reason));
    }

    /** File-system-safe form of the job id. */
    String slug() {
        return job.id().value().replaceAll("[^A-Za-z0-9._-]", ".");
    }
}
