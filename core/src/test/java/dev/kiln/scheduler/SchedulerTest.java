package dev.kiln.scheduler;

import static dev.kiln.testing.Plans.T0;
import static dev.kiln.testing.Plans.image;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.event.KilnEvent;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.job.StateChange;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.sim.Simulation;
import dev.kiln.sim.SimulationResult;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.Refusal;
import dev.kiln.testing.Plans;
import dev.kiln.testing.Recorder;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The admission loop in virtual time, against the simulated cloud. */
class SchedulerTest {

    private static final Target US_EAST = Target.of("aws", "123456789012", "us-east-1");
    private static final Target EU_WEST = Target.of("aws", "123456789012", "eu-west-1");

    private final Recorder events = new Recorder();

    private BuildPlan plan(List<BuildJob> jobs) {
        return BuildPlan.builder("test").runId("t1").createdAt(T0).jobs(jobs).build();
    }

    private Simulation.Builder simulation() {
        return Simulation.builder().kiln(k -> k.listener(events));
    }

    @Test
    void builds_wait_for_vcpu_quota_and_never_exceed_it() {
        // Given 6 builds of 4 vCPUs each, for 10 minutes, where the region allows 8 vCPUs
        List<BuildJob> jobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            jobs.add(Plans.job(image("img" + i, Duration.ofMinutes(10), 4, 0), US_EAST, "dev", i, "t1"));
        }

        // When
        SimulationResult result = simulation().cloud(c -> c.defaultQuota(Demand.VCPUS, 8)).build().run(plan(jobs));

        // Then two run at a time, in three waves, and the cloud never refused an instance
        assertThat(result.run().jobs()).extracting(JobResult::state).containsOnly(JobState.SUCCEEDED);
        assertThat(events.maxConcurrentlyRunning()).isEqualTo(2);
        assertThat(result.quotaBreaches()).isZero();
        assertThat(result.makespan()).isBetween(Duration.ofMinutes(30), Duration.ofMinutes(31));
        assertThat(events.of(KilnEvent.JobWaiting.class)).extracting(KilnEvent.JobWaiting::reason)
                .contains("waiting for vcpus quota on aws/123456789012/us-east-1");
    }

    @Test
    void a_build_that_can_never_fit_is_refused_in_preflight_with_the_reason() {
        // Given a 16-vCPU build in a region that allows 8
        BuildJob big = Plans.job(image("big", Duration.ofMinutes(5), 16, 0), US_EAST, "dev", 0, "t1");
        BuildJob small = Plans.job(image("small", Duration.ofMinutes(5), 2, 0), US_EAST, "dev", 1, "t1");

        // When
        SimulationResult result = simulation().cloud(c -> c.defaultQuota(Demand.VCPUS, 8)).build()
                .run(plan(List.of(big, small)));

        // Then only the big one is refused, and it says why
        assertThat(result.run().refusals()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Refusal.Kind.QUOTA_NEVER_FITS);
            assertThat(r.subject()).isEqualTo("big/aws/123456789012/us-east-1/dev");
            assertThat(r.message()).isEqualTo("needs 16 vcpus but aws/123456789012/us-east-1 allows 8;"
                    + " raise the quota or shrink the build");
        });
        assertThat(result.run().jobs()).extracting(JobResult::state)
                .containsExactly(JobState.FAILED, JobState.SUCCEEDED);
    }

    @Test
    void higher_priority_starts_first_then_the_longest_build() {
        // Given one-at-a-time quota and builds of different priority and length
        BuildJob shortLow = Plans.job(image("short-low", Duration.ofMinutes(2), 4, 0), US_EAST, "dev", 0, "t1");
        BuildJob longLow = Plans.job(image("long-low", Duration.ofMinutes(20), 4, 0), US_EAST, "dev", 1, "t1");
        BuildJob shortHigh = Plans.job(image("short-high", Duration.ofMinutes(2), 4, 5), US_EAST, "dev", 2, "t1");

        // When
        simulation().cloud(c -> c.defaultQuota(Demand.VCPUS, 4)).build().run(plan(List.of(shortLow, longLow,
                shortHigh)));

        // Then
        assertThat(events.startOrder()).containsExactly(
                "short-high/aws/123456789012/us-east-1/dev",
                "long-low/aws/123456789012/us-east-1/dev",
                "short-low/aws/123456789012/us-east-1/dev");
    }

    @Test
    void a_region_short_of_quota_does_not_hold_back_another_region() {
        // Given a long build filling us-east-1, a second one waiting there, and one in eu-west-1
        BuildJob first = Plans.job(image("a", Duration.ofMinutes(30), 8, 9), US_EAST, "dev", 0, "t1");
        BuildJob second = Plans.job(image("b", Duration.ofMinutes(30), 8, 9), US_EAST, "dev", 1, "t1");
        BuildJob elsewhere = Plans.job(image("c", Duration.ofMinutes(5), 8, 0), EU_WEST, "dev", 2, "t1");

        // When
        simulation().cloud(c -> c.defaultQuota(Demand.VCPUS, 8)).build().run(plan(List.of(first, second,
                elsewhere)));

        // Then the low-priority eu-west-1 build started at once
        assertThat(events.startedAt("c/aws/123456789012/eu-west-1/dev")).isEqualTo(T0);
        assertThat(events.startedAt("b/aws/123456789012/us-east-1/dev")).isEqualTo(T0.plus(Duration.ofMinutes(30)));
    }

    @Test
    void run_instances_bursts_follow_the_ec2_bucket() {
        // Given 15 builds in one region and quota for all of them
        List<BuildJob> jobs = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            jobs.add(Plans.job(image("img" + i, Duration.ofMinutes(10), 1, 0), US_EAST, "dev", i, "t1"));
        }

        // When
        SimulationResult result = simulation().build().run(plan(jobs));

        // Then five start at once (RunInstances capacity 5), the rest one per 0.5 s (refill 2/s)
        List<Instant> starts = jobs.stream().map(j -> events.startedAt(j.id().value())).sorted().toList();
        assertThat(starts.subList(0, 5)).containsOnly(T0);
        assertThat(starts.get(5)).isAfter(T0);
        assertThat(Duration.between(T0, starts.get(14))).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
        assertThat(result.throttles()).isZero();
    }

    @Test
    void a_dependent_build_starts_after_its_dependency_and_is_cancelled_when_it_fails() {
        // Given base -> copy, where every build fails its provisioner and gets one attempt
        ImageSpec base = image("base", Duration.ofMinutes(10), 2, 0);
        BuildJob baseJob = Plans.job(base, US_EAST, "dev", 0, "t1");
        BuildJob other = Plans.job(image("copy", Duration.ofMinutes(3), 2, 0), US_EAST, "dev", 1, "t1");
        BuildJob copyJob = new BuildJob(other.id(), other.image(), other.target(), "dev", other.imageName(),
                other.buildId(), Set.of(baseJob.id()), other.demand());
        BuildPlan plan = BuildPlan.builder("test").runId("t1").createdAt(T0).job(baseJob).job(copyJob)
                .retryPolicy(RetryPolicy.never()).build();

        // When
        SimulationResult result = simulation().failures(1.0, FailureClass.PROVISIONER_FAILED).build().run(plan);

        // Then
        JobResult copy = result.run().jobs().get(1);
        assertThat(copy.state()).isEqualTo(JobState.CANCELLED);
        assertThat(copy.attempts()).isZero();
        assertThat(copy.message()).isEqualTo("dependency base/aws/123456789012/us-east-1/dev ended FAILED");
    }

    @Test
    void a_dependent_build_starts_when_its_dependency_succeeds() {
        BuildJob baseJob = Plans.job(image("base", Duration.ofMinutes(10), 2, 0), US_EAST, "dev", 0, "t1");
        BuildJob other = Plans.job(image("copy", Duration.ofMinutes(3), 2, 9), US_EAST, "dev", 1, "t1");
        BuildJob copyJob = new BuildJob(other.id(), other.image(), other.target(), "dev", other.imageName(),
                other.buildId(), Set.of(baseJob.id()), other.demand());

        SimulationResult result = simulation().build().run(plan(List.of(baseJob, copyJob)));

        assertThat(result.run().allSucceeded()).isTrue();
        assertThat(events.startedAt(copyJob.id().value())).isEqualTo(T0.plus(Duration.ofMinutes(10)));
    }

    @Test
    void a_provisioner_failure_is_swept_retried_and_then_fails_with_its_history() {
        // Given every build fails its provisioner, with two attempts allowed
        BuildJob job = Plans.job(image("flaky", Duration.ofMinutes(10), 2, 0), US_EAST, "dev", 0, "t1");
        BuildPlan plan = BuildPlan.builder("test").runId("t1").createdAt(T0).job(job)
                .retryPolicy(RetryPolicy.never().withAttempts(FailureClass.PROVISIONER_FAILED, 2)
                        .withBackoff(Duration.ofSeconds(10), Duration.ofMinutes(1)))
                .build();

        // When
        SimulationResult result = simulation().failures(1.0, FailureClass.PROVISIONER_FAILED).build().run(plan);

        // Then
        JobResult r = result.run().jobs().get(0);
        assertThat(r.state()).isEqualTo(JobState.FAILED);
        assertThat(r.failure()).isEqualTo(FailureClass.PROVISIONER_FAILED);
        assertThat(r.attempts()).isEqualTo(2);
        assertThat(r.history()).extracting(StateChange::state).containsExactly(JobState.QUEUED,
                JobState.PREFLIGHT, JobState.WAITING, JobState.RUNNING, JobState.SWEEPING, JobState.RETRY_WAIT,
                JobState.WAITING, JobState.RUNNING, JobState.SWEEPING, JobState.FAILED);
        assertThat(r.swept()).containsExactly("instance/t1-000", "instance/t1-000");
        assertThat(result.quotaBreaches()).isZero();
    }

    @Test
    void a_sweep_the_cloud_fails_is_tried_again_until_nothing_is_left() {
        // Given a build that fails, on a cloud whose API fails the first two sweeps
        BuildJob job = Plans.job(image("flaky", Duration.ofMinutes(10), 2, 0), US_EAST, "dev", 0, "t1");
        BuildPlan plan = BuildPlan.builder("test").runId("t1").createdAt(T0).job(job)
                .retryPolicy(RetryPolicy.never()).build();

        // When
        SimulationResult result = simulation().failures(1.0, FailureClass.PROVISIONER_FAILED)
                .cloud(c -> c.failingSweeps(2)).build().run(plan);

        // Then the third sweep removed the build's instance, and the job ended FAILED with its quota back
        JobResult r = result.run().jobs().get(0);
        assertThat(r.state()).isEqualTo(JobState.FAILED);
        assertThat(r.swept()).containsExactly("instance/t1-000");
        assertThat(events.of(KilnEvent.Swept.class)).extracting(sw -> sw.failed().isEmpty())
                .containsExactly(false, false, true);
        assertThat(result.quotaBreaches()).isZero();
    }

    @Test
    void host_slots_cap_concurrent_packer_processes() {
        List<BuildJob> jobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            jobs.add(Plans.job(image("img" + i, Duration.ofMinutes(5), 1, 0), i % 2 == 0 ? US_EAST : EU_WEST,
                    "dev", i, "t1"));
        }

        SimulationResult result = simulation().hostSlots(3).build().run(plan(jobs));

        assertThat(result.run().allSucceeded()).isTrue();
        assertThat(events.maxConcurrentlyRunning()).isEqualTo(3);
    }

    @Test
    void cancelling_the_run_cancels_waiting_builds_and_sweeps_running_ones() {
        // Given four builds, two of which can run at once; the run is cancelled as the first starts
        List<BuildJob> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jobs.add(Plans.job(image("img" + i, Duration.ofMinutes(10), 4, 0), US_EAST, "dev", i, "t1"));
        }
        dev.kiln.Kiln[] kiln = new dev.kiln.Kiln[1];

        // When
        SimulationResult result = Simulation.builder().cloud(c -> c.defaultQuota(Demand.VCPUS, 8))
                .kiln(k -> k.listener(events).listener(e -> {
                    if (e instanceof KilnEvent.BuildStarted && kiln[0] != null) {
                        kiln[0].cancelAll();
                    }
                }))
                .onStart(k -> kiln[0] = k)
                .build().run(plan(jobs));

        // Then every job is CANCELLED; the running ones went through SWEEPING
        assertThat(result.run().interrupted()).isTrue();
        assertThat(result.run().jobs()).extracting(JobResult::state).containsOnly(JobState.CANCELLED);
        long swept = result.run().jobs().stream()
                .filter(j -> j.history().stream().anyMatch(h -> h.state() == JobState.SWEEPING)).count();
        assertThat(swept).isEqualTo(2);
    }

    @Test
    void a_name_reserved_by_another_run_is_refused_before_anything_starts() {
        // Given another run holds the name one of our builds would register
        BuildJob job = Plans.job(image("base", Duration.ofMinutes(5), 2, 0), US_EAST, "dev", 0, "t1");
        BuildJob other = Plans.job(image("other", Duration.ofMinutes(5), 2, 0), US_EAST, "dev", 1, "t1");
        VirtualTime time = TimeSource.virtual(T0);
        Coordination store = InMemoryCoordination.of(time);
        assertThat(store.imageNames().tryReserve(US_EAST.key(), job.imageName(), "another-run")).isTrue();
        SimulatedCloud cloud = SimulatedCloud.builder(time).build();
        Kiln.Builder kiln = Kiln.builder().time(time).coordination(store).files(f -> f.withEventLog(false))
                .packerRunner(SimulatedPackerRunner.builder(cloud).build());
        cloud.providers().forEach(kiln::provider);

        // When
        RunResult result;
        try (Kiln k = kiln.build()) {
            result = k.run(plan(List.of(job, other)));
        }

        // Then that build is refused, naming the name and its scope; the other one runs
        assertThat(result.refusals()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Refusal.Kind.NAME_TAKEN);
            assertThat(r.message()).isEqualTo("the image name '" + job.imageName() + "' is reserved by another run"
                    + " in aws/123456789012/us-east-1");
        });
        assertThat(result.jobs()).extracting(JobResult::state).containsExactly(JobState.FAILED, JobState.SUCCEEDED);
        assertThat(result.jobs().get(0).failure()).isEqualTo(FailureClass.NAME_COLLISION);
    }
}
