package dev.kiln.internal.run;

import dev.kiln.JobResult;
import dev.kiln.KilnException;
import dev.kiln.RunResult;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.internal.limits.Admission;
import dev.kiln.internal.limits.JobBudget;
import dev.kiln.internal.limits.RunLimits;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.limits.Charge;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaLedger;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.QuotaVerdict;
import dev.kiln.packer.PackerEvent;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.report.Reports;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.BuildCallbacks;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.BuildRequest;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.Coordination.Reservation;
import dev.kiln.spi.CredentialsException;
import dev.kiln.spi.Refusal;
import dev.kiln.spi.SweepReport;
import dev.kiln.spi.Timers;
import dev.kiln.time.TimeSource;
import dev.kiln.time.Wakeup;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a plan: preflight, then a single event-driven admission loop on one thread.
 *
 * <p>Everything that changes a job happens on the loop thread. Runner threads and provider calls
 * post their results to the mailbox and signal the loop; timers (retry backoff, rate recovery,
 * simulated builds) sit in one queue ordered by due time. When nothing can start, the loop waits
 * in the run's time source until the earliest moment a waiting job could start (token buckets
 * tell "nanos until N tokens"), a timer is due, or something is posted — never polling.
 */
public final class RunLoop implements Timers {

    private static final Logger LOG = LoggerFactory.getLogger(RunLoop.class);
    /** How long after its timeout a build's resources count as abandoned. */
    private static final Duration EXPIRY_MARGIN = Duration.ofHours(1);
    /** Sweeps of a build tried again when one leaves something behind, before the rest is reported. */
    private static final int SWEEP_RETRIES = 2;


    private final RunSettings settings;
    private final TimeSource time;
    private final BuildPlan plan;
    private final Path runDirectory;
    private final Map<JobId, JobRun> jobs = new LinkedHashMap<>();
    private final WaitingQueue waiting;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final Wakeup wakeup = new Wakeup();
    private final QuotaLedger ledger;
    private final RunLimits limits;
    private final List<Refusal> refusals = new ArrayList<>();
    private final List<KilnListener> listeners;
    private final Random random;
    private final IntervalFunction backoff;
    private final Map<String, Optional<QuotaSnapshot>> probed = new HashMap<>();
    /** Why a target's provider failed in preflight, so every job on it is refused the same way. */
    private final Map<String, Refusal> providerFailures = new HashMap<>();

    private long timerSeq;
    private int running;
    private int pendingCalls;
    private long throttles;
    private long recoveryDue = -1;
    private long lastSample = Long.MIN_VALUE;
    private volatile boolean cancelRequested;
    private boolean cancelHandled;
    private Instant startedAt;
    private EventLog eventLog;
    private final Journal journal;
    private final boolean distributed;
    private final Set<JobRun> watched = new LinkedHashSet<>();
    private boolean watching;
    private boolean renewing;
    /** Jobs that took a lease, until a renewal round finds them ended or without one. */
    private final Set<JobRun> leaseHolders = new LinkedHashSet<>();

    public RunLoop(RunSettings settings, BuildPlan plan) {
        this(settings, plan, null);
    }

    /**
     * A run resumed from its journal: jobs the journal shows ended stay as they ended; every other
     * job runs, and those a crash caught under way are swept first.
     */
    public RunLoop(RunSettings settings, BuildPlan plan, Journal journal) {
        this.journal = journal;
        this.settings = settings;
        this.time = settings.time();
        this.plan = plan;
        this.runDirectory = settings.runsDirectory().resolve(plan.runId());
        this.ledger = new QuotaLedger(settings.coordination(), settings.node());
        this.limits = new RunLimits(time, settings.coordination(), settings.node(), settings.adaptive(),
                settings.steadyShare(),
                (key, rates) -> emit(new KilnEvent.RateAdjusted(time.now(), plan.runId(), key.toString(),
                        rates[0], rates[1])));
        this.listeners = new ArrayList<>(settings.listeners());
        this.random = new Random(settings.seed());
        RetryPolicy policy = plan.retryPolicy();
        this.backoff = IntervalFunction.ofExponentialBackoff(
                Math.max(1, policy.initialBackoff().toMillis()), policy.multiplier(),
                Math.max(1, policy.maxBackoff().toMillis()));
        int index = 0;
        for (BuildJob job : plan.jobs()) {
            JobRun j = new JobRun(job, index++, plan.runId());
            if (journal != null && journal.jobs().containsKey(job.id().value())) {
                j.restore(journal.jobs().get(job.id().value()));
            }
            jobs.put(job.id(), j);
        }
        this.waiting = new WaitingQueue(jobs);
        this.distributed = !Coordination.LOCAL_NODE.equals(settings.node());
    }

    public String runId() {
        return plan.runId();
    }

    public Path runDirectory() {
        return runDirectory;
    }

    /** Asks the run to stop; safe from any thread. */
    public void cancel() {
        cancelRequested = true;
        wakeup.signal();
    }

    /** Runs the plan to the end on the calling thread. */
    public RunResult run() {
        return run(false);
    }

    /**
     * Runs the plan on the calling thread: to the end, or with {@code preflightOnly} through
     * preflight alone, after which every job that passed is cancelled and its name released.
     */
    public RunResult run(boolean preflightOnly) {
        startedAt = time.now();
        if (settings.writeEventLog() || settings.runner().needsWorkspace()) {
            createRunDirectory();
        }
        if (settings.writeEventLog()) {
            eventLog = new EventLog(runDirectory.resolve("events.jsonl"));
            listeners.add(0, eventLog);
        }
        RunResult result;
        try {
            emit(new KilnEvent.RunStarted(startedAt, plan.runId(), plan.name(), jobs.size(), runDirectory,
                    settings.runner().describe()));
            if (journal == null) {
                emit(new KilnEvent.PlanOrigin(startedAt, plan.runId(),
                        plan.source().map(f -> f.toAbsolutePath().toString()).orElse(null), plan.createdAt(),
                        plan.gitSha()));
            } else {
                long done = jobs.values().stream().filter(j -> j.state.isTerminal()).count();
                long interrupted = jobs.values().stream().filter(j -> j.resumeSweep).count();
                emit(new KilnEvent.RunResumed(startedAt, plan.runId(), (int) done, jobs.size() - (int) done,
                        (int) interrupted));
            }
            for (JobRun j : jobs.values()) {
                if (!j.state.isTerminal()) {
                    move(j, JobState.QUEUED, j.resumeSweep ? "resumed: interrupted by a crash" : "");
                }
            }
            if (distributed) {
                heartbeat();
            }
            preflight();
            if (preflightOnly) {
                endAfterPreflight();
            } else {
                loop();
            }
            result = finish();
        } finally {
            if (eventLog != null) {
                eventLog.close();
            }
        }
        if (eventLog != null && settings.writeReports() && !preflightOnly) {
            writeReports();
        }
        return result;
    }

    private void endAfterPreflight() {
        for (JobRun j : waiting.jobs()) {
            waiting.remove(j);
            j.waitedNanos += time.nanoTime() - j.waitingSinceNanos;
            j.message = "preflight only: no build started";
            move(j, JobState.CANCELLED, j.message);
        }
    }

    private void writeReports() {
        try {
            Reports.regenerate(runDirectory);
        } catch (RuntimeException e) {
            // The journal is the record; reports can be drawn again from it (kiln report).
            LOG.warn("could not write the reports of run {} into {}: {}", plan.runId(), runDirectory, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- preflight

    private void preflight() {
        for (JobRun j : jobs.values()) {
            if (j.state == JobState.QUEUED) {
                move(j, JobState.PREFLIGHT, "");
            }
        }
        List<Refusal> fromRunner;
        try {
            fromRunner = settings.runner().preflight(plan, runDirectory);
        } catch (KilnException e) {
            fromRunner = List.of(new Refusal("packer", Refusal.Kind.PACKER_VERSION, e.getMessage()));
        }
        for (Refusal r : fromRunner) {
            refuse(r);
            for (JobRun j : jobs.values()) {
                if (j.state == JobState.PREFLIGHT && appliesTo(r, j)) {
                    fail(j, FailureClass.TEMPLATE_INVALID, r.message());
                }
            }
        }
        for (JobRun j : jobs.values()) {
            if (j.state == JobState.PREFLIGHT) {
                preflightJob(j);
            }
        }
    }

    private static boolean appliesTo(Refusal r, JobRun j) {
        return switch (r.kind()) {
            case PACKER_VERSION, PLUGIN_DRIFT -> true;
            default -> r.subject().equals(j.job.id().value())
                    || r.subject().equals(j.job.image().template().toString());
        };
    }

    private void preflightJob(JobRun j) {
        BuildJob job = j.job;
        Target target = job.target();
        CloudProvider provider = settings.providers().get(target.provider());
        if (provider == null) {
            refuseJob(j, Refusal.Kind.PROVIDER_UNAVAILABLE, "no provider '" + target.provider()
                    + "' is registered with Kiln; registered: " + settings.providers().keySet());
            return;
        }
        j.provider = provider;
        try {
            Optional<QuotaSnapshot> snapshot = probed.computeIfAbsent(target.key(), k -> {
                QuotaSnapshot s = provider.probeQuotas(target);
                if (distributed) {
                    s = asFirstProbed(s);
                }
                ledger.update(s);
                emit(new KilnEvent.QuotaProbed(time.now(), plan.runId(), target.key(), s.quotas()));
                return Optional.of(s);
            });
            if (snapshot.isEmpty()) {
                Refusal failure = providerFailures.get(target.key());
                refuseJob(j, failure == null ? Refusal.Kind.PROVIDER_UNAVAILABLE : failure.kind(),
                        failure == null ? "quota probe of " + target.key() + " failed" : failure.message());
                return;
            }
            j.demand = provider.demandOf(job);
            CostModel cost = provider.costModel(job.image(), target);
            if (job.image().expectedDuration() != null) {
                cost = cost.withExpectedDuration(job.image().expectedDuration());
            }
            j.cost = cost;
            j.expectedNanos = cost.expectedDuration().toNanos();
            j.limits = provider.apiLimits(target).withOverrides(plan.limitOverridesFor(target));
            j.budget = JobBudget.of(target, j.limits, cost);
        } catch (RuntimeException e) {
            probed.putIfAbsent(target.key(), Optional.empty());
            Refusal failure = e instanceof CredentialsException
                    ? new Refusal(target.key(), Refusal.Kind.CREDENTIALS, e.getMessage())
                    : new Refusal(target.key(), Refusal.Kind.PROVIDER_UNAVAILABLE, "provider " + target.provider()
                            + " failed for " + target.key() + ": " + e.getMessage());
            providerFailures.putIfAbsent(target.key(), failure);
            refuseJob(j, failure.kind(), failure.message());
            return;
        }
        QuotaVerdict verdict = ledger.estimate(target, j.demand);
        if (verdict instanceof QuotaVerdict.Never never) {
            refuseJob(j, Refusal.Kind.QUOTA_NEVER_FITS, never.explain(target.key()));
            return;
        }
        String rateProblem = limits.neverFits(j.budget);
        if (rateProblem != null) {
            refuseJob(j, Refusal.Kind.QUOTA_NEVER_FITS, rateProblem);
            return;
        }
        if (j.resumeSweep) {
            // A crash caught this build under way: stop what is left of it and remove what it made,
            // its image included, before checking the name again and building anew.
            stopLeftoverProcess(j);
            try {
                SweepReport report = provider.sweep(target, job.buildId());
                j.swept.addAll(report.deleted());
                emit(new KilnEvent.Swept(time.now(), plan.runId(), job.id().value(), job.buildId(), report.deleted(),
                        report.failed()));
            } catch (RuntimeException e) {
                refuseJob(j, Refusal.Kind.PROVIDER_UNAVAILABLE, "could not sweep what the interrupted build of "
                        + job.id() + " left: " + e.getMessage());
                return;
            }
        }
        String scope = provider.nameRule().uniquenessScope(target);
        try {
            if (provider.imageExists(target, job.imageName())) {
                if (!distributed) {
                    refuseJob(j, Refusal.Kind.NAME_TAKEN, nameTaken(j, scope));
                    return;
                }
                // In a shared run it may be this run's own image, built or being built by another node:
                // whose it is shows once the job is leased.
                j.imageExisted = true;
            }
        } catch (RuntimeException e) {
            refuseJob(j, Refusal.Kind.PROVIDER_UNAVAILABLE, "could not check image names in " + scope + ": "
                    + e.getMessage());
            return;
        }
        if (!settings.coordination().reserveName(scope, job.imageName(), plan.runId())) {
            refuseJob(j, Refusal.Kind.NAME_TAKEN, "the image name '" + job.imageName() + "' is reserved by another"
                    + " run in " + scope);
            return;
        }
        Set<String> keys = new LinkedHashSet<>();
        for (Reservation r : ledger.reservationsFor(target, j.demand)) {
            keys.add(r.key().toString());
        }
        j.quotaKeys = Set.copyOf(keys);
        for (LimitKey k : j.budget.limits().keySet()) {
            keys.add(k.toString());
            keys.add(new LimitKey(k.scopeKey(), "rate:" + k.name()).toString());
        }
        j.keys = keys;
        if (settings.reuseBuilds()) {
            j.buildKey = BuildKeys.of(j.job);
        }
        move(j, JobState.WAITING, "");
        enqueue(j);
    }

    private static String nameTaken(JobRun j, String scope) {
        return "an image named '" + j.job.imageName() + "' already exists in " + scope
                + "; change the naming template or deregister it";
    }

    /** Queues a WAITING job, or cancels it when a dependency already ended without success. */
    private void enqueue(JobRun j) {
        j.waitingSinceNanos = time.nanoTime();
        JobId failedDependency = waiting.add(j);
        if (failedDependency != null) {
            j.message = "dependency " + failedDependency + " ended " + jobs.get(failedDependency).state;
            move(j, JobState.CANCELLED, j.message);
        }
    }

    /** The packer process a crashed run left behind, if it still runs: killed with its whole tree. */
    private void stopLeftoverProcess(JobRun j) {
        if (j.leftoverPid <= 0) {
            return;
        }
        ProcessHandle.of(j.leftoverPid)
                .filter(p -> p.info().command().map(c -> c.contains("packer")).orElse(false))
                .ifPresent(p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    LOG.warn("{}: killed packer process {} left by the crashed run", j.job.id(), j.leftoverPid);
                });
    }

    private void refuseJob(JobRun j, Refusal.Kind kind, String message) {
        refuse(new Refusal(j.job.id().value(), kind, message));
        fail(j, kind == Refusal.Kind.NAME_TAKEN ? FailureClass.NAME_COLLISION
                : kind == Refusal.Kind.QUOTA_NEVER_FITS ? FailureClass.QUOTA
                : kind == Refusal.Kind.CREDENTIALS ? FailureClass.AUTH : FailureClass.UNKNOWN, message);
    }

    private void refuse(Refusal r) {
        refusals.add(r);
        emit(new KilnEvent.Refused(time.now(), plan.runId(), r.subject(), r.kind().name(), r.message()));
    }

    // ---------------------------------------------------------------- the loop

    private void loop() {
        while (true) {
            drainMailbox();
            runDueTimers();
            if (cancelRequested && !cancelHandled) {
                cancelEverything();
            }
            if (allTerminal()) {
                return;
            }
            long next = cancelHandled ? Long.MAX_VALUE : admit();
            sampleBudgets(false);
            if (!mailbox.isEmpty()) {
                continue;
            }
            long deadline = Math.min(next, timers.isEmpty() ? Long.MAX_VALUE : timers.peek().at);
            if (deadline == Long.MAX_VALUE && running == 0 && pendingCalls == 0) {
                if (failStuckJobs()) {
                    continue;
                }
            }
            if (deadline <= time.nanoTime()) {
                continue;
            }
            try {
                time.await(wakeup, deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancelRequested = true;
            }
        }
    }

    private void drainMailbox() {
        Runnable task;
        while ((task = mailbox.poll()) != null) {
            task.run();
        }
    }

    private void runDueTimers() {
        long now = time.nanoTime();
        while (!timers.isEmpty() && timers.peek().at <= now) {
            timers.poll().task.run();
            drainMailbox();
        }
    }

    private boolean allTerminal() {
        return waiting.isEmpty() && running == 0 && pendingCalls == 0
                && jobs.values().stream().allMatch(j -> j.state.isTerminal());
    }

    /**
     * Starts every waiting job that can start; returns the earliest time a budget wait ends.
     * Groups are visited in the order of their first jobs; a job short of something claims it, so
     * no later job needing the same thing overtakes it, while jobs needing other things go ahead.
     */
    private long admit() {
        long now = time.nanoTime();
        long earliest = Long.MAX_VALUE;
        Set<String> claimed = new java.util.HashSet<>();
        for (WaitingQueue.Group group : waiting.groups()) {
            if (running >= settings.hostSlots()) {
                setWait(group.head(), "waiting for a host slot (" + settings.hostSlots() + " builds at once)");
                break;
            }
            if (!java.util.Collections.disjoint(group.keys, claimed)) {
                setWait(group.head(), "queued behind higher-priority builds");
                continue;
            }
            while (!group.jobs.isEmpty() && running < settings.hostSlots()) {
                JobRun j = group.head();
                if (!ownsTheBuild(j)) {
                    continue;
                }
                Admission a = tryAdmit(j);
                if (a.admitted()) {
                    waiting.remove(j);
                    startBuild(j);
                    continue;
                }
                claimed.addAll(a.shortOf());
                setWait(j, a.reason());
                if (a.waitNanos() > 0) {
                    earliest = Math.min(earliest, now + a.waitNanos());
                }
                break;
            }
        }
        return earliest;
    }

    /** Reserves the job's quota, then its limits; all or nothing. */
    private Admission tryAdmit(JobRun j) {
        if (!ledger.tryReserve(j.quotaHolder, j.job.target(), j.demand)) {
            QuotaVerdict v = ledger.estimate(j.job.target(), j.demand);
            String metric = v instanceof QuotaVerdict.Later later ? later.metric() : "quota";
            return Admission.untilRelease(j.quotaKeys, "waiting for " + metric + " quota on " + j.job.target().key());
        }
        Admission a = limits.tryAdmit(j.holder, j.budget, List.of());
        if (a.admitted()) {
            j.quotaHeld = true;
        } else {
            ledger.release(j.quotaHolder);
        }
        return a;
    }

    private void setWait(JobRun j, String reason) {
        if (!reason.equals(j.waitReason)) {
            j.waitReason = reason;
            emit(new KilnEvent.JobWaiting(time.now(), plan.runId(), j.job.id().value(), reason));
        }
    }

    /** Nothing runs, nothing is scheduled, yet jobs wait: they wait for something that cannot come. */
    private boolean failStuckJobs() {
        if (waiting.isEmpty()) {
            return false;
        }
        for (JobRun j : waiting.jobs()) {
            if (j.state != JobState.WAITING) {
                continue; // cancelled already, as the dependent of a job failed here
            }
            waiting.remove(j);
            j.waitedNanos += time.nanoTime() - j.waitingSinceNanos;
            fail(j, FailureClass.QUOTA, "can never start: " + j.waitReason + " and nothing running will free it");
        }
        return true;
    }

    // ---------------------------------------------------------------- builds

    private void startBuild(JobRun j) {
        long now = time.nanoTime();
        j.waitedNanos += now - j.waitingSinceNanos;
        j.attempt++;
        j.waitReason = "";
        move(j, JobState.RUNNING, "attempt " + j.attempt);
        running++;
        j.startedNanos = now;
        Path jobDir = runDirectory.resolve("jobs").resolve(j.slug());
        Path workspace = jobDir.resolve("attempt-" + j.attempt);
        Path log = jobDir.resolve("attempt-" + j.attempt + ".log");
        if (settings.runner().needsWorkspace()) {
            createPrivateDirectories(workspace);
        }
        Budget budget = new Budget(j.budget.pollCallsPerMinute(), minFactor(j));
        Map<String, String> env;
        try {
            env = j.provider.packerEnv(j.job.target(), budget);
        } catch (RuntimeException e) {
            env = Map.of();
            LOG.warn("provider {} gave no packer environment for {}: {}", j.provider.id(), j.job.id(), e.getMessage());
        }
        Map<String, Double> budgetView = new LinkedHashMap<>();
        j.budget.ratePerSecond().forEach((k, v) -> budgetView.put(k.name(), v * 60));
        emit(new KilnEvent.BuildStarted(time.now(), plan.runId(), j.job.id().value(), j.attempt, j.job.imageName(),
                j.job.buildId(), j.job.target().key(), log, budgetView, j.demand.amounts()));
        Map<String, String> variables = new LinkedHashMap<>(j.job.image().variables());
        variables.put("kiln_run_id", plan.runId());
        // The dead man's switch: templates tag what they create with this, and `kiln sweep --expired`
        // removes it once passed, even if no Kiln process survives to sweep.
        variables.put("kiln_expires_at", String.valueOf(time.now().plus(j.job.timeout()).plus(EXPIRY_MARGIN)
                .getEpochSecond()));
        BuildRequest request = new BuildRequest(j.job, j.attempt, workspace, log, env, variables,
                j.job.image().sensitive(), j.job.timeout(), settings.gracePeriod(), this);
        int attempt = j.attempt;
        try {
            j.handle = settings.runner().start(request, new Callbacks(j, attempt));
            j.handle.pid().ifPresent(pid -> emit(new KilnEvent.BuildProcess(time.now(), plan.runId(),
                    j.job.id().value(), attempt, pid)));
        } catch (RuntimeException e) {
            post(() -> buildExited(j, attempt, new BuildExit(-1, List.of(), List.of(String.valueOf(e.getMessage())),
                    false, false, Optional.of(FailureClass.UNKNOWN))));
        }
    }

    private double minFactor(JobRun j) {
        double f = 1.0;
        for (LimitKey k : j.budget.limits().keySet()) {
            f = Math.min(f, limits.factor(k));
        }
        return f;
    }

    private final class Callbacks implements BuildCallbacks {
        private final JobRun job;
        private final int attempt;

        Callbacks(JobRun job, int attempt) {
            this.job = job;
            this.attempt = attempt;
        }

        @Override
        public void onEvent(PackerEvent event) {
            String kind;
            String text;
            if (event instanceof PackerEvent.Say say) {
                kind = "say";
                text = say.text();
            } else if (event instanceof PackerEvent.Error err) {
                kind = "error";
                text = err.text();
            } else {
                return;
            }
            post(() -> emit(new KilnEvent.PackerOutput(event.at(), plan.runId(), job.job.id().value(), attempt, kind,
                    text)));
        }

        @Override
        public void onThrottle(String api) {
            post(() -> throttledBuild(job, api));
        }

        @Override
        public void onExit(BuildExit exit) {
            post(() -> buildExited(job, attempt, exit));
        }
    }

    private void throttledBuild(JobRun j, String api) {
        Set<LimitKey> keys = new LinkedHashSet<>();
        if (api != null && j.limits != null) {
            for (Charge c : j.limits.chargesFor(api)) {
                j.limits.limit(c.limit()).ifPresent(l -> keys.add(LimitKey.of(j.job.target(), l)));
            }
        }
        if (keys.isEmpty()) {
            for (var e : j.budget.limits().entrySet()) {
                if (!(e.getValue().spec() instanceof LimitSpec.Concurrency)) {
                    keys.add(e.getKey());
                }
            }
        }
        for (LimitKey key : keys) {
            throttled(key, "packer build " + j.job.id() + (api == null ? "" : " (" + api + ")"));
        }
    }

    /** A throttle seen anywhere (build output, provider call): slow the limit down. */
    public void throttled(LimitKey key, String source) {
        throttles++;
        emit(new KilnEvent.ThrottleObserved(time.now(), plan.runId(), key.toString(), source));
        long due = limits.throttled(key);
        if (due > 0 && (recoveryDue < 0 || due < recoveryDue)) {
            recoveryDue = due;
            schedule(due, this::recoverRates);
        }
    }

    private void recoverRates() {
        recoveryDue = -1;
        long next = limits.recover();
        if (next > 0) {
            recoveryDue = next;
            schedule(next, this::recoverRates);
        }
    }

    private void buildExited(JobRun j, int attempt, BuildExit exit) {
        if (j.attempt != attempt || j.state != JobState.RUNNING) {
            LOG.warn("ignoring a late exit of {} attempt {}", j.job.id(), attempt);
            return;
        }
        j.handle = null;
        j.ranNanos += time.nanoTime() - j.startedNanos;
        j.artifacts = exit.artifacts();
        limits.finished(j.holder, j.budget);
        running--;
        if (exit.succeeded()) {
            emit(new KilnEvent.BuildEnded(time.now(), plan.runId(), j.job.id().value(), attempt, true, null, "",
                    exit.artifacts()));
            callProvider(() -> j.provider.verifyArtifact(j.job, exit.artifacts()), check -> verified(j, check),
                    e -> verified(j, ArtifactCheck.failed("verification failed: " + e.getMessage())));
            return;
        }
        FailureClass failure = exit.timedOut() ? FailureClass.TIMED_OUT
                : exit.failure().orElseGet(() -> settings.classifier().apply(exit));
        String message = exit.timedOut() ? "killed after its timeout of " + j.job.timeout()
                : exit.cancelled() ? "cancelled"
                : exit.errors().isEmpty() ? exitMessage(exit.exitCode())
                : exit.errors().get(exit.errors().size() - 1);
        emit(new KilnEvent.BuildEnded(time.now(), plan.runId(), j.job.id().value(), attempt, false,
                exit.cancelled() ? null : failure, message, exit.artifacts()));
        if (!exit.cancelled()) {
            j.failure = failure;
            j.message = message;
        }
        sweepThenDecide(j);
    }

    private static final List<String> SIGNALS = List.of("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM");

    /**
     * How packer ended, when it said nothing: a process killed by a signal exits with 128 + the
     * signal's number, and "killed by SIGKILL" tells an OOM killer or an operator's kill -9 where
     * "exited with code 137" does not.
     */
    static String exitMessage(int code) {
        if (code > 128 && code <= 128 + SIGNALS.size()) {
            int signal = code - 128;
            return "packer was killed by signal " + signal + " (SIG" + SIGNALS.get(signal - 1) + ")";
        }
        return "packer exited with code " + code;
    }

    private void verified(JobRun j, ArtifactCheck check) {
        emit(new KilnEvent.ArtifactVerified(time.now(), plan.runId(), j.job.id().value(), check.verified(),
                check.problems()));
        if (check.ok()) {
            j.verified = check.verified();
            releaseQuota(j);
            j.failure = null;
            j.message = "";
            move(j, JobState.SUCCEEDED, "verified " + String.join(", ", check.verified()));
            return;
        }
        j.failure = FailureClass.ARTIFACT_UNVERIFIED;
        j.message = String.join("; ", check.problems());
        sweepThenDecide(j);
    }

    private void sweepThenDecide(JobRun j) {
        move(j, JobState.SWEEPING, j.failure == null ? "" : j.failure.name());
        if (j.leaseLost) {
            // The build id is the new lease holder's now: a sweep by it would delete that node's live
            // build. The holder swept before it started; packer, interrupted, cleans up its own. The
            // job goes back to waiting, where it watches the new holder and takes its outcome.
            releaseQuota(j);
            j.leaseLost = false;
            if (cancelRequested) {
                move(j, JobState.CANCELLED, "lease lost while the run was cancelled");
                return;
            }
            j.cancelRequested = false;
            j.failure = null;
            move(j, JobState.RETRY_WAIT, "lease lost: another node builds it now");
            move(j, JobState.WAITING, "watching the node that took it over");
            enqueue(j);
            return;
        }
        FailureClass failure = j.failure;
        callProvider(() -> failure == null ? Optional.<String>empty() : j.provider.diagnose(j.job, failure),
                diagnosis -> {
                    diagnosis.ifPresent(d -> j.diagnosis = d);
                    callProvider(() -> j.provider.sweep(j.job.target(), j.job.buildId()),
                            report -> swept(j, report),
                            e -> swept(j, new SweepReport(List.of(), List.of("sweep failed: " + e.getMessage()))));
                },
                e -> callProvider(() -> j.provider.sweep(j.job.target(), j.job.buildId()),
                        report -> swept(j, report),
                        e2 -> swept(j, new SweepReport(List.of(), List.of("sweep failed: " + e2.getMessage())))));
    }

    private void swept(JobRun j, SweepReport report) {
        j.swept.addAll(report.deleted());
        emit(new KilnEvent.Swept(time.now(), plan.runId(), j.job.id().value(), j.job.buildId(), report.deleted(),
                report.failed()));
        if (!report.clean() && j.sweeps < SWEEP_RETRIES) {
            // A cloud API failing now (a 5xx storm) must not leave the build's resources behind: try
            // again after a backoff.
            j.sweeps++;
            schedule(time.nanoTime() + retryDelayNanos(j.sweeps), () -> callProvider(
                    () -> j.provider.sweep(j.job.target(), j.job.buildId()), r -> swept(j, r),
                    e -> swept(j, new SweepReport(List.of(), List.of("sweep failed: " + e.getMessage())))));
            return;
        }
        j.sweeps = 0;
        if (report.clean()) {
            releaseQuota(j);
        }
        if (cancelRequested || j.cancelRequested) {
            releaseQuota(j);
            move(j, JobState.CANCELLED, j.failure == null ? "cancelled" : "cancelled after " + j.failure);
            return;
        }
        FailureClass failure = j.failure == null ? FailureClass.UNKNOWN : j.failure;
        int allowed = plan.retryPolicy().attemptsFor(failure);
        if (j.attempt < allowed) {
            long delay = retryDelayNanos(j.attempt);
            move(j, JobState.RETRY_WAIT, failure + ", attempt " + (j.attempt + 1) + " of " + allowed + " in "
                    + Duration.ofNanos(delay).toMillis() + " ms");
            schedule(time.nanoTime() + delay, () -> {
                if (j.state == JobState.RETRY_WAIT) {
                    move(j, JobState.WAITING, "retry");
                    enqueue(j);
                }
            });
            return;
        }
        releaseQuota(j);
        move(j, JobState.FAILED, failure + ": " + j.message);
    }

    private long retryDelayNanos(int attempt) {
        long millis = backoff.apply(attempt);
        // Equal jitter: half fixed, half random, so retries of builds that failed together spread out.
        long jittered = millis / 2 + (long) (random.nextDouble() * (millis - millis / 2));
        return Duration.ofMillis(jittered).toNanos();
    }

    private void releaseQuota(JobRun j) {
        if (j.quotaHeld) {
            ledger.release(j.quotaHolder);
            j.quotaHeld = false;
        }
    }

    private void fail(JobRun j, FailureClass failure, String message) {
        j.failure = failure;
        j.message = message;
        move(j, JobState.FAILED, message);
    }

    private void cancelEverything() {
        cancelHandled = true;
        for (JobRun j : jobs.values()) {
            switch (j.state) {
                case PLANNED, QUEUED, PREFLIGHT, RETRY_WAIT -> move(j, JobState.CANCELLED, "run cancelled");
                case WAITING -> {
                    waiting.remove(j);
                    j.waitedNanos += time.nanoTime() - j.waitingSinceNanos;
                    move(j, JobState.CANCELLED, "run cancelled");
                }
                case RUNNING -> {
                    j.cancelRequested = true;
                    if (j.handle != null) {
                        j.handle.cancel();
                    }
                }
                default -> {
                }
            }
        }
    }

    // ---------------------------------------------------------------- many nodes, one run

    /**
     * Whether this node may build {@code j} now. Alone, always. In a shared run the job must be
     * leased to this node: a job leased elsewhere leaves the queue and is watched until its outcome
     * is recorded, or its lease lapses and this node takes it over, sweeping first what the lost
     * node left behind. A build identical to one another run is building (same job, template,
     * variables) waits for that build and reuses its image.
     */
    private boolean ownsTheBuild(JobRun j) {
        Coordination store = settings.coordination();
        if (distributed && j.lease == null) {
            Optional<Coordination.Lease> lease = store.tryLease(jobResource(j), settings.node(), settings.leaseTtl());
            if (lease.isEmpty()) {
                waiting.remove(j);
                watch(j, "running on another node");
                return false;
            }
            Optional<String> done = store.outcome(jobResource(j));
            if (done.isPresent()) {
                // Finished elsewhere between our watch and this lease: take that outcome.
                store.releaseLease(lease.get());
                waiting.remove(j);
                if (!takeOutcome(j, Outcome.parse(done.get()), true)) {
                    requeue(j);
                }
                return false;
            }
            j.lease = lease.get();
            holdsLease(j);
            if (j.imageExisted && j.lease.fencingToken() == 1) {
                // No node of this run ever held the job, so the image preflight found is someone else's.
                waiting.remove(j);
                j.waitedNanos += time.nanoTime() - j.waitingSinceNanos;
                String scope = j.provider.nameRule().uniquenessScope(j.job.target());
                refuseJob(j, Refusal.Kind.NAME_TAKEN, nameTaken(j, scope));
                return false;
            }
            if (j.lease.fencingToken() > 1 && !j.sweptBeforeStart) {
                waiting.remove(j);
                j.sweptBeforeStart = true;
                callProvider(() -> j.provider.sweep(j.job.target(), j.job.buildId()), report -> {
                    emit(new KilnEvent.Swept(time.now(), plan.runId(), j.job.id().value(), j.job.buildId(),
                            report.deleted(), report.failed()));
                    requeue(j);
                }, e -> requeue(j));
                return false;
            }
        }
        if (j.buildKey != null && j.buildLease == null) {
            Optional<Coordination.Lease> build = store.tryLease(buildResource(j), settings.node() + "/" + plan.runId(),
                    settings.leaseTtl());
            if (build.isEmpty()) {
                waiting.remove(j);
                watch(j, "an identical build of another run is in progress");
                return false;
            }
            j.buildLease = build.get();
            holdsLease(j);
        }
        return true;
    }

    /**
     * The probe with the usage the shared run's first probe of its target saw. The ledger counts a
     * probe's usage as outside the run; a node joining after others started building would count
     * their instances twice (as usage, and as the reservations they hold) and refuse builds that fit.
     * The first node to probe a target records its usage in the store; later nodes take it.
     */
    private QuotaSnapshot asFirstProbed(QuotaSnapshot probe) {
        Coordination store = settings.coordination();
        String resource = "probe:" + plan.runId() + ":" + probe.target().key();
        Optional<String> first = store.outcome(resource);
        if (first.isEmpty()) {
            Optional<Coordination.Lease> lease = store.tryLease(resource, settings.node(), settings.leaseTtl());
            if (lease.isEmpty()) {
                return probe; // another node is recording a probe as early as this one
            }
            first = store.outcome(resource);
            if (first.isEmpty()) {
                Map<String, Long> usage = new LinkedHashMap<>();
                probe.quotas().forEach((metric, q) -> usage.put(metric, q.usage()));
                store.complete(lease.get(), Outcome.write(usage));
                return probe;
            }
            store.releaseLease(lease.get());
        }
        Map<String, Object> usage = Outcome.read(first.get());
        Map<String, Quota> quotas = new LinkedHashMap<>();
        probe.quotas().forEach((metric, q) -> quotas.put(metric, usage.get(metric) instanceof Number n
                ? new Quota(q.metric(), q.scope(), q.limit(), n.longValue()) : q));
        return new QuotaSnapshot(probe.target(), probe.at(), quotas);
    }

    private void requeue(JobRun j) {
        if (j.state == JobState.WAITING) {
            waiting.add(j);
        }
    }

    private void watch(JobRun j, String reason) {
        watched.add(j);
        j.watchedSince = time.now();
        setWait(j, reason);
        if (!watching) {
            watching = true;
            schedule(time.nanoTime() + settings.watchInterval().toNanos(), this::checkWatched);
        }
    }

    /** Jobs built elsewhere: take their recorded outcome, or put them back to try their leases again. */
    private void checkWatched() {
        watching = false;
        for (JobRun j : List.copyOf(watched)) {
            watched.remove(j);
            if (j.state != JobState.WAITING) {
                continue;
            }
            boolean elsewhere = distributed && j.lease == null;
            String resource = elsewhere ? jobResource(j) : buildResource(j);
            Optional<Outcome> outcome = settings.coordination().outcome(resource).map(Outcome::parse);
            if (outcome.isPresent() && (elsewhere || outcome.get().recordedSince(j.watchedSince))
                    && takeOutcome(j, outcome.get(), elsewhere)) {
                continue;
            }
            waiting.add(j);
        }
    }

    /** Ends a watched job with what another node or run recorded; false when it must be built here. */
    private boolean takeOutcome(JobRun j, Outcome outcome, boolean sameRun) {
        JobState state = outcome.state();
        String by = outcome.by(sameRun);
        if (state == JobState.SUCCEEDED) {
            j.waitedNanos += time.nanoTime() - j.waitingSinceNanos;
            j.verified = new ArrayList<>(outcome.verified());
            j.message = sameRun ? "" : "reused the identical build of " + by;
            move(j, JobState.SUCCEEDED, "built by " + by + ": " + String.join(", ", j.verified));
            return true;
        }
        if (state == JobState.FAILED && sameRun) {
            j.waitedNanos += time.nanoTime() - j.waitingSinceNanos;
            j.failure = outcome.failure() == null ? FailureClass.UNKNOWN : outcome.failure();
            j.message = "failed on " + by + ": " + outcome.message();
            move(j, JobState.FAILED, j.message);
            return true;
        }
        return false;
    }

    /** Records a job's end in the store, where the other nodes (and runs) watching it find it. */
    private void recordOutcome(JobRun j) {
        Coordination store = settings.coordination();
        if (j.lease != null) {
            if (j.state == JobState.CANCELLED) {
                // Stopping here is not an outcome for the others: another node may build it.
                store.releaseLease(j.lease);
            } else if (!store.complete(j.lease, outcomeOf(j))) {
                LOG.warn("{}: the lease was lost before the outcome could be recorded", j.job.id());
            }
            j.lease = null;
        }
        if (j.buildLease != null) {
            if (j.state == JobState.CANCELLED) {
                store.releaseLease(j.buildLease);
            } else {
                store.complete(j.buildLease, outcomeOf(j));
            }
            j.buildLease = null;
        }
    }

    private String outcomeOf(JobRun j) {
        return new Outcome(j.state, settings.node(), plan.runId(), j.job.id().value(), j.job.imageName(), j.failure,
                j.message, j.verified, time.now()).toJson();
    }

    private String jobResource(JobRun j) {
        return "job:" + plan.runId() + ":" + j.job.id().value();
    }

    private static String buildResource(JobRun j) {
        return "build:" + j.buildKey;
    }

    /** This node is alive: its reservations stand. Repeats a few times per time to live. */
    private void heartbeat() {
        settings.coordination().heartbeat(settings.node(), settings.leaseTtl());
        if (!allTerminal()) {
            schedule(time.nanoTime() + settings.leaseTtl().toNanos() / 3, this::heartbeat);
        }
    }

    /**
     * Keeps this node's leases alive while their jobs are not done, all in one call to the store
     * every third of their time to live; a job lease lost stops its build.
     */
    private void renewLeases() {
        if (renewing) {
            return;
        }
        renewing = true;
        schedule(time.nanoTime() + settings.leaseTtl().toNanos() / 3, () -> {
            renewing = false;
            leaseHolders.removeIf(j -> j.state.isTerminal() || j.lease == null && j.buildLease == null);
            Map<Coordination.Lease, JobRun> held = new LinkedHashMap<>();
            for (JobRun j : leaseHolders) {
                if (j.lease != null) {
                    held.put(j.lease, j);
                }
                if (j.buildLease != null) {
                    held.put(j.buildLease, j);
                }
            }
            if (held.isEmpty()) {
                return;
            }
            for (Coordination.Lease lost : settings.coordination().renewAll(held.keySet(), settings.leaseTtl())) {
                JobRun j = held.get(lost);
                if (lost.equals(j.lease)) {
                    lostLease(j);
                }
            }
            renewLeases();
        });
    }

    /** {@code j} holds a lease now: it is renewed until released. */
    private void holdsLease(JobRun j) {
        leaseHolders.add(j);
        renewLeases();
    }

    private void lostLease(JobRun j) {
        LOG.warn("{}: lease lost; another node builds it now", j.job.id());
        j.lease = null;
        if (j.state == JobState.RUNNING) {
            j.leaseLost = true;
            j.cancelRequested = true;
            if (j.handle != null) {
                j.handle.cancel();
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    private <T> void callProvider(Supplier<T> call, Consumer<T> then, Consumer<RuntimeException> onError) {
        if (settings.providerExecutor() == null) {
            T result;
            try {
                result = call.get();
            } catch (RuntimeException e) {
                onError.accept(e);
                return;
            }
            then.accept(result);
            return;
        }
        pendingCalls++;
        settings.providerExecutor().execute(() -> {
            try {
                T result = call.get();
                post(() -> {
                    pendingCalls--;
                    then.accept(result);
                });
            } catch (RuntimeException e) {
                post(() -> {
                    pendingCalls--;
                    onError.accept(e);
                });
            }
        });
    }

    /** Runs {@code task} on the loop thread; safe from any thread. */
    public void post(Runnable task) {
        mailbox.add(task);
        wakeup.signal();
    }

    @Override
    public TimeSource time() {
        return time;
    }

    @Override
    public void schedule(long atNanos, Runnable task) {
        timers.add(new Timer(atNanos, timerSeq++, task));
    }

    private void move(JobRun j, JobState next, String reason) {
        JobState from = j.state;
        j.enter(next, time.now(), reason);
        emit(new KilnEvent.JobStateChanged(time.now(), plan.runId(), j.job.id().value(), from, next, j.attempt,
                reason));
        if (next.isTerminal()) {
            recordOutcome(j);
            for (JobRun dependent : waiting.ended(j)) {
                waiting.remove(dependent);
                dependent.waitedNanos += time.nanoTime() - dependent.waitingSinceNanos;
                dependent.message = "dependency " + j.job.id() + " ended " + next;
                move(dependent, JobState.CANCELLED, dependent.message);
            }
        }
    }

    private void emit(KilnEvent event) {
        for (KilnListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("listener {} failed on {}: {}", l, event.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private void sampleBudgets(boolean force) {
        if (settings.sampleInterval() == null) {
            return;
        }
        long now = time.nanoTime();
        if (!force && lastSample != Long.MIN_VALUE && now - lastSample < settings.sampleInterval().toNanos()) {
            return;
        }
        lastSample = now;
        Instant at = time.now();
        for (RunLimits.LimitLevel level : limits.levels()) {
            emit(new KilnEvent.BudgetSample(at, plan.runId(), level.key().toString(), level.available(),
                    level.capacity(), level.runningRate(), level.ratePerSecond()));
        }
    }

    private RunResult finish() {
        sampleBudgets(true);
        List<JobResult> results = new ArrayList<>();
        Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
        for (JobRun j : jobs.values()) {
            if (j.state != JobState.SUCCEEDED && j.provider != null) {
                settings.coordination().releaseName(j.provider.nameRule().uniquenessScope(j.job.target()),
                        j.job.imageName(), plan.runId());
            }
            counts.merge(j.state, 1, Integer::sum);
            results.add(new JobResult(j.job, j.state, j.attempt, j.failure, j.message, j.artifacts, j.verified,
                    j.history, Optional.ofNullable(j.diagnosis), Duration.ofNanos(j.waitedNanos),
                    Duration.ofNanos(j.ranNanos), j.swept));
        }
        Instant finishedAt = time.now();
        emit(new KilnEvent.RunFinished(finishedAt, plan.runId(), counts,
                Duration.between(startedAt, finishedAt).toMillis()));
        return new RunResult(plan.runId(), plan.name(), runDirectory, startedAt, finishedAt, results, refusals,
                throttles, cancelRequested);
    }

    private void createRunDirectory() {
        createPrivateDirectories(runDirectory);
    }

    /** Creates {@code dir} and every missing parent 0700: jobs/ and jobs/&lt;job&gt;/ too, not only the leaf. */
    private static void createPrivateDirectories(Path dir) {
        try {
            Path absolute = dir.toAbsolutePath();
            java.util.Deque<Path> missing = new java.util.ArrayDeque<>();
            for (Path d = absolute; d != null && !Files.isDirectory(d); d = d.getParent()) {
                missing.push(d);
            }
            Files.createDirectories(absolute);
            boolean posix = Files.getFileAttributeView(absolute, java.nio.file.attribute.PosixFileAttributeView.class)
                    != null;
            if (posix) {
                missing.add(absolute);
                for (Path d : missing) {
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
                }
            }
        } catch (IOException e) {
            throw new KilnException("cannot create the run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private record Timer(long at, long seq, Runnable task) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
