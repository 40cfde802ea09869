package dev.kiln.internal.run;

import dev.kiln.event.KilnEvent;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.limits.Charge;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitSpec;
import dev.kiln.packer.PackerEvent;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.BuildCallbacks;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.BuildHandle;
import dev.kiln.spi.BuildNetwork;
import dev.kiln.spi.BuildRequest;
import dev.kiln.spi.SweepReport;
import dev.kiln.time.TimeSource;
import io.github.resilience4j.core.IntervalFunction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One build's life once admitted: packer starts, its output and throttles are heard, it exits;
 * a success is verified, a failure classified, diagnosed and swept (a sweep that leaves something
 * behind is tried again), then the job is retried after a backoff or ends.
 */
final class BuildSupervisor {

    private static final Logger LOG = LoggerFactory.getLogger(BuildSupervisor.class);
    /**
     * Builds starting at once, at most: a start is mostly the kernel's and the disk's work (a
     * snapshot copied, packer spawned), so a few overlap well on two cores, and a fleet admitted at
     * once does not take a thread per build.
     */
    private static final int STARTS_AT_ONCE = 4;
    /** How a build whose start was still queued when it was cancelled ends. */
    private static final BuildExit NOT_STARTED_CANCELLED = new BuildExit(-1, List.of(), List.of(), false, true,
            Optional.empty());
    /** How long after its timeout a build's resources count as abandoned. */
    private static final Duration EXPIRY_MARGIN = Duration.ofHours(1);
    /** Sweeps of a build tried again when one leaves something behind, before the rest is reported. */
    private static final int SWEEP_RETRIES = 2;
    private static final List<String> SIGNALS = List.of("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM");

    private final RunContext run;
    private final Throttles throttles;
    private final Random random;
    private final IntervalFunction backoff;
    /** Where builds start when the runner starts them side by side; null: on the loop's thread. */
    private final Executor starter;
    private final Deque<Start> queuedStarts = new ArrayDeque<>();
    /** Starts handed to the starter whose handle has not reached the loop yet. */
    private int starting;
    private int running;

    BuildSupervisor(RunContext run, Throttles throttles) {
        this.run = run;
        this.throttles = throttles;
        this.starter = run.settings().runner().startsConcurrently() ? run.settings().providerExecutor() : null;
        this.random = new Random(run.scheduling().seed());
        RetryPolicy policy = run.plan().retryPolicy();
        this.backoff = IntervalFunction.ofExponentialBackoff(
                Math.max(1, policy.initialBackoff().toMillis()), policy.multiplier(),
                Math.max(1, policy.maxBackoff().toMillis()));
    }

    /** Builds running now (packer started, not yet exited). */
    int running() {
        return running;
    }

    /** Starts an admitted job's next attempt. */
    void start(JobRun j) {
        TimeSource time = run.time();
        j.start();
        running++;
        int attempt = j.attempt();
        Path jobDir = run.runDirectory().resolve("jobs").resolve(j.slug());
        Path workspace = jobDir.resolve("attempt-" + attempt);
        Path log = jobDir.resolve("attempt-" + attempt + ".log");
        Budget budget = new Budget(j.budget().pollCallsPerMinute(), minFactor(j));
        Map<String, String> env;
        try {
            env = j.provider().packerEnv(j.job().target(), budget);
        } catch (RuntimeException e) {
            env = Map.of();
            LOG.warn("provider {} gave no packer environment for {}: {}", j.provider().id(), j.job().id(),
                    e.getMessage());
        }
        Map<String, Double> budgetView = new LinkedHashMap<>();
        j.budget().ratePerSecond().forEach((k, v) -> budgetView.put(k.name(), v * 60));
        run.emit(new KilnEvent.BuildStarted(time.now(), run.runId(), j.id(), attempt, j.job().imageName(),
                j.job().buildId(), j.job().target().key(), log, budgetView, j.demand().amounts()));
        // The job's own variables travel in its connection; these are the run's.
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("kiln_run_id", run.runId());
        // The dead man's switch: templates tag what they create with this, and `kiln sweep --expired`
        // removes it once passed, even if no Kiln process survives to sweep.
        variables.put("kiln_expires_at", String.valueOf(time.now().plus(j.job().timeout()).plus(EXPIRY_MARGIN)
                .getEpochSecond()));
        List<String> secrets = List.of();
        try {
            if (j.metered()) {
                MeteredCalls meter = new MeteredCalls(run, j, attempt, this::throttled);
                BuildNetwork.Connection connection = run.network().connect(j.job().buildId() + "-" + attempt, meter);
                j.connected(connection, meter);
                Map<String, String> withNetwork = new LinkedHashMap<>(env);
                withNetwork.putAll(connection.env());
                env = withNetwork;
                secrets = connection.secrets();
            }
        } catch (RuntimeException e) {
            run.post(() -> exited(j, attempt, new BuildExit(-1, List.of(), List.of("could not connect build "
                    + j.job().id() + " to Kiln's network: " + e.getMessage()), false, false,
                    Optional.of(FailureClass.UNKNOWN))));
            return;
        }
        BuildRequest request = new BuildRequest(j.job(), attempt, workspace, log, env, variables,
                j.job().image().sensitive(), j.job().timeout(), run.scheduling().gracePeriod(), run.timers(),
                secrets);
        if (starter == null) {
            BuildHandle handle;
            try {
                handle = launch(request, new Callbacks(j, attempt, true));
            } catch (RuntimeException e) {
                run.post(() -> exited(j, attempt, couldNotStart(e)));
                return;
            }
            started(j, attempt, handle);
            return;
        }
        queuedStarts.add(new Start(j, attempt, request, new Callbacks(j, attempt, false)));
        startQueued();
    }

    /** The slow part of a start: the workspace, then the runner's (for packer: snapshot copy, var-file, spawn). */
    private BuildHandle launch(BuildRequest request, BuildCallbacks callbacks) {
        if (run.settings().runner().needsWorkspace()) {
            PrivateDirectories.create(request.workspace());
        }
        return run.settings().runner().start(request, callbacks);
    }

    /** The attempt's build is under way: its handle is what a cancel stops, its pid what a resume kills. */
    private void started(JobRun j, int attempt, BuildHandle handle) {
        j.running(handle);
        handle.pid().ifPresent(pid -> run.emit(new KilnEvent.BuildProcess(run.time().now(), run.runId(), j.id(),
                attempt, pid)));
        if (j.cancelRequested()) {
            // cancelled, or its lease lost, while it was starting: nothing could stop it until now
            handle.cancel();
        }
    }

    private static BuildExit couldNotStart(RuntimeException e) {
        return new BuildExit(-1, List.of(), List.of(String.valueOf(e.getMessage())), false, false,
                Optional.of(FailureClass.UNKNOWN));
    }

    /**
     * Hands queued starts to the starter while fewer than {@link #STARTS_AT_ONCE} are under way. A
     * job cancelled (or its run) while its start was queued does not start: it ends as a cancelled
     * build would.
     */
    private void startQueued() {
        while (starting < STARTS_AT_ONCE && !queuedStarts.isEmpty()) {
            Start s = queuedStarts.poll();
            if (s.job.cancelRequested() || run.cancelRequested()) {
                s.callbacks.returned(() -> exited(s.job, s.attempt, NOT_STARTED_CANCELLED));
                continue;
            }
            starting++;
            try {
                starter.execute(() -> startOffLoop(s));
            } catch (RejectedExecutionException e) {
                starting--;
                s.callbacks.returned(() -> exited(s.job, s.attempt, couldNotStart(new RejectedExecutionException(
                        "Kiln is closing; build " + s.job.id() + " was not started", e))));
            }
        }
    }

    /** On the starter's thread: the start, then its handle (or failure) posted to the loop. */
    private void startOffLoop(Start s) {
        BuildHandle handle;
        try {
            handle = launch(s.request, s.callbacks);
        } catch (RuntimeException e) {
            s.callbacks.returned(() -> {
                startEnded();
                exited(s.job, s.attempt, couldNotStart(e));
            });
            return;
        }
        s.callbacks.returned(() -> {
            startEnded();
            started(s.job, s.attempt, handle);
        });
    }

    private void startEnded() {
        starting--;
        startQueued();
    }

    private record Start(JobRun job, int attempt, BuildRequest request, Callbacks callbacks) {
    }

    private double minFactor(JobRun j) {
        double f = 1.0;
        for (LimitKey k : j.budget().limits().keySet()) {
            f = Math.min(f, run.limits().factor(k));
        }
        return f;
    }

    private final class Callbacks implements BuildCallbacks {
        private final JobRun job;
        private final int attempt;
        /** Whether the start returned and its handle went to the loop; an exit heard before waits for it. */
        private boolean handedBack;
        private BuildExit earlyExit;

        Callbacks(JobRun job, int attempt, boolean handedBack) {
            this.job = job;
            this.attempt = attempt;
            this.handedBack = handedBack;
        }

        /**
         * The start returned: {@code onLoop} (recording its handle or failure) is posted, then the
         * exit if one came first, so the loop hears of a build's process before its end.
         */
        synchronized void returned(Runnable onLoop) {
            handedBack = true;
            run.post(onLoop);
            if (earlyExit != null) {
                BuildExit exit = earlyExit;
                earlyExit = null;
                run.post(() -> exited(job, attempt, exit));
            }
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
            run.post(() -> run.emit(new KilnEvent.PackerOutput(event.at(), run.runId(), job.id(), attempt, kind,
                    text)));
        }

        @Override
        public void onThrottle(String api) {
            run.post(() -> throttled(job, api));
        }

        @Override
        public void onExit(BuildExit exit) {
            synchronized (this) {
                if (!handedBack) {
                    earlyExit = exit;
                    return;
                }
            }
            run.post(() -> exited(job, attempt, exit));
        }
    }

    private void throttled(JobRun j, String api) {
        Set<LimitKey> keys = new LinkedHashSet<>();
        if (api != null && j.limits() != null) {
            for (Charge c : j.limits().chargesFor(api)) {
                j.limits().limit(c.limit()).ifPresent(l -> keys.add(LimitKey.of(j.job().target(), l)));
            }
        }
        if (keys.isEmpty()) {
            for (var e : j.budget().limits().entrySet()) {
                if (!(e.getValue().spec() instanceof LimitSpec.Concurrency)) {
                    keys.add(e.getKey());
                }
            }
        }
        for (LimitKey key : keys) {
            throttles.observed(key, "packer build " + j.job().id() + (api == null ? "" : " (" + api + ")"));
        }
    }

    private void exited(JobRun j, int attempt, BuildExit exit) {
        if (j.attempt() != attempt || j.state() != JobState.RUNNING) {
            LOG.warn("ignoring a late exit of {} attempt {}", j.job().id(), attempt);
            return;
        }
        j.exited(exit.artifacts());
        MeteredCalls metered = j.disconnect();
        run.limits().finished(j.holder(), j.budget(), j.metered());
        running--;
        Optional<String> networkProblem = Optional.empty();
        if (metered != null) {
            run.emit(metered.summary());
            networkProblem = metered.lastProblem();
        }
        if (exit.succeeded()) {
            run.emit(new KilnEvent.BuildEnded(run.time().now(), run.runId(), j.id(), attempt, true, null, "",
                    exit.artifacts()));
            run.callProvider(() -> j.provider().verifyArtifact(j.job(), exit.artifacts()), check -> verified(j, check),
                    e -> verified(j, ArtifactCheck.failed("verification failed: " + e.getMessage())));
            return;
        }
        FailureClass failure = exit.timedOut() ? FailureClass.TIMED_OUT
                : exit.failure().orElseGet(() -> run.scheduling().classifier().apply(exit));
        // A call Kiln's network could not carry says what went wrong better than packer's retelling of it.
        String message = exit.timedOut() ? "killed after its timeout of " + j.job().timeout()
                : exit.cancelled() ? "cancelled"
                : networkProblem.isPresent() ? networkProblem.get()
                : exit.errors().isEmpty() ? exitMessage(exit.exitCode())
                : exit.errors().get(exit.errors().size() - 1);
        run.emit(new KilnEvent.BuildEnded(run.time().now(), run.runId(), j.id(), attempt, false,
                exit.cancelled() ? null : failure, message, exit.artifacts()));
        if (!exit.cancelled()) {
            j.failed(failure, message);
        }
        sweepThenDecide(j);
    }

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
        run.emit(new KilnEvent.ArtifactVerified(run.time().now(), run.runId(), j.id(), check.verified(),
                check.problems()));
        if (check.ok()) {
            releaseQuota(j);
            j.succeed(check.verified(), "", "verified " + String.join(", ", check.verified()));
            return;
        }
        j.failed(FailureClass.ARTIFACT_UNVERIFIED, String.join("; ", check.problems()));
        sweepThenDecide(j);
    }

    private void sweepThenDecide(JobRun j) {
        j.sweeping();
        if (j.leaseLost()) {
            // The build id is the new lease holder's now: a sweep by it would delete that node's live
            // build. The holder swept before it started; packer, interrupted, cleans up its own. The
            // job goes back to waiting, where it watches the new holder and takes its outcome.
            releaseQuota(j);
            if (run.cancelRequested()) {
                j.cancel("lease lost while the run was cancelled");
                return;
            }
            j.handedOver();
            return;
        }
        FailureClass failure = j.failure();
        run.callProvider(() -> failure == null ? Optional.<String>empty() : j.provider().diagnose(j.job(), failure),
                diagnosis -> {
                    diagnosis.ifPresent(j::diagnosed);
                    sweep(j);
                },
                e -> sweep(j));
    }

    private void sweep(JobRun j) {
        run.callProvider(() -> j.provider().sweep(j.job().target(), j.job().buildId()), report -> swept(j, report),
                e -> swept(j, new SweepReport(List.of(), List.of("sweep failed: " + e.getMessage()))));
    }

    private void swept(JobRun j, SweepReport report) {
        j.swept(report.deleted());
        run.emit(new KilnEvent.Swept(run.time().now(), run.runId(), j.id(), j.job().buildId(), report.deleted(),
                report.failed()));
        if (!report.clean() && j.sweepRetries() < SWEEP_RETRIES) {
            // A cloud API failing now (a 5xx storm) must not leave the build's resources behind: try
            // again after a backoff.
            run.schedule(run.time().nanoTime() + retryDelayNanos(j.retrySweep()), () -> sweep(j));
            return;
        }
        j.sweepsDone();
        if (report.clean()) {
            releaseQuota(j);
        }
        if (run.cancelRequested() || j.cancelRequested()) {
            releaseQuota(j);
            j.cancel(j.failure() == null ? "cancelled" : "cancelled after " + j.failure());
            return;
        }
        FailureClass failure = j.failure() == null ? FailureClass.UNKNOWN : j.failure();
        int allowed = run.plan().retryPolicy().attemptsFor(failure);
        if (j.attempt() < allowed) {
            long delay = retryDelayNanos(j.attempt());
            j.retrying(failure + ", attempt " + (j.attempt() + 1) + " of " + allowed + " in "
                    + Duration.ofNanos(delay).toMillis() + " ms");
            run.schedule(run.time().nanoTime() + delay, () -> {
                if (j.state() == JobState.RETRY_WAIT) {
                    j.waiting("retry");
                }
            });
            return;
        }
        releaseQuota(j);
        j.giveUp(failure + ": " + j.message());
    }

    private long retryDelayNanos(int attempt) {
        long millis = backoff.apply(attempt);
        // Equal jitter: half fixed, half random, so retries of builds that failed together spread out.
        long jittered = millis / 2 + (long) (random.nextDouble() * (millis - millis / 2));
        return Duration.ofMillis(jittered).toNanos();
    }

    private void releaseQuota(JobRun j) {
        if (j.dropQuota()) {
            run.ledger().release(j.quotaHolder());
        }
    }
}
