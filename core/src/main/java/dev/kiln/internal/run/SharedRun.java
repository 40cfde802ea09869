package dev.kiln.internal.run;

import dev.kiln.event.KilnEvent;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.spi.Lease;
import dev.kiln.spi.Leases;
import dev.kiln.spi.Refusal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run shares through the coordination store with other nodes of the same run, and with
 * other runs building the same thing: leases on jobs and on builds' content, the heartbeat and
 * renewals that keep them, the outcomes recorded when a job ends, and the watching of jobs built
 * elsewhere until their outcome is there to take.
 */
final class SharedRun {

    private static final Logger LOG = LoggerFactory.getLogger(SharedRun.class);

    private final RunContext run;
    private final WaitingQueue waiting;
    private final Set<JobRun> watched = new LinkedHashSet<>();
    private boolean watching;
    private boolean renewing;
    /** Jobs that took a lease, until a renewal round finds them ended or without one. */
    private final Set<JobRun> leaseHolders = new LinkedHashSet<>();
    /** The leases renewed at the last renewal. */
    private final List<Lease> held = new ArrayList<>();

    /** @param waiting the run's queue, which jobs built elsewhere leave while they are watched */
    SharedRun(RunContext run, WaitingQueue waiting) {
        this.run = run;
        this.waiting = waiting;
    }

    /**
     * Whether this node may build {@code j} now. Alone, always. In a shared run the job must be
     * leased to this node: a job leased elsewhere leaves the queue and is watched until its outcome
     * is recorded, or its lease lapses and this node takes it over, sweeping first what the lost
     * node left behind. A build identical to one another run is building (same job, template,
     * variables) waits for that build and reuses its image.
     */
    boolean ownsTheBuild(JobRun j) {
        Leases store = run.store().leases();
        if (run.distributed() && j.lease() == null) {
            Optional<Lease> lease = store.tryLease(jobResource(j), run.sharing().node(), run.sharing().leaseTtl());
            if (lease.isEmpty()) {
                waiting.remove(j);
                watch(j, "running on another node");
                return false;
            }
            Optional<String> done = store.outcome(jobResource(j));
            if (done.isPresent()) {
                // Finished elsewhere between our watch and this lease: take that outcome.
                store.release(lease.get());
                waiting.remove(j);
                if (!takeOutcome(j, Outcome.parse(done.get()), true)) {
                    requeue(j);
                }
                return false;
            }
            j.leased(lease.get());
            holdsLease(j);
            if (j.imageFoundAtPreflight() && j.lease().fencingToken() == 1) {
                // No node of this run ever held the job, so the image preflight found is someone else's.
                String scope = j.provider().nameRule().uniquenessScope(j.job().target());
                run.refuse(j, Refusal.Kind.NAME_TAKEN, Preflight.nameTaken(j, scope));
                return false;
            }
            if (j.lease().fencingToken() > 1 && j.sweepBeforeStart()) {
                waiting.remove(j);
                run.callProvider(() -> j.provider().sweep(j.job().target(), j.job().buildId()), report -> {
                    run.emit(new KilnEvent.Swept(run.time().now(), run.runId(), j.id(), j.job().buildId(),
                            report.deleted(), report.failed()));
                    requeue(j);
                }, e -> requeue(j));
                return false;
            }
        }
        if (j.buildKey() != null && j.buildLease() == null) {
            Optional<Lease> build = store.tryLease(buildResource(j), run.sharing().node() + "/" + run.runId(),
                    run.sharing().leaseTtl());
            if (build.isEmpty()) {
                waiting.remove(j);
                watch(j, "an identical build of another run is in progress");
                return false;
            }
            j.buildLeased(build.get());
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
    QuotaSnapshot asFirstProbed(QuotaSnapshot probe) {
        Leases store = run.store().leases();
        String resource = "probe:" + run.runId() + ":" + probe.target().key();
        Optional<String> first = store.outcome(resource);
        if (first.isEmpty()) {
            Optional<Lease> lease = store.tryLease(resource, run.sharing().node(), run.sharing().leaseTtl());
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
            store.release(lease.get());
        }
        Map<String, Object> usage = Outcome.read(first.get());
        Map<String, Quota> quotas = new LinkedHashMap<>();
        probe.quotas().forEach((metric, q) -> quotas.put(metric, usage.get(metric) instanceof Number n
                ? new Quota(q.metric(), q.scope(), q.limit(), n.longValue()) : q));
        return new QuotaSnapshot(probe.target(), probe.at(), quotas);
    }

    private void requeue(JobRun j) {
        if (j.state() == JobState.WAITING) {
            waiting.add(j);
        }
    }

    private void watch(JobRun j, String reason) {
        watched.add(j);
        j.watched(run.time().now());
        run.waits(j, reason);
        if (!watching) {
            watching = true;
            run.schedule(run.time().nanoTime() + run.sharing().watchInterval().toNanos(), this::checkWatched);
        }
    }

    /** Jobs built elsewhere: take their recorded outcome, or put them back to try their leases again. */
    private void checkWatched() {
        watching = false;
        for (JobRun j : List.copyOf(watched)) {
            watched.remove(j);
            if (j.state() != JobState.WAITING) {
                continue;
            }
            boolean elsewhere = run.distributed() && j.lease() == null;
            String resource = elsewhere ? jobResource(j) : buildResource(j);
            Optional<Outcome> outcome = run.store().leases().outcome(resource).map(Outcome::parse);
            if (outcome.isPresent() && (elsewhere || outcome.get().recordedSince(j.watchedSince()))
                    && takeOutcome(j, outcome.get(), elsewhere)) {
                continue;
            }
            waiting.add(j);
        }
    }

    /** Ends a watched job with what another node or run recorded; false when it must be built here. */
    private static boolean takeOutcome(JobRun j, Outcome outcome, boolean sameRun) {
        JobState state = outcome.state();
        String by = outcome.by(sameRun);
        if (state == JobState.SUCCEEDED) {
            List<String> verified = new ArrayList<>(outcome.verified());
            j.succeed(verified, sameRun ? "" : "reused the identical build of " + by,
                    "built by " + by + ": " + String.join(", ", verified));
            return true;
        }
        if (state == JobState.FAILED && sameRun) {
            j.fail(outcome.failure() == null ? FailureClass.UNKNOWN : outcome.failure(),
                    "failed on " + by + ": " + outcome.message());
            return true;
        }
        return false;
    }

    /** Records a job's end in the store, where the other nodes (and runs) watching it find it. */
    void recordOutcome(JobRun j) {
        Leases store = run.store().leases();
        if (j.lease() != null) {
            if (j.state() == JobState.CANCELLED) {
                // Stopping here is not an outcome for the others: another node may build it.
                store.release(j.lease());
            } else if (!store.complete(j.lease(), outcomeOf(j))) {
                LOG.warn("{}: the lease was lost before the outcome could be recorded", j.job().id());
            }
            j.leaseEnded();
        }
        if (j.buildLease() != null) {
            if (j.state() == JobState.CANCELLED) {
                store.release(j.buildLease());
            } else {
                store.complete(j.buildLease(), outcomeOf(j));
            }
            j.buildLeaseEnded();
        }
    }

    private String outcomeOf(JobRun j) {
        return new Outcome(j.state(), run.sharing().node(), run.runId(), j.id(), j.job().imageName(), j.failure(),
                j.message(), j.verified(), run.time().now()).toJson();
    }

    private String jobResource(JobRun j) {
        return "job:" + run.runId() + ":" + j.id();
    }

    private static String buildResource(JobRun j) {
        return "build:" + j.buildKey();
    }

    /**
     * This node is alive: its reservations stand. Repeats a few times per time to live until
     * {@code ended}.
     *
     * <p>The reservations outlive the node's leases by one more time to live. When a node dies, its
     * builds' instances keep using the quota until the node that takes over their leases (one time
     * to live later) has swept them; were the reservations to lapse with the leases, another build
     * could be admitted into capacity the dead builds still hold, and fail on the cloud's quota. The
     * taker reserves again for the same holder when it rebuilds, which replaces what is left.
     */
    void heartbeat(BooleanSupplier ended) {
        run.store().reservations().heartbeat(run.sharing().node(), run.sharing().leaseTtl().multipliedBy(2));
        if (!ended.getAsBoolean()) {
            run.schedule(run.time().nanoTime() + run.sharing().leaseTtl().toNanos() / 3, () -> heartbeat(ended));
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
        run.schedule(run.time().nanoTime() + run.sharing().leaseTtl().toNanos() / 3, () -> {
            renewing = false;
            leaseHolders.removeIf(j -> j.state().isTerminal() || j.lease() == null && j.buildLease() == null);
            // A list, not a map from lease to holder, and the same one every time: leases are renewed
            // every few seconds of a run that may last hundreds of hours, and are seldom lost.
            held.clear();
            for (JobRun j : leaseHolders) {
                if (j.lease() != null) {
                    held.add(j.lease());
                }
                if (j.buildLease() != null) {
                    held.add(j.buildLease());
                }
            }
            if (held.isEmpty()) {
                return;
            }
            for (Lease lost : run.store().leases().renewAll(held, run.sharing().leaseTtl())) {
                for (JobRun j : leaseHolders) {
                    if (lost.equals(j.lease())) {
                        LOG.warn("{}: lease lost; another node builds it now", j.job().id());
                        j.loseLease();
                        break;
                    }
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
}
