package dev.kiln;

import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.event.KilnListener;
import dev.kiln.internal.run.Gates;
import dev.kiln.internal.run.Journal;
import dev.kiln.internal.run.Run;
import dev.kiln.internal.run.RunSettings;
import dev.kiln.job.FailureClass;
import dev.kiln.limits.AdaptiveRateConfig;
import dev.kiln.limits.LimitKey;
import dev.kiln.naming.NameRule;
import dev.kiln.naming.NameRules;
import dev.kiln.packer.FailureClassifier;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.PlanFile;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.PackerRunner;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

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
 * A {@code Kiln} is thread-safe and can run several plans at once; they share limits, quotas and
 * name reservations through its {@link Coordination} store. It owns the threads it makes for
 * provider calls and background runs, and stops them in {@link #close()}.
 */
public final class Kiln implements AutoCloseable {

    private final Builder config;
    private final Map<String, CloudProvider> providers;
    private final ExecutorService ownExecutor;
    private final Set<Run> active = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private Kiln(Builder b) {
        this.config = b.copy();
        this.providers = Map.copyOf(b.providers);
        boolean virtual = b.time instanceof VirtualTime;
        this.ownExecutor = virtual ? null : Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kiln-worker");
            t.setDaemon(true);
            return t;
        });
        for (CloudProvider p : providers.values()) {
            p.start(new Gates(b.time, b.coordination, p, this::throttled));
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
        return PlanContext.of(config.time).withNameRules(rules);
    }

    /**
     * A context for joining the shared run {@code runId}: the first node to register it sets its
     * start time, and every node expands the plan against that time, so all agree on job ids,
     * build ids and image names.
     */
    public PlanContext planContext(String runId) {
        PlanContext base = planContext().withRunId(runId);
        java.time.Instant start = config.coordination.leases().joinRun(runId, base.now());
        return new PlanContext(start, runId, base.gitSha(), base.nameRules(), base.env());
    }

    /** Runs {@code plan} to the end on the calling thread. Every job ends in a terminal state. */
    public RunResult run(BuildPlan plan) {
        return runHere(newLoop(plan));
    }

    /**
     * Resumes the run in {@code runDirectory} after its process died: its journal
     * ({@code events.jsonl}) is replayed, its plan re-read from the plan file it names with the
     * run id, time and commit its names were made with; jobs that ended stay as they ended, builds
     * the crash caught under way are stopped (a packer process still running is killed), swept and
     * queued again, and the rest runs. The journal goes on in the same file, so the final report
     * covers the whole run.
     */
    public RunResult resume(Path runDirectory) {
        return runHere(resumedLoop(runDirectory, null));
    }

    /** {@link #resume(Path)} for a plan built in code: {@code plan} must be the plan the run was started with. */
    public RunResult resume(Path runDirectory, BuildPlan plan) {
        return runHere(resumedLoop(runDirectory, plan));
    }

    /**
     * The plan a crashed run in {@code runDirectory} was started with, as its journal names it: the
     * plan file re-read with the run's id, time and commit, narrowed to the builds the run had (a
     * run started on part of a plan resumes that part).
     */
    public BuildPlan resumedPlan(Path runDirectory) {
        Journal journal = Journal.read(runDirectory);
        PlanContext context = planContext().withRunId(journal.runId());
        context = new PlanContext(journal.planCreatedAt() == null ? context.now() : journal.planCreatedAt(),
                journal.runId(), journal.gitSha(), context.nameRules(), context.env());
        BuildPlan plan = PlanFile.load(planFileOf(journal, runDirectory), context);
        if (journal.jobs().isEmpty()) {
            return plan;
        }
        List<BuildJob> had = plan.jobs().stream().filter(j -> journal.jobs().containsKey(j.id().value())).toList();
        if (had.size() < journal.jobs().size()) {
            throw new KilnException("the plan file " + journal.planFile() + " no longer has every build of run "
                    + journal.runId() + " (it has " + had.size() + " of them, the run had " + journal.jobs().size()
                    + "); resume with the plan file as it was when the run started");
        }
        return plan.withJobs(had);
    }

    /** The plan file the run in {@code runDirectory} was started from, as its journal names it. */
    public static Path resumedPlanFile(Path runDirectory) {
        return planFileOf(Journal.read(runDirectory), runDirectory);
    }

    private static Path planFileOf(Journal journal, Path runDirectory) {
        if (journal.planFile() == null) {
            throw new KilnException("the run in " + runDirectory + " was planned in code, not from a plan file;"
                    + " resume it with resume(runDirectory, plan) and the same plan");
        }
        return journal.planFile();
    }

    private RunResult runHere(Run loop) {
        active.add(loop);
        try {
            return loop.run();
        } finally {
            active.remove(loop);
        }
    }

    private Run resumedLoop(Path runDirectory, BuildPlan given) {
        BuildPlan plan = given != null ? given : resumedPlan(runDirectory);
        Journal journal = Journal.read(runDirectory);
        if (!journal.runId().equals(plan.runId())) {
            throw new KilnException("the run in " + runDirectory + " is run " + journal.runId() + ", but the plan"
                    + " given is for run " + plan.runId());
        }
        Path parent = runDirectory.toAbsolutePath().getParent();
        if (!runDirectory.toAbsolutePath().getFileName().toString().equals(plan.runId())) {
            throw new KilnException("a run directory is named after its run id: expected " + parent.resolve(
                    plan.runId()) + ", got " + runDirectory);
        }
        return new Run(settings(parent), plan, journal);
    }

    /**
     * Runs only the preflight of {@code plan} on the calling thread: packer's version, plugin pins
     * and {@code packer validate}, each target's quota probe, the never-fits checks and image names.
     * No build starts; names reserved are released again. The result's {@link RunResult#refusals()}
     * say what a run would refuse; every job that passed ends CANCELLED ("preflight only"). Quotas
     * probed reach listeners as {@link dev.kiln.event.KilnEvent.QuotaProbed} events. Writes no reports.
     */
    public RunResult preflight(BuildPlan plan) {
        Run loop = newLoop(plan);
        active.add(loop);
        try {
            return loop.run(true);
        } finally {
            active.remove(loop);
        }
    }

    /** Starts {@code plan} on a thread of this Kiln and returns at once. */
    public RunHandle start(BuildPlan plan) {
        return start(newLoop(plan));
    }

    /** {@link #resume(Path)} on a thread of this Kiln: returns at once, cancellable like any run. */
    public RunHandle startResume(Path runDirectory) {
        return start(resumedLoop(runDirectory, null));
    }

    /** {@link #resume(Path, BuildPlan)} on a thread of this Kiln: returns at once, cancellable like any run. */
    public RunHandle startResume(Path runDirectory, BuildPlan plan) {
        return start(resumedLoop(runDirectory, plan));
    }

    private RunHandle start(Run loop) {
        if (ownExecutor == null) {
            throw new KilnException("runs in virtual time are driven by the caller: use run(plan)");
        }
        active.add(loop);
        CountDownLatch done = new CountDownLatch(1);
        RunResult[] result = new RunResult[1];
        RuntimeException[] failure = new RuntimeException[1];
        ownExecutor.execute(() -> {
            try {
                result[0] = loop.run();
            } catch (RuntimeException e) {
                failure[0] = e;
            } finally {
                active.remove(loop);
                done.countDown();
            }
        });
        return new RunHandle() {
            @Override
            public String runId() {
                return loop.runId();
            }

            @Override
            public Path runDirectory() {
                return loop.runDirectory();
            }

            @Override
            public void cancel() {
                loop.cancel();
            }

            @Override
            public RunResult await() throws InterruptedException {
                done.await();
                if (failure[0] != null) {
                    throw failure[0];
                }
                return result[0];
            }
        };
    }

    /** Cancels every active run; each still ends with its jobs terminal and its builds swept. */
    public void cancelAll() {
        active.forEach(Run::cancel);
    }

    private Run newLoop(BuildPlan plan) {
        return new Run(settings(config.runsDirectory), plan);
    }

    private RunSettings settings(Path runsDirectory) {
        if (closed) {
            throw new KilnException("this Kiln is closed");
        }
        if (config.runner == null) {
            throw new KilnException("no packer runner configured: Kiln.builder().packerRunner(PackerRunners.process())"
                    + " for real builds, or a simulated runner");
        }
        return new RunSettings(config.time, config.coordination, config.runner, providers,
                config.listeners, runsDirectory, config.hostSlots, config.gracePeriod, config.adaptive,
                config.steadyShare, config.sampleInterval, ownExecutor, config.seed, config.classifier,
                config.eventLog, config.node, config.leaseTtl, config.watchInterval, config.reuseBuilds,
                config.reports);
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

    /** Configures a {@link Kiln}; {@link #build()} copies the configuration. */
    public static final class Builder {
        private TimeSource time = TimeSource.system();
        private Coordination coordination;
        private PackerRunner runner;
        private final Map<String, CloudProvider> providers = new LinkedHashMap<>();
        private final List<KilnListener> listeners = new ArrayList<>();
        private Path runsDirectory = Path.of("kiln-runs");
        private int hostSlots = 16;
        private Duration gracePeriod = Duration.ofSeconds(30);
        private AdaptiveRateConfig adaptive = AdaptiveRateConfig.DEFAULT;
        private double steadyShare = 0.9;
        private Duration sampleInterval = Duration.ofSeconds(5);
        private long seed = 1;
        private Function<BuildExit, FailureClass> classifier =
                exit -> FailureClassifier.standard().classify(exit, exit.errors()).failure();
        private boolean eventLog = true;
        private String node = Coordination.LOCAL_NODE;
        private Duration leaseTtl = Duration.ofSeconds(30);
        private Duration watchInterval = Duration.ofSeconds(2);
        private boolean reuseBuilds = true;
        private boolean reports = true;

        private Builder() {
        }

        /** The clock every wait goes through; {@link TimeSource#system()} by default. */
        public Builder time(TimeSource time) {
            this.time = Objects.requireNonNull(time, "time");
            return this;
        }

        /** Where limits, reservations and names are shared; in memory by default. */
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

        public Builder listener(KilnListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Each run gets a directory here, named by its run id; {@code ./kiln-runs} by default. */
        public Builder runsDirectory(Path dir) {
            this.runsDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** How many packer processes may run at once on this host; 16 by default. */
        public Builder hostSlots(int slots) {
            if (slots < 1) {
                throw new IllegalArgumentException("host slots must be at least 1, got " + slots);
            }
            this.hostSlots = slots;
            return this;
        }

        /** How long packer gets to clean up after an interrupt before it is killed; 30 s by default. */
        public Builder gracePeriod(Duration grace) {
            this.gracePeriod = Objects.requireNonNull(grace, "grace");
            return this;
        }

        public Builder adaptiveRate(AdaptiveRateConfig config) {
            this.adaptive = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The share of each limit's sustained rate running builds' polling may take; the rest is
         * kept for start and teardown bursts. 0.9 by default.
         */
        public Builder steadyShare(double share) {
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException("steady share must be in (0, 1], got " + share);
            }
            this.steadyShare = share;
            return this;
        }

        /** How often limit levels are sampled for reports; null turns sampling off. */
        public Builder budgetSampleInterval(Duration interval) {
            this.sampleInterval = interval;
            return this;
        }

        /** Seed of the retry jitter, so simulated runs repeat exactly. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Classifies failed builds from their exit; packer's output patterns by default. */
        public Builder classifier(Function<BuildExit, FailureClass> classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /** Whether each run writes {@code events.jsonl}; on by default. */
        public Builder eventLog(boolean write) {
            this.eventLog = write;
            return this;
        }

        /**
         * Makes this Kiln one node of many sharing runs through a shared {@link Coordination} store
         * (PostgreSQL): every job is leased before it starts, so each runs on exactly one node; a
         * node that dies loses its leases after {@link #leaseTtl} and its jobs move to the others.
         * Nodes must run the same plan with the same run id ({@link Kiln#planContext(String)}).
         */
        public Builder node(String nodeId) {
            if (nodeId == null || nodeId.isBlank()) {
                throw new IllegalArgumentException("a node id cannot be blank");
            }
            this.node = nodeId;
            return this;
        }

        /** How long job leases and node heartbeats live without renewal; 30 s by default. */
        public Builder leaseTtl(Duration ttl) {
            if (ttl.isZero() || ttl.isNegative()) {
                throw new IllegalArgumentException("the lease TTL must be positive, got " + ttl);
            }
            this.leaseTtl = ttl;
            return this;
        }

        /** How often a node checks on jobs another node or run is building; 2 s by default. */
        public Builder watchInterval(Duration interval) {
            this.watchInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * Whether a build identical to one another run is building right now (same job, template
         * content and variables) waits for it and reuses its image; on by default. Off rebuilds.
         */
        public Builder reuseIdenticalBuilds(boolean reuse) {
            this.reuseBuilds = reuse;
            return this;
        }

        /**
         * Whether each run with an event log also leaves {@code junit.xml}, {@code report.html} and
         * {@code summary.md} in its directory when it ends ({@link dev.kiln.report.Reports}); on by default.
         */
        public Builder reports(boolean write) {
            this.reports = write;
            return this;
        }

        public Kiln build() {
            if (coordination == null) {
                coordination = InMemoryCoordination.of(time);
            }
            return new Kiln(this);
        }

        private Builder copy() {
            Builder b = new Builder();
            b.time = time;
            b.coordination = coordination;
            b.runner = runner;
            b.providers.putAll(providers);
            b.listeners.addAll(listeners);
            b.runsDirectory = runsDirectory;
            b.hostSlots = hostSlots;
            b.gracePeriod = gracePeriod;
            b.adaptive = adaptive;
            b.steadyShare = steadyShare;
            b.sampleInterval = sampleInterval;
            b.seed = seed;
            b.classifier = classifier;
            b.eventLog = eventLog;
            b.node = node;
            b.leaseTtl = leaseTtl;
            b.watchInterval = watchInterval;
            b.reuseBuilds = reuseBuilds;
            b.reports = reports;
            return b;
        }
    }
}
