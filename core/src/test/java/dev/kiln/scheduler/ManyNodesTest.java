package dev.kiln.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunHandle;
import dev.kiln.RunResult;
import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.event.KilnEvent;
import dev.kiln.job.JobState;
import dev.kiln.job.StateChange;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.packer.PackerEvent;
import dev.kiln.spi.BuildCallbacks;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.BuildHandle;
import dev.kiln.spi.BuildRequest;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.ImageNames;
import dev.kiln.spi.Lease;
import dev.kiln.spi.Leases;
import dev.kiln.spi.PackerRunner;
import dev.kiln.spi.Rates;
import dev.kiln.spi.Refusal;
import dev.kiln.spi.Reservations;
import dev.kiln.testing.Recorder;
import dev.kiln.time.TimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several Kiln nodes sharing one coordination store and one (simulated) cloud, in real time with
 * short simulated builds: each job runs once, a dead node's jobs move on, identical builds of two
 * runs are built once.
 */
class ManyNodesTest {

    private static final Target EAST = Target.of("aws", "123456789012", "us-east-1");
    private static final Target WEST = Target.of("aws", "123456789012", "us-west-2");

    @TempDir
    Path runs;

    private final Coordination store = InMemoryCoordination.of(TimeSource.system());
    /**
     * Leases no node should lose: these nodes run on the system clock, and on a loaded machine a
     * short lease can lapse between two renewals, so that another node takes a job over.
     */
    private static final Duration STEADY_LEASES = Duration.ofSeconds(30);
    /** Leases meant to lapse: the stalled node's, which the other node must take over. */
    private static final Duration LAPSING_LEASES = Duration.ofSeconds(2);

    private final SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.system()).build();

    private static BuildPlan plan(String runId, int jobs) {
        return plan(runId, jobs, Duration.ofMillis(300), List.of(EAST, WEST));
    }

    private static BuildPlan plan(String runId, int jobs, Duration each, List<Target> targets) {
        List<BuildJob> list = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            ImageSpec image = ImageSpec.builder("img" + i, Path.of("/templates/img.json"), "null")
                    .expectedDuration(each).vcpus(2).build();
            Target target = targets.get(i % targets.size());
            String buildId = runId + "-" + i;
            list.add(new BuildJob(JobId.of(image.name(), target, "dev"), image, target, "dev",
                    "img" + i + "-" + buildId, buildId, Set.of(), Demand.of(2, 1, 0, 0).with(Demand.IMAGES, 1)));
        }
        return BuildPlan.builder("shared").runId(runId).createdAt(Instant.parse("2026-01-05T09:00:00Z"))
                .jobs(list).build();
    }

    private Kiln node(String id, Recorder recorder) {
        return node(id, recorder, cloud);
    }

    private Kiln node(String id, Recorder recorder, SimulatedCloud cloud) {
        return node(id, recorder, cloud, store);
    }

    private Kiln node(String id, Recorder recorder, Coordination store) {
        return node(id, recorder, cloud, store);
    }

    private Kiln node(String id, Recorder recorder, SimulatedCloud cloud, Coordination store) {
        return node(id, recorder, cloud, store, STEADY_LEASES);
    }

    /** A node of run A whose builds are {@code packer}'s. */
    private Kiln node(String id, Recorder recorder, PackerRunner packer) {
        Kiln.Builder b = Kiln.builder().coordination(store)
                .sharing(s -> s.withNode(id).withLeaseTtl(STEADY_LEASES).withWatchInterval(Duration.ofMillis(100)))
                .files(f -> f.withRunsDirectory(runs.resolve(id))).listener(recorder).packerRunner(packer);
        cloud.providers().forEach(b::provider);
        return b.build();
    }

    /**
     * Simulated builds whose ends are held until {@link #release()}: what a test needs to be sure of
     * while builds run is then true however slowly this machine runs it. Builds ending after the
     * release end at once.
     */
    private static final class HeldExits implements PackerRunner {
        private final PackerRunner delegate;
        private final List<Runnable> held = new ArrayList<>();
        private boolean released;

        HeldExits(PackerRunner delegate) {
            this.delegate = delegate;
        }

        void release() {
            List<Runnable> exits;
            synchronized (this) {
                released = true;
                exits = List.copyOf(held);
                held.clear();
            }
            exits.forEach(Runnable::run);
        }

        @Override
        public List<Refusal> preflight(BuildPlan plan, Path runDirectory) {
            return delegate.preflight(plan, runDirectory);
        }

        @Override
        public BuildHandle start(BuildRequest request, BuildCallbacks callbacks) {
            return delegate.start(request, new BuildCallbacks() {
                @Override
                public void onEvent(PackerEvent event) {
                    callbacks.onEvent(event);
                }

                @Override
                public void onThrottle(String api) {
                    callbacks.onThrottle(api);
                }

                @Override
                public void onExit(BuildExit exit) {
                    synchronized (HeldExits.this) {
                        if (!released) {
                            held.add(() -> callbacks.onExit(exit));
                            return;
                        }
                    }
                    callbacks.onExit(exit);
                }
            });
        }

        @Override
        public boolean needsWorkspace() {
            return delegate.needsWorkspace();
        }

        @Override
        public String describe() {
            return delegate.describe();
        }
    }

    private Kiln node(String id, Recorder recorder, SimulatedCloud cloud, Coordination store, Duration leaseTtl) {
        Kiln.Builder b = Kiln.builder().coordination(store)
                .sharing(s -> s.withNode(id).withLeaseTtl(leaseTtl)
                        .withWatchInterval(Duration.ofMillis(100)))
                .files(f -> f.withRunsDirectory(runs.resolve(id))).listener(recorder)
                .packerRunner(SimulatedPackerRunner.builder(cloud).build());
        cloud.providers().forEach(b::provider);
        return b.build();
    }

    @Test
    void three_nodes_on_one_run_build_every_job_exactly_once() throws InterruptedException {
        // Given three nodes running the same 24-build run against one store and one cloud
        BuildPlan plan = plan("shared1", 24);
        List<Recorder> recorders = List.of(new Recorder(), new Recorder(), new Recorder());
        List<Kiln> nodes = List.of(node("n1", recorders.get(0)), node("n2", recorders.get(1)),
                node("n3", recorders.get(2)));

        // When they run it at once
        List<RunHandle> handles = new ArrayList<>();
        for (Kiln k : nodes) {
            handles.add(k.start(plan));
        }
        List<RunResult> results = new ArrayList<>();
        for (RunHandle h : handles) {
            results.add(h.await());
        }
        nodes.forEach(Kiln::close);

        // Then every build started exactly once across the nodes, and every node sees every job succeed
        Map<String, Integer> starts = new HashMap<>();
        for (Recorder r : recorders) {
            r.of(KilnEvent.BuildStarted.class).forEach(e -> starts.merge(e.jobId(), 1, Integer::sum));
        }
        assertThat(starts).hasSize(24).allSatisfy((job, count) -> assertThat(count).as(job).isEqualTo(1));
        for (RunResult result : results) {
            assertThat(result.jobs()).extracting(JobResult::state).containsOnly(JobState.SUCCEEDED);
            assertThat(result.jobs()).allSatisfy(j -> assertThat(j.verified()).isNotEmpty());
        }
        assertThat(cloud.quotaBreaches()).isZero();
    }

    @Test
    void a_node_joining_a_run_late_counts_the_builds_of_the_nodes_ahead_of_it_once() throws InterruptedException {
        // Given a region whose quota holds two builds, both running on n1 when n2 joins the run
        SimulatedCloud tight = SimulatedCloud.builder(TimeSource.system()).quota("aws", "vcpus", 4).build();
        BuildPlan plan = plan("late1", 4, Duration.ofSeconds(1), List.of(EAST));
        Recorder first = new Recorder();
        Recorder late = new Recorder();
        try (Kiln n1 = node("n1", first, tight); Kiln n2 = node("n2", late, tight)) {
            RunHandle ahead = n1.start(plan);
            await("n1's two builds to start").atMost(Duration.ofMinutes(1)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> first.of(KilnEvent.BuildStarted.class).size() >= 2);

            // When n2 probes the region, where n1's builds now use the whole quota
            RunResult joined = n2.run(plan);
            ahead.await();

            // Then n2 took the usage n1 probed before it built anything, refused nothing, and the fleet finished
            assertThat(late.of(KilnEvent.QuotaProbed.class)).singleElement()
                    .satisfies(p -> assertThat(p.quotas().get("vcpus").usage()).isZero());
            assertThat(joined.refusals()).isEmpty();
            assertThat(joined.jobs()).extracting(JobResult::state).containsOnly(JobState.SUCCEEDED);
            assertThat(tight.quotaBreaches()).isZero();
        }
    }

    @Test
    void a_node_joining_a_run_late_takes_the_images_its_run_already_built() throws InterruptedException {
        // Given a shared run n1 has built to the end
        BuildPlan plan = plan("late2", 4);
        try (Kiln n1 = node("n1", new Recorder())) {
            n1.run(plan);
        }
        Recorder late = new Recorder();

        // When n2 joins it, where every image of the plan now exists
        RunResult joined;
        try (Kiln n2 = node("n2", late)) {
            joined = n2.run(plan);
        }

        // Then n2 builds nothing, refuses nothing, and reports n1's images
        assertThat(joined.refusals()).isEmpty();
        assertThat(late.of(KilnEvent.BuildStarted.class)).isEmpty();
        assertThat(joined.jobs()).allSatisfy(j -> {
            assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(j.verified()).isNotEmpty();
        });
    }

    @Test
    void an_image_no_node_of_the_run_built_is_still_a_name_taken() throws InterruptedException {
        // Given an image of the plan's name that someone else made
        BuildPlan plan = plan("taken1", 2);
        BuildJob taken = plan.jobs().get(0);
        cloud.createImage(taken.target(), taken.imageName(), "someone-else");
        Recorder recorder = new Recorder();

        // When a node runs the plan
        RunResult result;
        try (Kiln n1 = node("n1", recorder)) {
            result = n1.run(plan);
        }

        // Then that job is refused as in a run of one process, and the other is built
        assertThat(result.refusals()).singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo(taken.id().value());
            assertThat(r.message()).isEqualTo("an image named '" + taken.imageName() + "' already exists in "
                    + taken.target().key() + "; change the naming template or deregister it");
        });
        assertThat(result.jobs()).extracting(JobResult::state).containsExactly(JobState.FAILED, JobState.SUCCEEDED);
        assertThat(store.leases().outcome("job:taken1:" + taken.id().value())).hasValueSatisfying(o -> assertThat(o)
                .contains("\"state\":\"FAILED\"").contains("\"failure\":\"NAME_COLLISION\""));
    }

    @Test
    void a_job_held_by_a_dead_node_is_swept_and_built_by_another() throws InterruptedException {
        // Given a node that leased a job, left an instance behind and died (no renewals)
        BuildPlan plan = plan("shared2", 2);
        BuildJob orphan = plan.jobs().get(0);
        store.leases().tryLease("job:shared2:" + orphan.id().value(), "ghost", Duration.ofMillis(500)).orElseThrow();
        cloud.allocate(orphan.target(), orphan.demand(), orphan.buildId());
        Recorder recorder = new Recorder();

        // When a live node runs the plan
        RunResult result;
        try (Kiln n1 = node("n1", recorder)) {
            result = n1.run(plan);
        }

        // Then it waited for the lease to lapse, swept the dead node's debris, and built the job itself
        assertThat(result.jobs()).extracting(JobResult::state).containsOnly(JobState.SUCCEEDED);
        assertThat(recorder.of(KilnEvent.Swept.class)).singleElement().satisfies(s -> {
            assertThat(s.jobId()).isEqualTo(orphan.id().value());
            assertThat(s.deleted()).containsExactly("instance/" + orphan.buildId());
        });
        assertThat(recorder.of(KilnEvent.JobWaiting.class)).extracting(KilnEvent.JobWaiting::reason)
                .contains("running on another node");
        assertThat(recorder.startOrder()).contains(orphan.id().value());
    }

    @Test
    void a_node_that_stalled_past_its_lease_stops_its_build_and_takes_the_new_holders_outcome() throws Exception {
        // Given node n1 building a long job, whose loop then stalls (a GC pause) until n2 has taken the job over
        CountDownLatch n2Building = new CountDownLatch(1);
        AtomicBoolean stall = new AtomicBoolean();
        Coordination stalling = new Stalling(store, lease -> lease.owner().equals("n1") && stall.get(), n2Building);
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        try (Kiln n1 = node("n1", first, cloud, stalling, LAPSING_LEASES);
                Kiln n2 = node("n2", second, cloud, stalling, LAPSING_LEASES)) {
            RunHandle run1 = n1.start(plan("shared5", 1, Duration.ofMinutes(10), List.of(EAST)));
            await("n1's build to start").atMost(Duration.ofMinutes(1)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> !first.of(KilnEvent.BuildStarted.class).isEmpty());
            stall.set(true);

            // When n2 joins, the lease lapses, n2 leases the job and starts building it, and n1 wakes up
            RunHandle run2 = n2.start(plan("shared5", 1, Duration.ofMillis(300), List.of(EAST)));
            await("n2's build to start").atMost(Duration.ofMinutes(1)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> !second.of(KilnEvent.BuildStarted.class).isEmpty());
            n2Building.countDown();
            RunResult result1 = run1.await();
            RunResult result2 = run2.await();

            // Then n1 stopped its build and swept nothing (the build id is n2's now), and reports the job
            // as n2 built it, once; n2 built the job
            assertThat(result1.jobs()).singleElement().satisfies(j -> {
                assertThat(j.history()).extracting(StateChange::reason)
                        .contains("lease lost: another node builds it now");
                assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
                assertThat(j.history().get(j.history().size() - 1).reason()).startsWith("built by node n2");
            });
            assertThat(first.of(KilnEvent.BuildStarted.class)).hasSize(1);
            assertThat(first.of(KilnEvent.Swept.class)).isEmpty();
            assertThat(result2.jobs()).extracting(JobResult::state).containsOnly(JobState.SUCCEEDED);
            assertThat(second.of(KilnEvent.Swept.class)).as("n2 swept n1's build before its own").hasSize(1);
        }
    }

    @Test
    void an_identical_build_of_another_run_is_waited_for_and_reused() throws InterruptedException {
        // Given two runs of the same fleet, the second started while the first is building: the first's
        // builds end only once the second waits for every one of them (with 300 ms builds and no hold, a
        // loaded machine let the first finish before the second looked, and the second built them again)
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        HeldExits held = new HeldExits(SimulatedPackerRunner.builder(cloud).build());
        try (Kiln a = node("local-a", first, held); Kiln b = node("local-b", second)) {
            RunHandle runA = a.start(plan("runa", 4));
            await("run A's four builds to start").atMost(Duration.ofMinutes(1)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> first.of(KilnEvent.BuildStarted.class).size() >= 4);
            RunHandle runB = b.start(plan("runb", 4));
            await("run B to wait for each of run A's builds").atMost(Duration.ofMinutes(1))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                    .until(() -> second.of(KilnEvent.JobWaiting.class).stream()
                            .filter(w -> w.reason().equals("an identical build of another run is in progress"))
                            .map(KilnEvent.JobWaiting::jobId).distinct().count() == 4);
            held.release();
            RunResult resultB = runB.await();
            RunResult resultA = runA.await();

            // Then the second built nothing and reports the first run's images
            assertThat(second.of(KilnEvent.BuildStarted.class)).isEmpty();
            assertThat(resultB.jobs()).extracting(JobResult::state).containsOnly(JobState.SUCCEEDED);
            for (int i = 0; i < 4; i++) {
                JobResult reused = resultB.jobs().get(i);
                assertThat(reused.message()).startsWith("reused the identical build of run runa");
                assertThat(reused.verified()).isEqualTo(resultA.jobs().get(i).verified());
            }
        }
    }

    @Test
    void with_reuse_off_an_identical_build_of_another_run_is_built_again() throws InterruptedException {
        // Given two runs of the same fleet, the second started while the first is building, by a Kiln
        // told to rebuild (kiln run --rebuild)
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        Kiln.Builder rebuilding = Kiln.builder().coordination(store)
                .sharing(s -> s.withNode("local-b").withLeaseTtl(STEADY_LEASES)
                        .withWatchInterval(Duration.ofMillis(100)).withReuseIdenticalBuilds(false))
                .files(f -> f.withRunsDirectory(runs.resolve("local-b"))).listener(second)
                .packerRunner(SimulatedPackerRunner.builder(cloud).build());
        cloud.providers().forEach(rebuilding::provider);
        try (Kiln a = node("local-a", first); Kiln b = rebuilding.build()) {
            RunHandle runA = a.start(plan("runc", 4));
            await("run A's four builds to start").atMost(Duration.ofMinutes(1)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> first.of(KilnEvent.BuildStarted.class).size() >= 4);
            RunResult resultB = b.run(plan("rund", 4));
            runA.await();

            // Then the second built every image itself
            assertThat(second.of(KilnEvent.BuildStarted.class)).hasSize(4);
            assertThat(resultB.jobs()).extracting(JobResult::state).containsOnly(JobState.SUCCEEDED);
            assertThat(resultB.jobs()).extracting(JobResult::message).noneMatch(m -> m.startsWith("reused"));
        }
    }

    /** The store, except that renewing a chosen lease first waits for a latch: that node's loop stalls. */
    private static final class Stalling implements Coordination, Leases {
        private final Coordination store;
        private final Predicate<Lease> stalls;
        private final CountDownLatch until;

        Stalling(Coordination store, Predicate<Lease> stalls, CountDownLatch until) {
            this.store = store;
            this.stalls = stalls;
            this.until = until;
        }

        @Override
        public boolean renew(Lease lease, Duration ttl) {
            if (stalls.test(lease)) {
                try {
                    assertThat(until.await(1, TimeUnit.MINUTES)).as("the stall ended").isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return store.leases().renew(lease, ttl);
        }

        @Override
        public Optional<Lease> tryLease(String resource, String owner, Duration ttl) {
            return store.leases().tryLease(resource, owner, ttl);
        }

        @Override
        public void release(Lease lease) {
            store.leases().release(lease);
        }

        @Override
        public boolean complete(Lease lease, String outcome) {
            return store.leases().complete(lease, outcome);
        }

        @Override
        public Optional<String> outcome(String resource) {
            return store.leases().outcome(resource);
        }

        @Override
        public Instant joinRun(String runId, Instant startedAt) {
            return store.leases().joinRun(runId, startedAt);
        }

        @Override
        public Leases leases() {
            return this;
        }

        @Override
        public Rates rates() {
            return store.rates();
        }

        @Override
        public Reservations reservations() {
            return store.reservations();
        }

        @Override
        public ImageNames imageNames() {
            return store.imageNames();
        }
    }
}
