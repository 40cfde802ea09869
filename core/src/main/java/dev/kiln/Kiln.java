package dev.kiln;

import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.internal.run.Gates;
import dev.kiln.internal.run.Run;
import dev.kiln.internal.run.RunSettings;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitsTable;
import dev.kiln.naming.NameRule;
import dev.kiln.naming.NameRules;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanContext;
import dev.kiln.spi.BuildNetwork;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.PackerRunner;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Kiln's entry point: runs build plans against registered providers, under their limits.
 *
 * <pre>{@code
 * try (Kiln kiln = Kiln.builder()
 *         .provider(awsProvider)
 *         .packerRunner(PackerRunners.process())
 *         .listener(event -> System.out.println(event))
 *         .build()) {
 *     BuildPlan plan = PlanFile.load(Path.of("plan.yaml"), kiln.planContext());
 *     RunResult result = kiln.run(plan);
 * }
 * }</pre>
 *
 * A run goes to the end on the calling thread ({@link #run}) or on a thread of this Kiln
 * ({@link #start}, which returns a {@link RunHandle}); a run whose process died goes on from its
 * journal ({@link Resume}); {@link #preflight} checks a plan as a run would and starts nothing.
 *
 * <p>A {@code Kiln} is thread-safe and can run several plans at once; they share limits, quotas and
 * name reservations through its {@link Coordination} store. It owns the threads it makes for
 * provider calls and background runs, and stops them in {@link #close()}.
 */
public final class Kiln implements AutoCloseable {

    private final TimeSource time;
    private final Coordination coordination;
    private final PackerRunner runner;
    private final Map<String, CloudProvider> providers;
    private final List<KilnListener> listeners;
    private final RunFiles files;
    private final Scheduling scheduling;
    private final Sharing sharing;
    private final BuildNetwork network;
    private final ExecutorService ownExecutor;
    private final Set<Run> active = ConcurrentHashMap.newKeySet();
    /** The limits of each target as the latest run planned them, which providers' own calls keep to. */
    private final Map<String, LimitsTable> plannedLimits = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private Kiln(Builder b) {
        this.time = b.time;
        this.coordination = b.coordination;
        this.runner = b.runner;
        this.providers = Map.copyOf(b.providers);
        this.listeners = List.copyOf(b.listeners);
        this.files = b.files;
        this.scheduling = b.scheduling;
        this.sharing = b.sharing;
        this.network = b.network;
        boolean virtual = time instanceof VirtualTime;
        this.ownExecutor = virtual ? null : Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kiln-worker");
            t.setDaemon(true);
            return t;
        });
        for (CloudProvider p : providers.values()) {
            p.start(new Gates(time, coordination, p, this::throttled, plannedLimits));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A context to read plan files with: this Kiln's clock and its providers' name rules. */
    public PlanContext planContext() {
        Function<String, NameRule> rules = id -> {
            CloudProvider p = providers.get(id);
            return p != null ? p.nameRule() : NameRules.forProvider(id);
        };
        return PlanContext.of(time).withNameRules(rules);
    }

    /**
     * A context for joining the shared run {@code runId}: the first node to register it sets its
     * start time, and every node expands the plan against that time, so all agree on job ids,
     * build ids and image names.
     */
    public PlanContext planContext(String runId) {
        PlanContext base = planContext().withRunId(runId);
        Instant start = coordination.leases().joinRun(runId, base.now());
        return new PlanContext(start, runId, base.gitSha(), base.nameRules(), base.env());
    }

    /** Runs {@code plan} to the end on the calling thread. Every job ends in a terminal state. */
    public RunResult run(BuildPlan plan) {
        return runHere(newRun(plan), false);
    }

    /**
     * Goes on with a run whose process died, to the end on the calling thread; with the plan the
     * resumption carries, or else the one re-read from the plan file its journal names.
     */
    public RunResult run(Resume resume) {
        return runHere(resumed(resume), false);
    }

    /** Starts {@code plan} on a thread of this Kiln and returns at once. */
    public RunHandle start(BuildPlan plan) {
        return start(newRun(plan));
    }

    /** {@link #run(Resume)} on a thread of this Kiln: returns at once, cancellable like any run. */
    public RunHandle start(Resume resume) {
        return start(resumed(resume));
    }

    /**
     * Runs only the preflight of {@code plan} on the calling thread: packer's version, plugin pins
     * and {@code packer validate}, each target's quota probe, the never-fits checks and image names.
     * No build starts; names reserved are released again. The result's {@link RunResult#refusals()}
     * say what a run would refuse; every job that passed ends CANCELLED ("preflight only"). Quotas
     * probed reach listeners as {@link KilnEvent.QuotaProbed} events. Writes no reports.
     */
    public RunResult preflight(BuildPlan plan) {
        return runHere(newRun(plan), true);
    }

    /** Cancels every active run; each still ends with its jobs terminal and its builds swept. */
    public void cancelAll() {
        active.forEach(Run::cancel);
    }

    private RunResult runHere(Run run, boolean preflightOnly) {
        active.add(run);
        try {
            return run.run(preflightOnly);
        } finally {
            active.remove(run);
        }
    }

    private RunHandle start(Run run) {
        if (ownExecutor == null) {
            throw new KilnException("runs in virtual time are driven by the caller: use run(plan)");
        }
        active.add(run);
        CompletableFuture<RunResult> result = new CompletableFuture<>();
        ownExecutor.execute(() -> {
            try {
                result.complete(run.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
                if (t instanceof Error e) {
                    throw e;
                }
            } finally {
                active.remove(run);
            }
        });
        return new RunHandle(run.runId(), run.runDirectory(), run::cancel, result);
    }

    private Run newRun(BuildPlan plan) {
        return new Run(settings(files), plan);
    }

    private Run resumed(Resume resume) {
        BuildPlan plan = resume.plan().orElseGet(() -> resume.readPlan(planContext()));
        Path runDirectory = resume.runDirectory();
        if (!resume.runId().equals(plan.runId())) {
            throw new KilnException("the run in " + runDirectory + " is run " + resume.runId() + ", but the plan"
                    + " given is for run " + plan.runId());
        }
        Path parent = runDirectory.toAbsolutePath().getParent();
        if (!runDirectory.toAbsolutePath().getFileName().toString().equals(plan.runId())) {
            throw new KilnException("a run directory is named after its run id: expected " + parent.resolve(
                    plan.runId()) + ", got " + runDirectory);
        }
        return new Run(settings(files.withRunsDirectory(parent)), plan, resume.journal());
    }

    private RunSettings settings(RunFiles runFiles) {
        if (closed) {
            throw new KilnException("this Kiln is closed");
        }
        if (runner == null) {
            throw new KilnException("no packer runner configured: Kiln.builder().packerRunner(PackerRunners.process())"
                    + " for real builds, or a simulated runner");
        }
        return new RunSettings(time, coordination, runner, providers, listeners, ownExecutor, runFiles, scheduling,
                sharing, network, (target, table) -> plannedLimits.put(target.key(), table));
    }

    private void throttled(LimitKey key, String source) {
        for (Run run : active) {
            run.throttled(key, source);
        }
    }

    @Override
    public void close() {
        closed = true;
        cancelAll();
        if (ownExecutor != null) {
            ownExecutor.shutdown();
            try {
                if (!ownExecutor.awaitTermination(30, TimeUnit.SECONDS)) {
                    ownExecutor.shutdownNow();
                }
            } catch (InterruptedException e) {
                ownExecutor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        for (CloudProvider p : providers.values()) {
            p.close();
        }
    }

    /**
     * Configures a {@link Kiln}: its collaborators (clock, store, packer runner, providers,
     * listeners) and three groups of settings, each adjusted from its defaults ({@link RunFiles},
     * {@link Scheduling}, {@link Sharing}). {@link #build()} takes a snapshot.
     */
    public static final class Builder {
        private TimeSource time = TimeSource.system();
        private Coordination coordination;
        private PackerRunner runner;
        private final Map<String, CloudProvider> providers = new LinkedHashMap<>();
        private final List<KilnListener> listeners = new ArrayList<>();
        private RunFiles files = RunFiles.DEFAULT;
        private Scheduling scheduling = Scheduling.DEFAULT;
        private Sharing sharing = Sharing.DEFAULT;
        private BuildNetwork network;

        private Builder() {
        }

        /** The clock every wait goes through; {@link TimeSource#system()} by default. */
        public Builder time(TimeSource time) {
            this.time = Objects.requireNonNull(time, "time");
            return this;
        }

        /** Where limits, reservations, names and leases are shared; a new {@link InMemoryCoordination} by default. */
        public Builder coordination(Coordination coordination) {
            this.coordination = Objects.requireNonNull(coordination, "coordination");
            return this;
        }

        /** What runs packer: real processes, or a simulation. */
        public Builder packerRunner(PackerRunner runner) {
            this.runner = Objects.requireNonNull(runner, "runner");
            return this;
        }

        /** Registers a provider under its {@link CloudProvider#id()}. */
        public Builder provider(CloudProvider provider) {
            if (providers.putIfAbsent(provider.id(), provider) != null) {
                throw new IllegalArgumentException("a provider with id '" + provider.id() + "' is already registered");
            }
            return this;
        }

        /**
         * How packer reaches its clouds: through {@code network} (kiln-gate's {@code GateNetwork}),
         * which meters every call of a provider's API class against Kiln's limits. Without one, packer
         * calls its clouds directly and Kiln charges each build's cost model instead.
         */
        public Builder network(BuildNetwork network) {
            this.network = Objects.requireNonNull(network, "network");
            return this;
        }

        /** Hears every event of every run, in order, on the run's thread. */
        public Builder listener(KilnListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** What runs write, and where: {@code files(f -> f.withRunsDirectory(dir))}. */
        public Builder files(UnaryOperator<RunFiles> change) {
            this.files = Objects.requireNonNull(change.apply(files), "files");
            return this;
        }

        /** How builds are started, paced and ended: {@code scheduling(s -> s.withHostSlots(8))}. */
        public Builder scheduling(UnaryOperator<Scheduling> change) {
            this.scheduling = Objects.requireNonNull(change.apply(scheduling), "scheduling");
            return this;
        }

        /** What is shared with other nodes and runs: {@code sharing(s -> s.withNode("builder-7"))}. */
        public Builder sharing(UnaryOperator<Sharing> change) {
            this.sharing = Objects.requireNonNull(change.apply(sharing), "sharing");
            return this;
        }

        /** A Kiln of this configuration; Kilns built from one builder without a store share one in memory. */
        public Kiln build() {
            if (coordination == null) {
                coordination = InMemoryCoordination.of(time);
            }
            return new Kiln(this);
        }
    }
}
