package dev.kiln.internal.run;

import dev.kiln.JobResult;
import dev.kiln.RunResult;
import dev.kiln.event.KilnEvent;
import dev.kiln.job.JobState;
import dev.kiln.job.StateChange;
import dev.kiln.limits.LimitKey;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.report.Reports;
import dev.kiln.report.RunReport;
import dev.kiln.spi.BuildNetwork;
import dev.kiln.spi.CloudProvider;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a plan, from its first event to its result and reports: {@link Preflight}, then the
 * {@link RunLoop} (admission and the wait) with {@link BuildSupervisor} taking each admitted build
 * through its life and {@link SharedRun} holding what is shared with other nodes and runs.
 *
 * <p>Jobs announce their moves here ({@link JobRun.Moves}): each is journalled; a job that starts
 * waiting joins the queue and leaves it when it moves on; a job that ends records its outcome for
 * other nodes and ends its waiting dependents, which can no longer start.
 */
public final class Run {

    private static final Logger LOG = LoggerFactory.getLogger(Run.class);

    private final RunContext run;
    private final TimeSource time;
    private final Inbox inbox;
    private final Journal journal;
    private final Map<JobId, JobRun> jobs = new LinkedHashMap<>();
    private final WaitingQueue waiting;
    private final Throttles throttles;
    private final SharedRun shared;
    private final Preflight preflight;
    private final RunLoop loop;
    private final Forecast forecast;
    private Instant startedAt;
    private EventLog eventLog;
    /** The run's report as its events happen, when its reports are written and it resumes nothing. */
    private RunReport.Collector reported;
    private boolean forecastJournalled;

    public Run(RunSettings settings, BuildPlan plan) {
        this(settings, plan, null);
    }

    /**
     * A run resumed from its journal: jobs the journal shows ended stay as they ended; every other
     * job runs, and those a crash caught under way are swept first.
     */
    public Run(RunSettings settings, BuildPlan plan, Journal journal) {
        this.journal = journal;
        this.time = settings.time();
        this.inbox = new Inbox(time);
        this.run = new RunContext(settings, plan, inbox);
        JobRun.Moves moves = new JobRun.Moves() {
            @Override
            public TimeSource time() {
                return time;
            }

            @Override
            public void moved(JobRun job, JobState from, StateChange change) {
                Run.this.moved(job, from, change);
            }
        };
        int index = 0;
        for (BuildJob job : plan.jobs()) {
            JobRun j = new JobRun(job, index++, plan.runId(), moves);
            if (journal != null && journal.jobs().containsKey(job.id().value())) {
                j.restore(journal.jobs().get(job.id().value()));
            }
            jobs.put(job.id(), j);
        }
        this.waiting = new WaitingQueue(jobs);
        this.throttles = new Throttles(run);
        this.shared = new SharedRun(run, waiting);
        this.preflight = new Preflight(run, shared);
        this.loop = new RunLoop(run, inbox, jobs.values(), waiting, new BuildSupervisor(run, throttles), shared);
        this.forecast = settings.scheduling().forecast() ? new Forecast(run) : null;
        if (forecast != null) {
            run.listenFirst(forecast);
        }
    }

    public String runId() {
        return run.runId();
    }

    public Path runDirectory() {
        return run.runDirectory();
    }

    /** Asks the run to stop; safe from any thread. */
    public void cancel() {
        run.requestCancel();
        inbox.signal();
    }

    /** A throttle another part of this Kiln saw (a provider's call); safe from any thread. */
    public void throttled(LimitKey key, String source) {
        inbox.post(() -> throttles.observed(key, source));
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
        RunSettings settings = run.settings();
        BuildPlan plan = run.plan();
        startedAt = time.now();
        if (settings.files().eventLog() || settings.runner().needsWorkspace()) {
            PrivateDirectories.create(run.runDirectory());
        }
        if (settings.files().eventLog()) {
            eventLog = new EventLog(run.runDirectory().resolve("events.jsonl"));
            if (journal == null && settings.files().reports() && !preflightOnly) {
                // The reports are drawn from the events as they happen, as the journal records them,
                // rather than by reading the journal back; a resumed run's journal holds earlier
                // processes' events too, so its reports are drawn from it.
                reported = RunReport.collector();
                run.listenFirst(reported);
            }
            run.listenFirst(eventLog);
        }
        RunResult result;
        try {
            run.emit(new KilnEvent.RunStarted(startedAt, plan.runId(), plan.name(), jobs.size(), run.runDirectory(),
                    settings.runner().describe(run.runDirectory())));
            if (journal == null) {
                run.emit(new KilnEvent.PlanOrigin(startedAt, plan.runId(),
                        plan.source().map(f -> f.toAbsolutePath().toString()).orElse(null), plan.createdAt(),
                        plan.gitSha()));
                templatesUsed(plan);
            } else {
                long done = jobs.values().stream().filter(j -> j.state().isTerminal()).count();
                long interrupted = jobs.values().stream().filter(JobRun::resumeSweep).count();
                run.emit(new KilnEvent.RunResumed(startedAt, plan.runId(), (int) done, jobs.size() - (int) done,
                        (int) interrupted));
            }
            for (JobRun j : jobs.values()) {
                if (!j.state().isTerminal()) {
                    j.queue(j.resumeSweep() ? "resumed: interrupted by a crash" : "");
                }
            }
            if (run.distributed()) {
                shared.heartbeat(loop::finished);
            }
            planLimits();
            if (!preflightOnly) {
                openNetwork();
            }
            preflight.check(jobs.values());
            if (preflightOnly) {
                for (JobRun j : waiting.jobs()) {
                    // cancelling one cancels the builds waiting on it too: those are done already
                    if (!j.state().isTerminal()) {
                        j.cancelBecause("preflight only: no build started");
                    }
                }
            } else {
                Forecast.Pending expected = forecast == null ? null
                        : forecast.start(jobs.values(), time.now(), made -> run.post(() -> forecastMade(made)));
                loop.run();
                if (expected != null) {
                    // made, but its post came after the loop's end; or still being made, and waited for
                    forecastMade(expected.await());
                }
            }
            result = finish();
        } finally {
            if (run.network() != null) {
                run.network().close();
            }
            if (eventLog != null) {
                eventLog.close();
            }
        }
        if (eventLog != null && settings.files().reports() && !preflightOnly) {
            writeReports();
        }
        return result;
    }

    /** Journals the forecast, once, on the loop's thread. */
    private void forecastMade(KilnEvent.RunForecast made) {
        if (made != null && !forecastJournalled) {
            forecastJournalled = true;
            run.emit(made);
        }
    }

    /** The plan's limits of each target, which the providers' own calls (quota probes first) keep to. */
    private void planLimits() {
        for (Target t : run.plan().targets()) {
            CloudProvider p = run.settings().providers().get(t.provider());
            if (p != null && !run.plan().limitOverridesFor(t).isEmpty()) {
                try {
                    run.settings().plannedLimits().accept(t, p.apiLimits(t).withOverrides(
                            run.plan().limitOverridesFor(t)));
                } catch (RuntimeException e) {
                    // preflight prices the job with the same table and refuses it with the reason
                }
            }
        }
    }

    /** Opens the run's network when it has one and a provider of the plan has API hosts to meter. */
    private void openNetwork() {
        BuildNetwork network = run.settings().network();
        if (network == null) {
            return;
        }
        Map<String, List<String>> hosts = new LinkedHashMap<>();
        for (Target t : run.plan().targets()) {
            CloudProvider p = run.settings().providers().get(t.provider());
            if (p != null && !p.apiHosts().isEmpty()) {
                hosts.put(p.id(), p.apiHosts());
            }
        }
        if (hosts.isEmpty()) {
            return;
        }
        PrivateDirectories.create(run.runDirectory());
        BuildNetwork.RunNetwork opened = network.open(new BuildNetwork.Context(run.runId(), run.runDirectory(),
                time, hosts));
        run.network(opened);
        LOG.info("run {}: packer's calls to {} go through {}", run.runId(), String.join(", ", hosts.keySet()),
                opened.describe());
    }

    /** Journals each template the plan builds from, once (issue 16, item 6). */
    private void templatesUsed(BuildPlan plan) {
        Set<Path> seen = new LinkedHashSet<>();
        for (BuildJob job : plan.jobs()) {
            Path template = job.image().template().toAbsolutePath().normalize();
            if (!seen.add(template)) {
                continue;
            }
            String sha256;
            try {
                sha256 = TemplateOrigin.sha256(template);
            } catch (IOException | RuntimeException e) {
                // preflight refuses a template it cannot read, saying why; the journal just has no hash
                sha256 = null;
            }
            run.emit(new KilnEvent.TemplateUsed(startedAt, plan.runId(), template.toString(), sha256,
                    TemplateOrigin.gitCommit(template).orElse(null)));
        }
    }

    private void moved(JobRun j, JobState from, StateChange change) {
        JobState next = change.state();
        run.emit(new KilnEvent.JobStateChanged(change.at(), run.runId(), j.id(), from, next, j.attempt(),
                change.reason()));
        if (from == JobState.WAITING) {
            waiting.remove(j);
        }
        if (next == JobState.WAITING) {
            JobId failedDependency = waiting.add(j);
            if (failedDependency != null) {
                j.cancelBecause("dependency " + failedDependency + " ended " + jobs.get(failedDependency).state());
            }
        } else if (next.isTerminal()) {
            shared.recordOutcome(j);
            for (JobRun dependent : waiting.ended(j)) {
                dependent.cancelBecause("dependency " + j.job().id() + " ended " + next);
            }
        }
    }

    private RunResult finish() {
        loop.sampleBudgets(true);
        List<JobResult> results = new ArrayList<>();
        Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
        for (JobRun j : jobs.values()) {
            if (j.state() != JobState.SUCCEEDED && j.provider() != null) {
                run.store().imageNames().release(j.provider().nameRule().uniquenessScope(j.job().target()),
                        j.job().imageName(), run.runId());
            }
            counts.merge(j.state(), 1, Integer::sum);
            results.add(j.result());
        }
        Instant finishedAt = time.now();
        BuildPlan plan = run.plan();
        run.emit(new KilnEvent.RunFinished(finishedAt, plan.runId(), counts,
                Duration.between(startedAt, finishedAt).toMillis()));
        return new RunResult(plan.runId(), plan.name(), run.runDirectory(), startedAt, finishedAt, results,
                run.refusals(), throttles.count(), run.cancelRequested());
    }

    private void writeReports() {
        try {
            if (reported != null) {
                Reports.write(reported.report(), run.runDirectory());
            } else {
                Reports.regenerate(run.runDirectory());
            }
        } catch (RuntimeException e) {
            // The journal is the record; reports can be drawn again from it (kiln report).
            LOG.warn("could not write the reports of run {} into {}: {}", run.runId(), run.runDirectory(),
                    e.getMessage());
        }
    }
}
