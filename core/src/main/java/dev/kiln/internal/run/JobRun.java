package dev.kiln.internal.run;

import dev.kiln.JobResult;
import dev.kiln.internal.limits.JobBudget;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.job.StateChange;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.spi.BuildHandle;
import dev.kiln.spi.BuildNetwork;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.Lease;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One job's state within a run; touched only by the run loop's thread. Its state changes only by
 * the moves below, each checked against {@link JobState}'s table, kept in its history and announced
 * to the run ({@link Moves}); the time it waited and ran is counted as it moves.
 */
final class JobRun {

    /** What a job directory's name may not hold; compiled once, as every build start names one. */
    private static final Pattern UNSAFE_IN_FILE_NAMES = Pattern.compile("[^A-Za-z0-9._-]");

    /** Where a job announces its moves, and the clock they are timed by. */
    interface Moves {
        TimeSource time();

        /** {@code job} moved from {@code from}; {@code change} is the last entry of its history. */
        void moved(JobRun job, JobState from, StateChange change);
    }

    private final BuildJob job;
    private final int index;
    private final String holder;
    private final String quotaHolder;
    private final Moves moves;
    private JobState state = JobState.PLANNED;
    private final List<StateChange> history = new ArrayList<>();

    private CloudProvider provider;
    private LimitsTable limits;
    private JobBudget budget = JobBudget.NONE;
    private Demand demand = Demand.NONE;
    private Set<String> keys = Set.of();
    private Set<String> quotaKeys = Set.of();
    private long expectedNanos;
    private CostModel cost;
    private BuildNetwork.Connection connection;
    private MeteredCalls calls;
    private boolean metered;

    private int attempt;
    private BuildHandle handle;
    private long startedNanos;
    private long waitingSinceNanos = -1;
    private long waitedNanos;
    private long ranNanos;
    private String waitReason = "";
    private boolean cancelRequested;
    private boolean quotaHeld;

    /** Shared runs: this node's lease on the job, and on its build's content (reuse across runs). */
    private Lease lease;
    private Lease buildLease;
    private String buildKey;
    private boolean leaseLost;
    private boolean sweptBeforeStart;
    /** Preflight found an image of this name; in a shared run, whose it is shows once the job is leased. */
    private boolean imageExisted;
    private Instant watchedSince;

    private FailureClass failure;
    private String message = "";
    private List<Artifact> artifacts = List.of();
    private List<String> verified = List.of();
    private String diagnosis;
    private final List<String> swept = new ArrayList<>();
    /** Sweeps tried again for the current attempt after one left something behind. */
    private int sweeps;

    /** Resumed after a crash that caught this job's build under way: sweep before building again. */
    private boolean resumeSweep;
    private long leftoverPid = -1;

    JobRun(BuildJob job, int index, String runId, Moves moves) {
        this.job = job;
        this.index = index;
        this.holder = runId + ":" + job.id().value();
        this.quotaHolder = holder + ":quota";
        this.moves = moves;
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

    // ---------------------------------------------------------------- moves

    /** Submitted to the run. */
    void queue(String reason) {
        enter(JobState.QUEUED, reason);
    }

    void preflight() {
        enter(JobState.PREFLIGHT, "");
    }

    /** Ready but for its dependencies, quota, budget or a slot: the run queues it. */
    void waiting(String reason) {
        enter(JobState.WAITING, reason);
    }

    /** A new attempt starts: packer is about to run. */
    void start() {
        attempt++;
        waitReason = "";
        startedNanos = moves.time().nanoTime();
        enter(JobState.RUNNING, "attempt " + attempt);
    }

    /** What the attempt left is being removed, after {@code failure} (null when it was cancelled). */
    void sweeping() {
        enter(JobState.SWEEPING, failure == null ? "" : failure.name());
    }

    /** Backing off before the next attempt. */
    void retrying(String reason) {
        enter(JobState.RETRY_WAIT, reason);
    }

    /**
     * Another node took the job's lease while it ran here: the build stopped, and the job waits to
     * take the new holder's outcome as its own.
     */
    void handedOver() {
        leaseLost = false;
        cancelRequested = false;
        failure = null;
        enter(JobState.RETRY_WAIT, "lease lost: another node builds it now");
        enter(JobState.WAITING, "watching the node that took it over");
    }

    void succeed(List<String> verified, String message, String reason) {
        this.verified = verified;
        this.failure = null;
        this.message = message;
        enter(JobState.SUCCEEDED, reason);
    }

    void fail(FailureClass failure, String message) {
        this.failure = failure;
        this.message = message;
        enter(JobState.FAILED, message);
    }

    /** Out of attempts: fails with the failure and message of its last one. */
    void giveUp(String reason) {
        enter(JobState.FAILED, reason);
    }

    void cancel(String reason) {
        enter(JobState.CANCELLED, reason);
    }

    /** Cancelled for a reason its result shows as its message (a dependency failed, preflight only). */
    void cancelBecause(String message) {
        this.message = message;
        enter(JobState.CANCELLED, message);
    }

    private void enter(JobState next, String reason) {
        JobState.checkTransition(job.id().value(), state, next);
        TimeSource time = moves.time();
        JobState from = state;
        if (from == JobState.WAITING) {
            waitedNanos += time.nanoTime() - waitingSinceNanos;
        }
        if (next == JobState.WAITING) {
            waitingSinceNanos = time.nanoTime();
        }
        state = next;
        StateChange change = new StateChange(next, time.now(), reason == null ? "" : reason);
        history.add(change);
        moves.moved(this, from, change);
    }

    // ---------------------------------------------------------------- preflight

    /** The provider it builds with; set before anything is asked of it, so a refused job releases its name. */
    void provider(CloudProvider provider) {
        this.provider = provider;
    }

    /** What the provider says the build takes: quota, API limits, expected duration. */
    void priced(Demand demand, LimitsTable limits, JobBudget budget, CostModel cost) {
        this.demand = demand;
        this.limits = limits;
        this.budget = budget;
        this.cost = cost;
        this.expectedNanos = cost.expectedDuration().toNanos();
    }

    /**
     * The keys it charges: quota metrics alone (what a quota wait claims), and quotas with limits
     * (what groups it in the queue); and the key of its content when identical builds are reused.
     */
    void keyed(Set<String> quotaKeys, Set<String> keys, String buildKey) {
        this.quotaKeys = quotaKeys;
        this.keys = keys;
        this.buildKey = buildKey;
    }

    void imageFound() {
        imageExisted = true;
    }

    boolean imageFoundAtPreflight() {
        return imageExisted;
    }

    // ---------------------------------------------------------------- a build

    /** Why it waits; false when that was already the reason. */
    boolean waitFor(String reason) {
        if (reason.equals(waitReason)) {
            return false;
        }
        waitReason = reason;
        return true;
    }

    void quotaReserved() {
        quotaHeld = true;
    }

    /** Whether it held quota until now; it holds none after. */
    boolean dropQuota() {
        boolean held = quotaHeld;
        quotaHeld = false;
        return held;
    }

    void running(BuildHandle handle) {
        this.handle = handle;
    }

    /** Stops the running build; the run sweeps it when packer exits. */
    void interrupt() {
        cancelRequested = true;
        if (handle != null) {
            handle.cancel();
        }
    }

    /** packer exited; the attempt's running time ends here, verification is not counted. */
    void exited(List<Artifact> artifacts) {
        handle = null;
        ranNanos += moves.time().nanoTime() - startedNanos;
        this.artifacts = artifacts;
    }

    /** The attempt failed: what and why, kept while it is swept. */
    void failed(FailureClass failure, String message) {
        this.failure = failure;
        this.message = message;
    }

    void diagnosed(String diagnosis) {
        this.diagnosis = diagnosis;
    }

    void swept(List<String> deleted) {
        swept.addAll(deleted);
    }

    /** Counts one more sweep of this attempt; returns how many were tried again so far. */
    int retrySweep() {
        return ++sweeps;
    }

    int sweepRetries() {
        return sweeps;
    }

    void sweepsDone() {
        sweeps = 0;
    }

    // ---------------------------------------------------------------- shared runs

    void leased(Lease lease) {
        this.lease = lease;
    }

    void buildLeased(Lease lease) {
        this.buildLease = lease;
    }

    void leaseEnded() {
        lease = null;
    }

    void buildLeaseEnded() {
        buildLease = null;
    }

    /** Its lease was taken over: a running build stops, and sweeps nothing (the build id is the new holder's). */
    void loseLease() {
        lease = null;
        if (state == JobState.RUNNING) {
            leaseLost = true;
            interrupt();
        }
    }

    /** Whether the lease was lost since this attempt started. */
    boolean leaseLost() {
        return leaseLost;
    }

    /** Sweeps what an earlier holder left once per lease take-over; false if it was done already. */
    boolean sweepBeforeStart() {
        if (sweptBeforeStart) {
            return false;
        }
        sweptBeforeStart = true;
        return true;
    }

    void watched(Instant since) {
        watchedSince = since;
    }

    Instant watchedSince() {
        return watchedSince;
    }

    // ---------------------------------------------------------------- reading

    BuildJob job() {
        return job;
    }

    String id() {
        return job.id().value();
    }

    int index() {
        return index;
    }

    String holder() {
        return holder;
    }

    String quotaHolder() {
        return quotaHolder;
    }

    JobState state() {
        return state;
    }

    CloudProvider provider() {
        return provider;
    }

    LimitsTable limits() {
        return limits;
    }

    JobBudget budget() {
        return budget;
    }

    /** The cost model it was priced with; null before preflight priced it. */
    CostModel cost() {
        return cost;
    }

    /** Whether its running attempt was admitted to be charged call by call through the run's network. */
    boolean metered() {
        return metered;
    }

    void metered(boolean on) {
        this.metered = on;
    }

    /** Its running attempt's way out through the run's network, and its calls; both null without one. */
    void connected(BuildNetwork.Connection c, MeteredCalls meter) {
        this.connection = c;
        this.calls = meter;
    }

    /** Ends the attempt's connection; what it metered, or null when it was not metered. */
    MeteredCalls disconnect() {
        BuildNetwork.Connection c = connection;
        MeteredCalls m = calls;
        connection = null;
        calls = null;
        if (c != null) {
            c.close();
        }
        return m;
    }

    Demand demand() {
        return demand;
    }

    Set<String> keys() {
        return keys;
    }

    Set<String> quotaKeys() {
        return quotaKeys;
    }

    long expectedNanos() {
        return expectedNanos;
    }

    int attempt() {
        return attempt;
    }

    String waitReason() {
        return waitReason;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    FailureClass failure() {
        return failure;
    }

    String message() {
        return message;
    }

    List<String> verified() {
        return verified;
    }

    Lease lease() {
        return lease;
    }

    Lease buildLease() {
        return buildLease;
    }

    String buildKey() {
        return buildKey;
    }

    boolean resumeSweep() {
        return resumeSweep;
    }

    long leftoverPid() {
        return leftoverPid;
    }

    /** File-system-safe form of the job id. */
    String slug() {
        return slug(job.id().value());
    }

    /**
     * {@code id} with every character a file name should not hold as {@code .}. By hand for the ASCII
     * ids nearly every job has: a regular expression per build start was 2 % of a 50,000-build prediction.
     */
    static String slug(String id) {
        char[] out = null;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c >= 0x80) {
                return UNSAFE_IN_FILE_NAMES.matcher(id).replaceAll(".");
            }
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                if (out == null) {
                    out = id.toCharArray();
                }
                out[i] = '.';
            }
        }
        return out == null ? id : new String(out);
    }

    JobResult result() {
        return new JobResult(job, state, attempt, failure, message, artifacts, verified, history,
                Optional.ofNullable(diagnosis), Duration.ofNanos(waitedNanos), Duration.ofNanos(ranNanos), swept);
    }
}
