package dev.kiln.sim;

import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.job.FailureClass;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.SweepReport;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a plan in virtual time against a {@link SimulatedCloud}: the real scheduler, limits and
 * ledger, with simulated builds. Deterministic for a given seed; a fleet that takes hours runs
 * in well under a second per thousand builds.
 *
 * <pre>{@code
 * SimulationResult r = Simulation.builder().seed(7).modelError(0.5).build().run(plan);
 * assert r.throttles() == 0;
 * }</pre>
 */
public final class Simulation {

    private final Builder config;

    private Simulation(Builder b) {
        this.config = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Simulates {@code plan} from its creation time. */
    public SimulationResult run(BuildPlan plan) {
        VirtualTime time = TimeSource.virtual(plan.createdAt());
        SimulatedCloud.Builder cloudBuilder = SimulatedCloud.builder(time);
        config.cloud.accept(cloudBuilder);
        SimulatedCloud cloud = cloudBuilder.build();
        SimulatedPackerRunner runner = SimulatedPackerRunner.builder(cloud).seed(config.seed)
                .modelError(config.modelError).failures(config.failureRate, config.failureClass)
                .knownDurations(config.knownDurations).build();
        Kiln.Builder kiln = Kiln.builder().time(time).packerRunner(runner)
                .scheduling(s -> s.withSeed(config.seed).withHostSlots(config.hostSlots).withBudgetSampleInterval(null)
                        .withForecast(false))
                .files(f -> f.withRunsDirectory(Path.of("kiln-simulation")).withEventLog(false));
        for (CloudProvider p : cloud.providers()) {
            kiln.provider(config.kilnSeesLimits ? p : new Unlimited(p));
        }
        config.kiln.accept(kiln);
        try (Kiln k = kiln.build()) {
            config.onStart.accept(k);
            RunResult result = k.run(plan);
            cloud.settle();
            return new SimulationResult(result, result.elapsed(), cloud.throttles(), cloud.throttlesByLimit(),
                    cloud.quotaBreaches(), cloud.queuedOperations(), cloud.calls());
        }
    }

    /** A provider that admits to no limits and no quotas. */
    private static final class Unlimited implements CloudProvider {
        private final CloudProvider delegate;

        Unlimited(CloudProvider delegate) {
            this.delegate = delegate;
        }

        @Override
        public String id() {
            return delegate.id();
        }

        @Override
        public void start(ProviderContext context) {
            delegate.start(context);
        }

        @Override
        public LimitsTable apiLimits(Target target) {
            return LimitsTable.none();
        }

        @Override
        public CostModel costModel(ImageSpec image, Target target) {
            return delegate.costModel(image, target);
        }

        @Override
        public QuotaSnapshot probeQuotas(Target target) {
            return new QuotaSnapshot(target, Instant.EPOCH, Map.of());
        }

        @Override
        public boolean imageExists(Target target, String name) {
            return delegate.imageExists(target, name);
        }

        @Override
        public ArtifactCheck verifyArtifact(BuildJob job, List<Artifact> artifacts) {
            return delegate.verifyArtifact(job, artifacts);
        }

        @Override
        public SweepReport sweep(Target target, String buildId) {
            return delegate.sweep(target, buildId);
        }

        @Override
        public Map<String, String> packerEnv(Target target, Budget budget) {
            return delegate.packerEnv(target, budget);
        }
    }

    /** Configures a {@link Simulation}. */
    public static final class Builder {
        private long seed = 1;
        private double modelError;
        private int hostSlots = 10_000;
        private double failureRate;
        private FailureClass failureClass = FailureClass.PROVISIONER_FAILED;
        private Consumer<SimulatedCloud.Builder> cloud = c -> { };
        private Consumer<Kiln.Builder> kiln = k -> { };
        private Consumer<Kiln> onStart = k -> { };
        private boolean kilnSeesLimits = true;
        private Function<BuildJob, Duration> knownDurations = job -> null;

        private Builder() {
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Each build's real duration and call counts differ from the model by up to ±error. */
        public Builder modelError(double error) {
            this.modelError = error;
            return this;
        }

        /** Concurrent packer processes allowed; effectively unlimited by default, as in a fleet of runners. */
        public Builder hostSlots(int slots) {
            this.hostSlots = slots;
            return this;
        }

        public Builder failures(double rate, FailureClass failure) {
            this.failureRate = rate;
            this.failureClass = failure;
            return this;
        }

        /** Shapes the simulated cloud: its limits, quotas and outside usage. */
        public Builder cloud(Consumer<SimulatedCloud.Builder> customizer) {
            this.cloud = customizer;
            return this;
        }

        /** Shapes Kiln itself: adaptive rate, steady share, listeners. */
        public Builder kiln(Consumer<Kiln.Builder> customizer) {
            this.kiln = customizer;
            return this;
        }

        /**
         * Kiln is told nothing of the cloud's limits and quotas: it starts builds as host slots allow
         * and only learns from throttles and failures, as {@code packer -parallel-builds=N} or an
         * orchestrator without pre-limits would. The cloud still enforces everything. For comparisons.
         */
        public Builder withoutLimits() {
            this.kilnSeesLimits = false;
            return this;
        }

        /** Handed the simulation's Kiln before the run starts, e.g. to cancel it from a listener. */
        public Builder onStart(Consumer<Kiln> consumer) {
            this.onStart = consumer;
            return this;
        }

        /** How long builds are known to take, as {@link SimulatedPackerRunner.Builder#knownDurations}. */
        public Builder knownDurations(Function<BuildJob, Duration> durations) {
            this.knownDurations = Objects.requireNonNull(durations, "durations");
            return this;
        }

        public Simulation build() {
            return new Simulation(this);
        }
    }
}
