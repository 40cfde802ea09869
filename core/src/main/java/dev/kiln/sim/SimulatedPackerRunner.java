package dev.kiln.sim;

import dev.kiln.job.FailureClass;
import dev.kiln.limits.ApiCost;
import dev.kiln.limits.CostModel;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.spi.BuildCallbacks;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.BuildHandle;
import dev.kiln.spi.BuildRequest;
import dev.kiln.spi.PackerRunner;
import dev.kiln.spi.Refusal;
import dev.kiln.spi.Timers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.Function;

/**
 * Runs builds against a {@link SimulatedCloud} on the run's timers: each build makes its start
 * burst, polls steadily, makes its teardown burst and registers its image, taking as long and
 * calling as often as the cloud's cost model says, give or take a random model error (bursts stay
 * whole calls: a build that calls RunInstances once calls it once, however wrong the model's timing).
 *
 * <p>Deterministic: each build draws its error from a generator seeded by the runner's seed, the
 * job id and the attempt, so a plan simulates identically whatever order builds start in.
 */
public final class SimulatedPackerRunner implements PackerRunner {

    private final SimulatedCloud cloud;
    private final long seed;
    private final double modelError;
    private final double failureRate;
    private final FailureClass failureClass;
    private final Duration throttlePenalty;
    private final Function<BuildJob, Duration> knownDurations;

    private SimulatedPackerRunner(Builder b) {
        this.knownDurations = b.knownDurations;
        this.throttlePenalty = b.throttlePenalty;
        this.cloud = b.cloud;
        this.seed = b.seed;
        this.modelError = b.modelError;
        this.failureRate = b.failureRate;
        this.failureClass = b.failureClass;
    }

    public static Builder builder(SimulatedCloud cloud) {
        return new Builder(cloud);
    }

    @Override
    public List<Refusal> preflight(BuildPlan plan, Path runDirectory) {
        return List.of();
    }

    @Override
    public boolean needsWorkspace() {
        return false;
    }

    @Override
    public String describe() {
        return "simulated packer (seed " + seed + ", model error ±" + Math.round(modelError * 100) + "%)";
    }

    /**
     * What one attempt of {@code job} will really be like: its duration, how far its calls differ
     * from the model, and whether it fails. The same draw the build makes, for computing bounds.
     */
    public Draw draw(BuildJob job, int attempt) {
        Random random = new Random(seed * 31 + job.id().value().hashCode() * 17L + attempt);
        double callFactor = 1 + modelError * (2 * random.nextDouble() - 1);
        double durationFactor = 1 + modelError * (2 * random.nextDouble() - 1);
        Duration known = knownDurations.apply(job);
        Duration expected = known != null ? known : job.image().expectedDuration() != null
                ? job.image().expectedDuration() : cloud.costModel(job.image(), job.target()).expectedDuration();
        Duration duration = Duration.ofNanos(Math.max(1, (long) (expected.toNanos() * durationFactor)));
        return new Draw(duration, callFactor, random.nextDouble() < failureRate);
    }

    /**
     * One attempt's reality.
     *
     * @param duration   how long it runs (before throttle penalties)
     * @param callFactor its calls relative to the cost model
     * @param fails      whether it fails halfway
     */
    public record Draw(Duration duration, double callFactor, boolean fails) {
    }

    @Override
    public BuildHandle start(BuildRequest request, BuildCallbacks callbacks) {
        SimBuild build = new SimBuild(request, callbacks);
        build.begin();
        return build;
    }

    /** One simulated packer process. */
    private final class SimBuild implements BuildHandle {
        private final BuildRequest request;
        private final BuildJob job;
        private final BuildCallbacks callbacks;
        private final Timers timers;
        private final CostModel cost;
        private final double callFactor;
        private final long durationNanos;
        private final boolean fails;
        private boolean polling;
        private boolean allocated;
        private boolean done;
        private long penaltyNanos;
        private SimulatedCloud.Hold hold;

        SimBuild(BuildRequest request, BuildCallbacks callbacks) {
            this.request = request;
            this.job = request.job();
            this.callbacks = callbacks;
            this.timers = request.timers();
            this.cost = cloud.costModel(job.image(), job.target());
            Draw draw = draw(job, request.attempt());
            this.callFactor = draw.callFactor();
            this.durationNanos = draw.duration().toNanos();
            this.fails = draw.fails();
        }

        void begin() {
            for (ApiCost c : cost.calls()) {
                report(c.api(), cloud.call(job.target(), c.api(), Math.round(c.atStart() * callFactor)));
            }
            if (!cloud.allocate(job.target(), job.demand(), job.buildId())) {
                finish(new BuildExit(1, List.of(), List.of("Error launching source instance: VcpuLimitExceeded:"
                        + " You have requested more vCPU capacity than your current vCPU limit allows"), false, false,
                        Optional.of(FailureClass.QUOTA)));
                return;
            }
            allocated = true;
            hold = cloud.hold(job.target(), cost.holds(), this::provisioned);
        }

        /** The provider started the build's instance (at once, or after vCenter's queue). */
        private void provisioned() {
            if (done) {
                return;
            }
            for (ApiCost c : cost.calls()) {
                if (c.perMinute() > 0) {
                    report(c.api(), cloud.poll(job.target(), c.api(), c.perMinute() * callFactor / 60));
                }
            }
            polling = true;
            long now = timers.time().nanoTime();
            if (fails) {
                timers.schedule(now + durationNanos / 2, () -> finish(new BuildExit(1, List.of(),
                        List.of("simulated " + failureClass + " failure"), false, false, Optional.of(failureClass))));
            } else {
                timers.schedule(now + durationNanos, this::complete);
            }
            if (request.timeout().toNanos() < durationNanos) {
                timers.schedule(now + request.timeout().toNanos(), () -> finish(new BuildExit(-1, List.of(),
                        List.of("timed out"), true, false, Optional.of(FailureClass.TIMED_OUT))));
            }
        }

        private void complete() {
            if (done) {
                return;
            }
            if (penaltyNanos > 0) {
                // Throttled calls were retried with backoff: the build finishes that much later.
                long delay = penaltyNanos;
                penaltyNanos = 0;
                timers.schedule(timers.time().nanoTime() + delay, this::complete);
                return;
            }
            stopPolling();
            for (ApiCost c : cost.calls()) {
                report(c.api(), cloud.call(job.target(), c.api(), Math.round(c.atEnd() * callFactor)));
            }
            release();
            if (!cloud.createImage(job.target(), job.imageName(), job.buildId())) {
                finish(new BuildExit(1, List.of(), List.of("image quota exceeded"), false, false,
                        Optional.of(FailureClass.QUOTA)));
                return;
            }
            finish(BuildExit.success(List.of(new Artifact(job.image().only(), "kiln.simulated",
                    job.target().region() + ":" + job.imageName(), List.of()))));
        }

        private void stopPolling() {
            if (polling) {
                polling = false;
                for (ApiCost c : cost.calls()) {
                    if (c.perMinute() > 0) {
                        report(c.api(), cloud.poll(job.target(), c.api(), -c.perMinute() * callFactor / 60));
                    }
                }
            }
        }

        private void release() {
            if (allocated) {
                allocated = false;
                cloud.free(job.buildId());
                releaseHold();
            }
        }

        private void releaseHold() {
            if (hold != null) {
                cloud.release(hold);
                hold = null;
            }
        }

        private void report(String api, long throttled) {
            if (throttled > 0) {
                penaltyNanos += throttled * throttlePenalty.toNanos();
                callbacks.onThrottle(api);
            }
        }

        private void finish(BuildExit exit) {
            if (done) {
                return;
            }
            done = true;
            stopPolling();
            // A failed build leaves its instance behind for the sweep, as a killed packer would.
            if (exit.succeeded() || exit.cancelled()) {
                release();
            } else {
                releaseHold();
            }
            callbacks.onExit(exit);
        }

        @Override
        public void cancel() {
            timers.schedule(timers.time().nanoTime(), () -> finish(new BuildExit(130, List.of(), List.of(), false,
                    true, Optional.empty())));
        }

        @Override
        public OptionalLong pid() {
            return OptionalLong.empty();
        }
    }

    /** Configures a {@link SimulatedPackerRunner}. */
    public static final class Builder {
        private final SimulatedCloud cloud;
        private long seed = 1;
        private double modelError;
        private double failureRate;
        private FailureClass failureClass = FailureClass.PROVISIONER_FAILED;
        private Duration throttlePenalty = Duration.ofSeconds(2);
        private Function<BuildJob, Duration> knownDurations = job -> null;

        private Builder(SimulatedCloud cloud) {
            this.cloud = cloud;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Each build's duration and call counts are off by up to ±{@code error} (0.5 = ±50%). */
        public Builder modelError(double error) {
            if (error < 0 || error >= 1) {
                throw new IllegalArgumentException("model error must be in [0, 1), got " + error);
            }
            this.modelError = error;
            return this;
        }

        /** A share of builds fail halfway with {@code failure}. */
        public Builder failures(double rate, FailureClass failure) {
            if (rate < 0 || rate > 1) {
                throw new IllegalArgumentException("failure rate must be in [0, 1], got " + rate);
            }
            this.failureRate = rate;
            this.failureClass = failure;
            return this;
        }

        /**
         * How much later a build finishes per throttled call, for the SDK's backoff and retry of that
         * call (2 s by default: a few attempts of the AWS SDK's standard backoff).
         */
        /**
         * How long builds are known to take (from earlier runs), ahead of the image's expected
         * duration and the cost model; null for a build that is not known.
         */
        public Builder knownDurations(Function<BuildJob, Duration> durations) {
            this.knownDurations = Objects.requireNonNull(durations, "durations");
            return this;
        }

        public Builder throttlePenalty(Duration penalty) {
            this.throttlePenalty = penalty;
            return this;
        }

        public SimulatedPackerRunner build() {
            return new SimulatedPackerRunner(this);
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
