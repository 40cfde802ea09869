package dev.kiln.internal.run;

import dev.kiln.Scheduling;
import dev.kiln.Sharing;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.internal.limits.QuotaLedger;
import dev.kiln.internal.limits.RunLimits;
import dev.kiln.job.FailureClass;
import dev.kiln.plan.BuildPlan;
import dev.kiln.spi.BuildNetwork;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.Refusal;
import dev.kiln.spi.Timers;
import dev.kiln.time.TimeSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every part of one run shares: its settings, plan, clock, quota ledger and limits, its
 * listeners and refusals, and the way onto the loop's thread (its {@link Inbox}).
 */
final class RunContext {

    private static final Logger LOG = LoggerFactory.getLogger(RunContext.class);

    private final RunSettings settings;
    private final BuildPlan plan;
    private final Path runDirectory;
    private final QuotaLedger ledger;
    private final RunLimits limits;
    private final boolean distributed;
    private final List<KilnListener> listeners;
    private final List<Refusal> refusals = new ArrayList<>();
    private final Inbox inbox;
    private int pendingCalls;
    private BuildNetwork.RunNetwork network;
    private volatile boolean cancelRequested;

    RunContext(RunSettings settings, BuildPlan plan, Inbox inbox) {
        this.settings = settings;
        this.plan = plan;
        this.runDirectory = settings.files().runsDirectory().resolve(plan.runId());
        this.inbox = inbox;
        TimeSource time = settings.time();
        String node = settings.sharing().node();
        this.ledger = new QuotaLedger(settings.coordination(), node);
        this.limits = new RunLimits(time, settings.coordination(), node, settings.scheduling().adaptiveRate(),
                settings.scheduling().steadyShare(),
                (key, rates) -> emit(new KilnEvent.RateAdjusted(time.now(), plan.runId(), key.toString(),
                        rates[0], rates[1])));
        this.listeners = new ArrayList<>(settings.listeners());
        this.distributed = settings.sharing().shared();
    }

    RunSettings settings() {
        return settings;
    }

    Scheduling scheduling() {
        return settings.scheduling();
    }

    Sharing sharing() {
        return settings.sharing();
    }

    TimeSource time() {
        return settings.time();
    }

    BuildPlan plan() {
        return plan;
    }

    String runId() {
        return plan.runId();
    }

    Path runDirectory() {
        return runDirectory;
    }

    QuotaLedger ledger() {
        return ledger;
    }

    RunLimits limits() {
        return limits;
    }

    Coordination store() {
        return settings.coordination();
    }

    /** Whether this node shares the run with others through the store (it leases every job). */
    boolean distributed() {
        return distributed;
    }

    /** The run's network, once open; null when packer reaches its clouds directly. */
    BuildNetwork.RunNetwork network() {
        return network;
    }

    void network(BuildNetwork.RunNetwork opened) {
        this.network = opened;
    }

    /** Whether {@code j}'s calls go through the run's network and are charged as they are made. */
    boolean metered(JobRun j) {
        return network != null && j.provider() != null && !j.provider().apiHosts().isEmpty();
    }

    /** Adds a listener that hears every event before the others (the journal). */
    void listenFirst(KilnListener listener) {
        listeners.add(0, listener);
    }

    void emit(KilnEvent event) {
        for (KilnListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("listener {} failed on {}: {}", l, event.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** Records a refusal of the run (packer, plugins) or of one job. */
    void refuse(Refusal r) {
        refusals.add(r);
        emit(new KilnEvent.Refused(time().now(), plan.runId(), r.subject(), r.kind().name(), r.message()));
    }

    /** Refuses {@code j}: the refusal is recorded and the job fails with its message. */
    void refuse(JobRun j, Refusal.Kind kind, String message) {
        refuse(new Refusal(j.id(), kind, message));
        j.fail(kind == Refusal.Kind.NAME_TAKEN ? FailureClass.NAME_COLLISION
                : kind == Refusal.Kind.QUOTA_NEVER_FITS ? FailureClass.QUOTA
                : kind == Refusal.Kind.CREDENTIALS ? FailureClass.AUTH : FailureClass.UNKNOWN, message);
    }

    /** Tells why {@code j} waits, when the reason changed. */
    void waits(JobRun j, String reason) {
        if (j.waitFor(reason)) {
            emit(new KilnEvent.JobWaiting(time().now(), plan.runId(), j.id(), reason));
        }
    }

    List<Refusal> refusals() {
        return refusals;
    }

    /** Asks the run to stop; safe from any thread. */
    void requestCancel() {
        cancelRequested = true;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /** Runs {@code task} on the loop thread; safe from any thread. */
    void post(Runnable task) {
        inbox.post(task);
    }

    void schedule(long atNanos, Runnable task) {
        inbox.schedule(atNanos, task);
    }

    /** The loop's timers, for runners that simulate builds on them. */
    Timers timers() {
        return inbox;
    }

    /** Provider calls under way on worker threads; the run does not end while there are any. */
    int pendingCalls() {
        return pendingCalls;
    }

    /**
     * Calls a provider on a worker thread and hands the result to {@code then} (or the exception to
     * {@code onError}) on the loop thread. Without workers (virtual time) the call runs inline.
     */
    <T> void callProvider(Supplier<T> call, Consumer<T> then, Consumer<RuntimeException> onError) {
        Executor workers = settings.providerExecutor();
        if (workers == null) {
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
        workers.execute(() -> {
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
}
