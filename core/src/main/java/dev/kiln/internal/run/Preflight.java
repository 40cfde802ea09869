package dev.kiln.internal.run;

import dev.kiln.KilnException;
import dev.kiln.event.KilnEvent;
import dev.kiln.internal.limits.JobBudget;
import dev.kiln.internal.limits.QuotaLedger;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.QuotaVerdict;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.Target;
import dev.kiln.spi.Budget;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.Reservation;
import dev.kiln.spi.CredentialsException;
import dev.kiln.spi.Refusal;
import dev.kiln.spi.SweepReport;
import dev.kiln.template.TemplateException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything checked before the first build starts: packer's version, plugin pins and templates
 * (the runner), then per job its provider, its target's quotas (probed once per target), whether
 * it could ever fit, what a crash left of it, and its image name. A job that passes waits.
 */
final class Preflight {

    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);
    /**
     * Waits before trying a provider call again that failed for a passing reason (a 5xx, a
     * throttle, no answer): about 15 s in all, as a person would wait out a brief outage before
     * giving up on a build.
     */
    private static final List<Duration> TRANSIENT_BACKOFF = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(4), Duration.ofSeconds(8));

    private final RunContext run;
    private final SharedRun shared;
    private final Map<String, Optional<QuotaSnapshot>> probed = new HashMap<>();
    /**
     * Each target's limits and each of its cost models' budget, made once: a plan's jobs share a
     * few of each, and a 5,000-build plan made them again per job (TreeMaps of every limit).
     */
    private final Map<Target, LimitsTable> limitsByTarget = new HashMap<>();
    private final Map<Target, Map<CostModel, JobBudget>> budgets = new HashMap<>();
    /**
     * The keys of jobs alike in budget (so target) and the quota metrics they need, shared: a
     * 5,000-build plan's jobs held 40 equal strings each.
     */
    private final Map<JobBudget, Map<Set<String>, Keys>> keys = new IdentityHashMap<>();
    /** The provider calls started ahead of the checks that take them. */
    private final CallsAhead ahead = new CallsAhead();
    /** Why a target's provider failed, so every job on it is refused the same way. */
    private final Map<String, Refusal> providerFailures = new HashMap<>();

    Preflight(RunContext run, SharedRun shared) {
        this.run = run;
        this.shared = shared;
    }

    void check(Collection<JobRun> jobs) {
        for (JobRun j : jobs) {
            if (j.state() == JobState.QUEUED) {
                j.preflight();
            }
        }
        // the providers' calls go ahead while packer's side (validate) is checked
        callAhead(jobs);
        List<Refusal> fromRunner;
        try {
            fromRunner = run.settings().runner().preflight(run.plan(), run.runDirectory(), this::packerEnv);
        } catch (KilnException e) {
            fromRunner = List.of(new Refusal("packer", Refusal.Kind.PACKER_VERSION, e.getMessage()));
        }
        for (Refusal r : fromRunner) {
            run.refuse(r);
            for (JobRun j : jobs) {
                if (j.state() == JobState.PREFLIGHT && appliesTo(r, j)) {
                    j.fail(FailureClass.TEMPLATE_INVALID, r.message());
                }
            }
        }
        // each template's content, read once for the keys of identical builds (null: unreadable)
        Map<Path, byte[]> templates = new HashMap<>();
        for (JobRun j : jobs) {
            if (j.state() == JobState.PREFLIGHT) {
                check(j, templates);
            }
        }
    }

    /**
     * Starts the provider calls the checks will make, a few at a time on Kiln's workers: each
     * target's quota probe, then each job's name check. The checks still run one job after another
     * on the loop, in plan order, each taking its calls' answers (waiting for them if need be):
     * one after another, a fleet over many regions waited for every probe and name check in turn
     * (0.4-0.9 s for eight amazon-ebs builds on the emulator; a round trip each to a real cloud).
     * In virtual time there are no workers, and each call is made when its check takes it.
     */
    private void callAhead(Collection<JobRun> jobs) {
        Executor workers = run.settings().providerExecutor();
        if (workers == null) {
            return;
        }
        Map<String, CloudProvider> providers = run.settings().providers();
        for (JobRun j : jobs) {
            CloudProvider provider = providers.get(j.job().target().provider());
            if (j.state() == JobState.PREFLIGHT && provider != null) {
                Target target = j.job().target();
                ahead.putIfAbsent("quota " + target.key(), quotaProbe(provider, target));
            }
        }
        for (JobRun j : jobs) {
            CloudProvider provider = providers.get(j.job().target().provider());
            // a build a crash caught under way is swept first, its image with it: its name is checked after
            if (j.state() == JobState.PREFLIGHT && provider != null && !j.resumeSweep()) {
                ahead.putIfAbsent("name " + j.job().id(), nameCheck(provider, j.job()));
            }
        }
        ahead.start(workers);
    }

    /** A target's quota probe, tried again while it fails for a passing reason. */
    private Supplier<QuotaSnapshot> quotaProbe(CloudProvider provider, Target target) {
        return () -> retryingTransient("the quota probe of " + target.key(), () -> provider.probeQuotas(target));
    }

    /** Whether an image of the job's name exists already, asked again while the answer fails for a passing reason. */
    private Supplier<Boolean> nameCheck(CloudProvider provider, BuildJob job) {
        return () -> retryingTransient("the name check of " + job.imageName(),
                () -> provider.imageExists(job.target(), job.imageName()));
    }

    /** The environment a job's builds get from its provider, for {@code packer validate}; none without a provider. */
    private Map<String, String> packerEnv(BuildJob job) {
        CloudProvider provider = run.settings().providers().get(job.target().provider());
        if (provider == null) {
            return Map.of();
        }
        try {
            return provider.packerEnv(job.target(), Budget.UNLIMITED);
        } catch (RuntimeException e) {
            LOG.debug("no packer environment from {} for validating {}: {}", job.target().provider(), job.id(),
                    e.getMessage());
            return Map.of();
        }
    }

    private static boolean appliesTo(Refusal r, JobRun j) {
        return switch (r.kind()) {
            case PACKER_VERSION, PLUGIN_DRIFT -> r.jobs().isEmpty() || r.jobs().contains(j.id());
            default -> r.jobs().isEmpty() ? r.subject().equals(j.id())
                    || r.subject().equals(j.job().image().template().toString()) : r.jobs().contains(j.id());
        };
    }

    private void check(JobRun j, Map<Path, byte[]> templates) {
        BuildJob job = j.job();
        Target target = job.target();
        Map<String, CloudProvider> providers = run.settings().providers();
        CloudProvider provider = providers.get(target.provider());
        if (provider == null) {
            run.refuse(j, Refusal.Kind.PROVIDER_UNAVAILABLE, "no provider '" + target.provider()
                    + "' is registered with Kiln; registered: " + providers.keySet());
            return;
        }
        j.provider(provider);
        QuotaLedger ledger = run.ledger();
        try {
            Optional<QuotaSnapshot> snapshot = probed.computeIfAbsent(target.key(), k -> {
                QuotaSnapshot s = ahead.take("quota " + target.key(), quotaProbe(provider, target));
                if (run.distributed()) {
                    s = shared.asFirstProbed(s);
                }
                ledger.update(s);
                run.emit(new KilnEvent.QuotaProbed(run.time().now(), run.runId(), target.key(), s.quotas()));
                return Optional.of(s);
            });
            if (snapshot.isEmpty()) {
                Refusal failure = providerFailures.get(target.key());
                run.refuse(j, failure == null ? Refusal.Kind.PROVIDER_UNAVAILABLE : failure.kind(),
                        failure == null ? "quota probe of " + target.key() + " failed" : failure.message());
                return;
            }
            Demand demand = provider.demandOf(job);
            CostModel cost = provider.costModel(job.image(), target);
            if (job.image().expectedDuration() != null) {
                cost = cost.withExpectedDuration(job.image().expectedDuration());
            }
            LimitsTable limits = limitsByTarget.computeIfAbsent(target,
                    t -> provider.apiLimits(t).withOverrides(run.plan().limitOverridesFor(t)));
            JobBudget budget = budgets.computeIfAbsent(target, t -> new HashMap<>())
                    .computeIfAbsent(cost, c -> JobBudget.of(target, limits, c));
            j.priced(demand, limits, budget, cost);
        } catch (TemplateException e) {
            // The provider found this job's template at odds with its target: invalid input, this job only.
            run.refuse(j, Refusal.Kind.TEMPLATE_INVALID, e.getMessage());
            return;
        } catch (RuntimeException e) {
            probed.putIfAbsent(target.key(), Optional.empty());
            Refusal failure = e instanceof CredentialsException
                    ? new Refusal(target.key(), Refusal.Kind.CREDENTIALS, e.getMessage())
                    : new Refusal(target.key(), Refusal.Kind.PROVIDER_UNAVAILABLE, "provider " + target.provider()
                            + " failed for " + target.key() + ": " + e.getMessage());
            providerFailures.putIfAbsent(target.key(), failure);
            run.refuse(j, failure.kind(), failure.message());
            return;
        }
        QuotaVerdict verdict = ledger.estimate(target, j.demand());
        if (verdict instanceof QuotaVerdict.Never never) {
            run.refuse(j, Refusal.Kind.QUOTA_NEVER_FITS, never.explain(target.key()));
            return;
        }
        String rateProblem = run.limits().neverFits(j.budget());
        if (rateProblem != null) {
            run.refuse(j, Refusal.Kind.QUOTA_NEVER_FITS, rateProblem);
            return;
        }
        if (j.resumeSweep()) {
            // A crash caught this build under way: stop what is left of it and remove what it made,
            // its image included, before checking the name again and building anew.
            stopLeftoverProcess(j);
            try {
                SweepReport report = retryingTransient("the sweep of " + job.id(),
                        () -> provider.sweep(target, job.buildId()));
                j.swept(report.deleted());
                run.emit(new KilnEvent.Swept(run.time().now(), run.runId(), j.id(), job.buildId(), report.deleted(),
                        report.failed()));
            } catch (RuntimeException e) {
                run.refuse(j, Refusal.Kind.PROVIDER_UNAVAILABLE, "could not sweep what the interrupted build of "
                        + job.id() + " left: " + e.getMessage());
                return;
            }
        }
        String scope = provider.nameRule().uniquenessScope(target);
        try {
            if (ahead.take("name " + job.id(), nameCheck(provider, job))) {
                if (!run.distributed()) {
                    run.refuse(j, Refusal.Kind.NAME_TAKEN, nameTaken(j, scope));
                    return;
                }
                // In a shared run it may be this run's own image, built or being built by another node:
                // whose it is shows once the job is leased.
                j.imageFound();
            }
        } catch (RuntimeException e) {
            run.refuse(j, Refusal.Kind.PROVIDER_UNAVAILABLE, "could not check image names in " + scope + ": "
                    + e.getMessage());
            return;
        }
        if (!run.store().imageNames().tryReserve(scope, job.imageName(), run.runId())) {
            run.refuse(j, Refusal.Kind.NAME_TAKEN, "the image name '" + job.imageName() + "' is reserved by another"
                    + " run in " + scope);
            return;
        }
        Keys k = keys.computeIfAbsent(j.budget(), b -> new HashMap<>())
                .computeIfAbsent(j.demand().amounts().keySet(), metrics -> keysOf(ledger, target, j));
        j.keyed(k.quota(), k.all(), run.sharing().reuseIdenticalBuilds() ? BuildKeys.of(job, templates) : null);
        j.waiting("");
    }

    /** What a job waits on: its quota's keys, and those with its limits' (and their polling rates'). */
    private record Keys(Set<String> quota, Set<String> all) {
    }

    private static Keys keysOf(QuotaLedger ledger, Target target, JobRun j) {
        Set<String> keys = new LinkedHashSet<>();
        for (Reservation r : ledger.reservationsFor(target, j.demand())) {
            keys.add(r.key().toString());
        }
        Set<String> quotaKeys = Set.copyOf(keys);
        for (LimitKey k : j.budget().limits().keySet()) {
            keys.add(k.toString());
            keys.add(new LimitKey(k.scopeKey(), "rate:" + k.name()).toString());
        }
        return new Keys(quotaKeys, Collections.unmodifiableSet(keys));
    }

    static String nameTaken(JobRun j, String scope) {
        return "an image named '" + j.job().imageName() + "' already exists in " + scope
                + "; change the naming template or deregister it";
    }

    /** The packer process a crashed run left behind, if it still runs: killed with its whole tree. */
    private static void stopLeftoverProcess(JobRun j) {
        long pid = j.leftoverPid();
        if (pid <= 0) {
            return;
        }
        ProcessHandle.of(pid)
                .filter(p -> p.info().command().map(c -> c.contains("packer")).orElse(false))
                .ifPresent(p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    LOG.warn("{}: killed packer process {} left by the crashed run", j.job().id(), pid);
                });
    }

    /**
     * {@code call}, tried again after {@link #TRANSIENT_BACKOFF} while it fails for a reason that
     * may pass ({@link KilnException#isTransient()}, on the exception or its causes); any other
     * failure, or the last one, is thrown.
     */
    private <T> T retryingTransient(String what, Supplier<T> call) {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (attempt >= TRANSIENT_BACKOFF.size() || !isTransient(e)) {
                    throw e;
                }
                Duration wait = TRANSIENT_BACKOFF.get(attempt);
                LOG.info("{} failed ({}); trying again in {} s", what, e.getMessage(), wait.toSeconds());
                try {
                    run.time().sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KilnException k && k.isTransient()) {
                return true;
            }
        }
        return false;
    }
}
