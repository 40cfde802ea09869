package dev.kiln.benchmarks;

import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.job.FailureClass;
import dev.kiln.job.RetryPolicy;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.Scope;
import dev.kiln.packer.Artifact;
import dev.kiln.packer.PackerEvent;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.sim.SimulationResult;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.BuildCallbacks;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.SweepReport;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import io.github.resilience4j.core.IntervalFunction;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The baselines teams actually run: a CI matrix with one job per account-region, each running
 * packer on that region's builds.
 *
 * <ul>
 *   <li>{@link #parallelBuilds}: each job runs {@code packer build -parallel-builds=N}, N builds of
 *       its region at a time, knowing nothing of limits or quotas. Played by Kiln itself with
 *       every provider's limits and quotas hidden and one concurrency limit of N per region in
 *       their place, so the retry policy, throttle cost and clouds are exactly those of the other
 *       policies (and builds start longest first, as Kiln orders them: kinder than a template's
 *       order).
 *   <li>{@link #adaptive}: each job reacts to what its region tells it, as an SDK's adaptive
 *       retry mode does for its client: it starts everything, halves how many builds it runs at
 *       once on a throttle or a refused instance (once per backoff interval), and adds one build's
 *       worth per window of successes. Kiln has no such controller, so an {@link EventLoop} drives
 *       the simulated builds, with the plan's retry policy and backoff as Kiln applies them.
 * </ul>
 *
 * <p>A reactive policy that starts everything and only retries has no state to keep per region:
 * per region it is the global reactive row.
 */
final class Matrix {

    /** The concurrency limit standing for one CI job's {@code -parallel-builds}. */
    private static final String PARALLEL_BUILDS = "ci.parallel-builds";

    private Matrix() {
    }

    /** One packer per account-region with {@code -parallel-builds=n}, retried by the plan's policy. */
    static SimulationResult parallelBuilds(BuildPlan plan, long seed, double modelError, int n) {
        VirtualTime time = TimeSource.virtual(plan.createdAt());
        SimulatedCloud cloud = SimulatedCloud.builder(time).build();
        SimulatedPackerRunner runner = SimulatedPackerRunner.builder(cloud).seed(seed).modelError(modelError).build();
        Kiln.Builder kiln = Kiln.builder().time(time).packerRunner(runner)
                .scheduling(s -> s.withSeed(seed).withHostSlots(100_000).withBudgetSampleInterval(null))
                .files(f -> f.withRunsDirectory(Path.of("kiln-simulation")).withEventLog(false));
        for (CloudProvider p : cloud.providers()) {
            kiln.provider(new ParallelBuilds(p, n));
        }
        try (Kiln k = kiln.build()) {
            RunResult result = k.run(plan);
            cloud.settle();
            return new SimulationResult(result, result.elapsed(), cloud.throttles(), cloud.throttlesByLimit(),
                    cloud.quotaBreaches(), cloud.queuedOperations(), cloud.calls());
        }
    }

    /** A provider that shows Kiln nothing but a limit of {@code n} builds at once per account-region. */
    private static final class ParallelBuilds implements CloudProvider {
        private final CloudProvider cloud;
        private final LimitsTable limits;

        ParallelBuilds(CloudProvider cloud, int n) {
            this.cloud = cloud;
            this.limits = LimitsTable.builder().limit(PARALLEL_BUILDS, LimitSpec.concurrency(n), Scope.REGION).build();
        }

        @Override
        public String id() {
            return cloud.id();
        }

        @Override
        public void start(ProviderContext context) {
            cloud.start(context);
        }

        @Override
        public LimitsTable apiLimits(Target target) {
            return limits;
        }

        @Override
        public CostModel costModel(ImageSpec image, Target target) {
            return new CostModel(cloud.costModel(image, target).expectedDuration(), List.of(),
                    Map.of(PARALLEL_BUILDS, 1L));
        }

        @Override
        public QuotaSnapshot probeQuotas(Target target) {
            return new QuotaSnapshot(target, Instant.EPOCH, Map.of());
        }

        @Override
        public boolean imageExists(Target target, String name) {
            return cloud.imageExists(target, name);
        }

        @Override
        public ArtifactCheck verifyArtifact(BuildJob job, List<Artifact> artifacts) {
            return cloud.verifyArtifact(job, artifacts);
        }

        @Override
        public SweepReport sweep(Target target, String buildId) {
            return cloud.sweep(target, buildId);
        }

        @Override
        public Map<String, String> packerEnv(Target target, Budget budget) {
            return cloud.packerEnv(target, budget);
        }
    }

    /**
     * What a run driven without Kiln came to.
     *
     * @param makespan      from the fleet's start to the last build's end
     * @param throttles     calls the cloud throttled
     * @param quotaBreaches instances or images refused for quota
     * @param meanWait      mean time from the fleet's start (or a retry's backoff) to a build's start
     * @param failed        builds that ran out of attempts
     */
    record Outcome(Duration makespan, long throttles, long quotaBreaches, Duration meanWait, long failed) {
    }

    /** One adaptive job per account-region (AIMD on how many builds it runs at once). */
    static Outcome adaptive(BuildPlan plan, long seed, double modelError) {
        VirtualTime time = TimeSource.virtual(plan.createdAt());
        SimulatedCloud cloud = SimulatedCloud.builder(time).build();
        SimulatedPackerRunner runner = SimulatedPackerRunner.builder(cloud).seed(seed).modelError(modelError).build();
        EventLoop loop = new EventLoop(time);
        Adaptive driver = new Adaptive(plan, runner, cloud, loop, seed);
        driver.begin();
        loop.run();
        cloud.settle();
        return new Outcome(Duration.ofNanos(driver.last), cloud.throttles(), cloud.quotaBreaches(),
                Duration.ofNanos(driver.waited / Math.max(1, plan.jobs().size())), driver.failed);
    }

    /** The adaptive jobs, one per account-region, on one event loop. */
    private static final class Adaptive {
        private final SimulatedPackerRunner runner;
        private final SimulatedCloud cloud;
        private final EventLoop loop;
        private final RetryPolicy retries;
        private final IntervalFunction backoff;
        private final Random random;
        private final Map<String, Region> regions = new LinkedHashMap<>();
        private final Map<BuildJob, Integer> attempts = new HashMap<>();
        private final Map<BuildJob, Long> readySince = new HashMap<>();
        private long last;
        private long waited;
        private long failed;

        Adaptive(BuildPlan plan, SimulatedPackerRunner runner, SimulatedCloud cloud, EventLoop loop, long seed) {
            this.runner = runner;
            this.cloud = cloud;
            this.loop = loop;
            this.retries = plan.retryPolicy();
            this.backoff = IntervalFunction.ofExponentialBackoff(Math.max(1, retries.initialBackoff().toMillis()),
                    retries.multiplier(), Math.max(1, retries.maxBackoff().toMillis()));
            this.random = new Random(seed);
            List<BuildJob> ordered = new ArrayList<>(plan.jobs());
            // Kiln's order, longest expected build first: the same head start the other policies get.
            ordered.sort(Comparator.comparingInt((BuildJob j) -> -j.priority())
                    .thenComparing(j -> j.image().expectedDuration(), Comparator.reverseOrder()));
            for (BuildJob j : ordered) {
                regions.computeIfAbsent(j.target().key(), k -> new Region()).waiting.add(j);
                readySince.put(j, 0L);
            }
            regions.values().forEach(r -> r.window = r.waiting.size());
        }

        void begin() {
            loop.decide(0, () -> regions.values().forEach(this::fill));
        }

        /** One region's CI job: how many builds it runs at once, and its queue. */
        private static final class Region {
            final Deque<BuildJob> waiting = new ArrayDeque<>();
            double window;
            int running;
            long lastCut = Long.MIN_VALUE;
        }

        private void fill(Region r) {
            while (r.running < Math.max(1, (int) r.window) && !r.waiting.isEmpty()) {
                start(r, r.waiting.poll());
            }
        }

        private void start(Region r, BuildJob job) {
            int attempt = attempts.merge(job, 1, Integer::sum);
            long now = loop.time().nanoTime();
            waited += now - readySince.get(job);
            r.running++;
            runner.start(Replay.request(job, attempt, loop), new BuildCallbacks() {
                @Override
                public void onEvent(PackerEvent event) {
                }

                @Override
                public void onThrottle(String api) {
                    long at = loop.time().nanoTime();
                    loop.decide(at, () -> cut(r));
                }

                @Override
                public void onExit(BuildExit exit) {
                    long at = loop.time().nanoTime();
                    loop.decide(at, () -> exited(r, job, attempt, exit));
                }
            });
        }

        private void exited(Region r, BuildJob job, int attempt, BuildExit exit) {
            long now = loop.time().nanoTime();
            r.running--;
            if (exit.succeeded()) {
                r.window += 1 / Math.max(1, r.window);
                last = Math.max(last, now);
            } else {
                cloud.free(job.buildId());
                cut(r);
                FailureClass failure = exit.failure().orElse(FailureClass.UNKNOWN);
                if (attempt < retries.attemptsFor(failure)) {
                    long millis = backoff.apply(attempt);
                    long delay = Duration.ofMillis(millis / 2 + (long) (random.nextDouble() * (millis - millis / 2)))
                            .toNanos();
                    readySince.put(job, now + delay);
                    loop.decide(now + delay, () -> {
                        r.waiting.addFirst(job);
                        fill(r);
                    });
                } else {
                    failed++;
                    last = Math.max(last, now);
                }
            }
            fill(r);
        }

        /** Halves the region's window, at most once per initial backoff (one round trip). */
        private void cut(Region r) {
            long now = loop.time().nanoTime();
            if (r.lastCut != Long.MIN_VALUE && now - r.lastCut < retries.initialBackoff().toNanos()) {
                return;
            }
            r.lastCut = now;
            r.window = Math.max(1, Math.min(r.window, r.running + 1) / 2);
        }
    }
}
