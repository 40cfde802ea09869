package dev.kiln.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.KilnException;
import dev.kiln.RunHandle;
import dev.kiln.RunResult;
import dev.kiln.event.KilnEvent;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.spi.BuildCallbacks;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.BuildHandle;
import dev.kiln.spi.BuildRequest;
import dev.kiln.spi.PackerRunner;
import dev.kiln.spi.Refusal;
import dev.kiln.testing.Recorder;
import dev.kiln.time.TimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds of a runner that starts them side by side start at once, not one after another on the
 * run's thread (issue 20, item 4: the eighth packer started up to 0.9 s after the first), and every
 * interleaving of a start still under way with the run's other news ends each job as before.
 */
class ConcurrentStartsTest {

    private static final Target EAST = Target.of("aws", "123456789012", "us-east-1");

    @TempDir
    Path runs;

    private final SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.system()).build();
    private final Recorder recorder = new Recorder();

    @Test
    void issue20_admitted_builds_are_in_their_starts_at_once() throws InterruptedException {
        // Given a runner whose starts each wait for a release, and two builds with a slot each
        GatedStarts packer = new GatedStarts(cloud);
        BuildPlan plan = plan("side1", 2);
        try (Kiln kiln = kiln(packer, 2)) {
            // When the run admits them
            RunHandle run = kiln.start(plan);

            // Then both are in the runner's start before either start returned
            eventually("both builds in start").until(() -> packer.entered() == 2);
            packer.release();
            eventually("both processes journalled").until(() -> recorder.of(KilnEvent.BuildProcess.class).size() == 2);
            packer.finishAll();
            RunResult result = run.await();

            // and each build's process is journalled after its start and before its end, and each succeeded
            assertThat(result.jobs()).extracting(JobResult::state).containsOnly(JobState.SUCCEEDED);
            for (BuildJob job : plan.jobs()) {
                assertProcessBetweenStartAndEnd(job);
            }
        }
    }

    @Test
    void issue20_a_run_cancelled_while_a_build_starts_stops_and_sweeps_that_build() throws InterruptedException {
        // Given one slot: the first build in its start, held there, the second waiting for the slot
        GatedStarts packer = new GatedStarts(cloud);
        BuildPlan plan = plan("cancel1", 2);
        BuildJob starting = plan.jobs().get(0);
        try (Kiln kiln = kiln(packer, 1)) {
            RunHandle run = kiln.start(plan);
            eventually("the first build in start").until(() -> packer.entered() == 1);

            // When the run is cancelled, and its loop has heard so (the waiting build is cancelled),
            // before the start returns
            run.cancel();
            eventually("the waiting build cancelled").until(() -> ended(plan.jobs().get(1)) == JobState.CANCELLED);
            packer.release();
            RunResult result = run.await();

            // Then the build that was starting was stopped once it had started, swept, and cancelled
            assertThat(packer.builds()).singleElement().satisfies(b -> assertThat(b.cancelled()).isTrue());
            assertThat(result.jobs()).extracting(JobResult::state).containsOnly(JobState.CANCELLED);
            assertThat(recorder.of(KilnEvent.Swept.class)).singleElement().satisfies(s -> {
                assertThat(s.jobId()).isEqualTo(starting.id().value());
                assertThat(s.deleted()).containsExactly("instance/" + starting.buildId());
            });
            assertThat(cloud.resourcesOf(starting.buildId())).isEmpty();
            assertProcessBetweenStartAndEnd(starting);
        }
    }

    @Test
    void issue20_a_build_whose_start_was_still_queued_when_the_run_was_cancelled_never_starts()
            throws InterruptedException {
        // Given more builds admitted than start at once (4), all four starts held, and one build
        // waiting for a slot
        GatedStarts packer = new GatedStarts(cloud);
        BuildPlan plan = plan("queued1", 6);
        try (Kiln kiln = kiln(packer, 5)) {
            RunHandle run = kiln.start(plan);
            eventually("four builds in start").until(() -> packer.entered() == 4);
            eventually("the fifth admitted").until(() -> recorder.of(KilnEvent.BuildStarted.class).size() == 5);

            // When the run is cancelled, its loop hears so, and then the four starts return
            run.cancel();
            eventually("the waiting build cancelled").until(() -> ended(plan.jobs().get(5)) == JobState.CANCELLED);
            packer.release();
            RunResult result = run.await();

            // Then the fifth never reached the runner, the four were stopped and swept, and all ended cancelled
            assertThat(packer.entered()).isEqualTo(4);
            assertThat(packer.builds()).hasSize(4).allSatisfy(b -> assertThat(b.cancelled()).isTrue());
            assertThat(result.jobs()).extracting(JobResult::state).containsOnly(JobState.CANCELLED);
            assertThat(recorder.of(KilnEvent.Swept.class)).extracting(KilnEvent.Swept::deleted)
                    .filteredOn(deleted -> !deleted.isEmpty()).hasSize(4);
            for (BuildJob job : plan.jobs()) {
                assertThat(cloud.resourcesOf(job.buildId())).as(job.id().value()).isEmpty();
            }
        }
    }

    @Test
    void issue20_a_build_that_ends_before_its_start_returns_is_journalled_started_then_ended()
            throws InterruptedException {
        // Given a runner whose builds end (successfully) before their start returns
        GatedStarts packer = new GatedStarts(cloud);
        packer.endBeforeReturning();
        packer.release();
        BuildPlan plan = plan("early1", 2);

        // When they run
        RunResult result;
        try (Kiln kiln = kiln(packer, 2)) {
            result = kiln.run(plan);
        }

        // Then each succeeded, its process journalled before its end
        assertThat(result.jobs()).extracting(JobResult::state).containsOnly(JobState.SUCCEEDED);
        for (BuildJob job : plan.jobs()) {
            assertProcessBetweenStartAndEnd(job);
        }
    }

    @Test
    void issue20_a_start_that_throws_fails_its_build_with_the_reason() throws InterruptedException {
        // Given a runner whose start throws, and one attempt per build
        GatedStarts packer = new GatedStarts(cloud);
        packer.failWith(new KilnException("packer vanished"));
        packer.release();
        BuildPlan plan = plan("throw1", 2).toBuilder()
                .retryPolicy(RetryPolicy.defaults().withAttempts(FailureClass.UNKNOWN, 1)).build();

        // When they run
        RunResult result;
        try (Kiln kiln = kiln(packer, 2)) {
            result = kiln.run(plan);
        }

        // Then each failed with what the runner said, and nothing was left running
        assertThat(result.jobs()).allSatisfy(j -> {
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.message()).contains("packer vanished");
        });
        assertThat(recorder.of(KilnEvent.BuildProcess.class)).isEmpty();
    }

    private Kiln kiln(PackerRunner packer, int slots) {
        Kiln.Builder b = Kiln.builder().files(f -> f.withRunsDirectory(runs)).listener(recorder)
                .scheduling(s -> s.withHostSlots(slots)).packerRunner(packer);
        cloud.providers().forEach(b::provider);
        return b.build();
    }

    private static BuildPlan plan(String runId, int jobs) {
        List<BuildJob> list = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            ImageSpec image = ImageSpec.builder("img" + i, Path.of("/templates/img.json"), "null")
                    .expectedDuration(Duration.ofMinutes(1)).vcpus(2).build();
            String buildId = runId + "-" + i;
            list.add(new BuildJob(JobId.of(image.name(), EAST, "dev"), image, EAST, "dev", "img" + i + "-" + buildId,
                    buildId, Set.of(), Demand.of(2, 1, 0, 0).with(Demand.IMAGES, 1)));
        }
        return BuildPlan.builder("starts").runId(runId).createdAt(Instant.parse("2026-01-05T09:00:00Z"))
                .jobs(list).build();
    }

    private static ConditionFactory eventually(String what) {
        return await(what).atMost(Duration.ofMinutes(1)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    private JobState ended(BuildJob job) {
        return recorder.of(KilnEvent.JobStateChanged.class).stream()
                .filter(e -> e.jobId().equals(job.id().value()) && e.to().isTerminal())
                .map(KilnEvent.JobStateChanged::to).findFirst().orElse(null);
    }

    private void assertProcessBetweenStartAndEnd(BuildJob job) {
        List<KilnEvent> events = recorder.events();
        int started = -1;
        int process = -1;
        int ended = -1;
        for (int i = 0; i < events.size(); i++) {
            KilnEvent e = events.get(i);
            if (e instanceof KilnEvent.BuildStarted s && s.jobId().equals(job.id().value())) {
                started = i;
            } else if (e instanceof KilnEvent.BuildProcess p && p.jobId().equals(job.id().value())) {
                process = i;
            } else if (e instanceof KilnEvent.BuildEnded x && x.jobId().equals(job.id().value())) {
                ended = i;
            }
        }
        assertThat(started).as(job.id() + " started").isNotNegative();
        assertThat(process).as(job.id() + "'s process after its start").isGreaterThan(started);
        assertThat(ended).as(job.id() + "'s end after its process").isGreaterThan(process);
    }

    /**
     * A runner that says it starts side by side and holds every start until {@link #release()}. Its
     * builds take an instance of the simulated cloud (what a sweep finds) and run until
     * {@link #finishAll()} makes an image of each, or a cancel stops one and leaves its instance.
     */
    private static final class GatedStarts implements PackerRunner {
        private final SimulatedCloud cloud;
        private final CountDownLatch released = new CountDownLatch(1);
        private final AtomicInteger entered = new AtomicInteger();
        private final List<Build> builds = new CopyOnWriteArrayList<>();
        private volatile boolean endBeforeReturning;
        private volatile RuntimeException failure;

        GatedStarts(SimulatedCloud cloud) {
            this.cloud = cloud;
        }

        void release() {
            released.countDown();
        }

        void endBeforeReturning() {
            endBeforeReturning = true;
        }

        void failWith(RuntimeException e) {
            failure = e;
        }

        int entered() {
            return entered.get();
        }

        List<Build> builds() {
            return List.copyOf(builds);
        }

        void finishAll() {
            builds.forEach(Build::succeed);
        }

        @Override
        public boolean startsConcurrently() {
            return true;
        }

        @Override
        public BuildHandle start(BuildRequest request, BuildCallbacks callbacks) {
            entered.incrementAndGet();
            try {
                if (!released.await(1, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the test never released the start of " + request.job().id());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (failure != null) {
                throw failure;
            }
            BuildJob job = request.job();
            cloud.allocate(job.target(), job.demand(), job.buildId());
            Build build = new Build(cloud, job, callbacks, 4000 + entered.get());
            builds.add(build);
            if (endBeforeReturning) {
                build.succeed();
            }
            return build;
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
            return "gated starts";
        }
    }

    private static final class Build implements BuildHandle {
        private final SimulatedCloud cloud;
        private final BuildJob job;
        private final BuildCallbacks callbacks;
        private final long pid;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile boolean cancelled;

        Build(SimulatedCloud cloud, BuildJob job, BuildCallbacks callbacks, long pid) {
            this.cloud = cloud;
            this.job = job;
            this.callbacks = callbacks;
            this.pid = pid;
        }

        void succeed() {
            if (done.compareAndSet(false, true)) {
                cloud.free(job.buildId());
                cloud.createImage(job.target(), job.imageName(), job.buildId());
                callbacks.onExit(BuildExit.success(List.of(new Artifact(job.image().only(), "kiln.simulated",
                        job.target().region() + ":" + job.imageName(), List.of()))));
            }
        }

        boolean cancelled() {
            return cancelled;
        }

        @Override
        public void cancel() {
            cancelled = true;
            // killed: its instance stays behind for the sweep
            if (done.compareAndSet(false, true)) {
                callbacks.onExit(new BuildExit(130, List.of(), List.of(), false, true, Optional.empty()));
            }
        }

        @Override
        public OptionalLong pid() {
            return OptionalLong.of(pid);
        }
    }
}
