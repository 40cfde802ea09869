package dev.kiln.internal.run;

import dev.kiln.Kiln;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.job.JobState;
import dev.kiln.limits.Quota;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.sim.Simulation;
import dev.kiln.sim.SimulationResult;
import dev.kiln.spi.CloudProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the run is expected to look like, told before it starts: the builds preflight let through,
 * run in virtual time against a simulated cloud with the providers' own limits and cost models and
 * the quotas preflight probed, by the same scheduler. A build that succeeded in one of the newest
 * earlier runs is expected to take as long as it took then ({@link BuildHistory}). The report puts it beside what happened, so
 * a prediction that does not come true is seen (and the model it rests on can be corrected).
 */
final class Forecast implements KilnListener {

    private static final Logger LOG = LoggerFactory.getLogger(Forecast.class);

    private final RunContext run;
    private final Map<String, Map<String, Quota>> quotas = new LinkedHashMap<>();

    Forecast(RunContext run) {
        this.run = run;
    }

    /** Keeps the quotas preflight probes, for the simulated cloud. */
    @Override
    public void onEvent(KilnEvent event) {
        if (event instanceof KilnEvent.QuotaProbed q) {
            quotas.put(q.target(), q.quotas());
        }
    }

    /**
     * Starts the forecast of {@code jobs} on a thread of its own, so the builds need not wait for
     * it: a forecast only goes into the report. The jobs to forecast and the quotas known are taken
     * now, on the caller's thread; {@code made} hears the forecast once it is made, from that thread.
     */
    Pending start(Collection<JobRun> jobs, Instant at, Consumer<KilnEvent.RunForecast> made) {
        List<BuildJob> kept = kept(jobs);
        Map<String, Map<String, Quota>> known = new LinkedHashMap<>(quotas);
        FutureTask<KilnEvent.RunForecast> task = new FutureTask<>(() -> {
            KilnEvent.RunForecast forecast = of(kept, known, at);
            if (forecast != null) {
                made.accept(forecast);
            }
            return forecast;
        });
        Thread thread = new Thread(task, "kiln-forecast-" + run.runId());
        thread.setDaemon(true);
        thread.start();
        return new Pending(task);
    }

    /** A forecast being made. */
    static final class Pending {
        private final FutureTask<KilnEvent.RunForecast> task;

        private Pending(FutureTask<KilnEvent.RunForecast> task) {
            this.task = task;
        }

        /** The forecast, once made; null when there was nothing to forecast or it could not be made. */
        KilnEvent.RunForecast await() {
            try {
                return task.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException e) {
                LOG.warn("could not forecast the run: {}", e.getCause().toString());
                return null;
            }
        }
    }

    /** The jobs not ended yet, but a build whose dependency is not among them. */
    private static List<BuildJob> kept(Collection<JobRun> jobs) {
        List<BuildJob> kept = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JobRun j : jobs) {
            if (!j.state().isTerminal() && j.state() != JobState.PLANNED) {
                kept.add(j.job());
                ids.add(j.id());
            }
        }
        boolean dropped = true;
        while (dropped) {
            dropped = kept.removeIf(j -> j.dependsOn().stream().anyMatch(d -> !ids.contains(d.value()))
                    && ids.remove(j.id().value()));
        }
        return kept;
    }

    /**
     * The forecast of {@code kept} with the quotas {@code probed}, or null when there is nothing to
     * forecast or the simulation could not run.
     */
    private KilnEvent.RunForecast of(List<BuildJob> kept, Map<String, Map<String, Quota>> probed, Instant at) {
        if (kept.isEmpty()) {
            return null;
        }
        BuildPlan plan = run.plan().withJobs(kept);
        Map<String, Long> starts = new LinkedHashMap<>();
        KilnListener firstStarts = e -> {
            if (e instanceof KilnEvent.BuildStarted s && !starts.containsKey(s.jobId())) {
                starts.put(s.jobId(), Duration.between(plan.createdAt(), s.at()).toMillis());
            }
        };
        Map<String, Duration> known = BuildHistory.read(run.settings().files().runsDirectory(), run.runId());
        try {
            SimulationResult sim = Simulation.builder().seed(run.scheduling().seed())
                    .hostSlots(run.scheduling().hostSlots())
                    .knownDurations(j -> known.get(j.id().value()))
                    .cloud(c -> {
                        Set<String> modelled = new HashSet<>();
                        for (BuildJob j : kept) {
                            CloudProvider p = run.settings().providers().get(j.target().provider());
                            if (p != null && modelled.add(p.id())) {
                                c.provider(p.id(), p.apiLimits(j.target()), p.costModel(j.image(), j.target()));
                            }
                        }
                        probed.forEach((target, byMetric) -> byMetric.values().forEach(q -> {
                            c.quota(target, q.metric(), q.limit());
                            c.outsideUsage(target, q.metric(), q.usage());
                        }));
                        plan.targets().forEach(t -> c.limits(t.key(), plan.limitOverridesFor(t)));
                    })
                    .kiln((Kiln.Builder k) -> k.listener(firstStarts))
                    .build().run(plan);
            return new KilnEvent.RunForecast(at, run.runId(), sim.makespan().toMillis(), starts);
        } catch (RuntimeException e) {
            // A forecast is an aid to reading the report, never a reason for the run not to happen.
            LOG.warn("could not forecast run {}: {}", run.runId(), e.toString());
            return null;
        }
    }
}
