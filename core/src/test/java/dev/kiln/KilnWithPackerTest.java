package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.job.StateChange;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.Target;
import dev.kiln.packer.PackerRunners;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.spi.CloudProvider;
import dev.kiln.testing.Recorder;
import dev.kiln.testing.RequiresPacker;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kiln end to end with real packer processes (null builder) under the simulated cloud's limits. */
@RequiresPacker
class KilnWithPackerTest {

    private static final String SECRET = "tok-3f9a8c1e55d2";

    @TempDir
    Path runs;

    private final Recorder events = new Recorder();

    private static Path template(String name) {
        try {
            return Path.of(KilnWithPackerTest.class.getResource("/packer/templates/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private RunResult run(BuildPlan plan) {
        SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.system()).acceptNullBuilds().build();
        Kiln.Builder builder = Kiln.builder().packerRunner(PackerRunners.process())
                .files(f -> f.withRunsDirectory(runs))
                .scheduling(s -> s.withHostSlots(6).withGracePeriod(Duration.ofSeconds(10))).listener(events);
        for (CloudProvider p : cloud.providers()) {
            builder.provider(p);
        }
        try (Kiln kiln = builder.build()) {
            return kiln.run(plan);
        }
    }

    private static PlanContext context() {
        return new PlanContext(Instant.parse("2026-01-05T09:00:00Z"), "kt1", "abc123", null, Map.of());
    }

    @Test
    void a_fleet_runs_in_parallel_and_every_build_is_verified_with_its_log_redacted() throws IOException {
        // Given 8 builds over two providers and four regions, with a secret variable
        ImageSpec image = ImageSpec.builder("greets", template("greets.json"), "null").only("box")
                .variable("greeting", "hello").sensitiveVariable("api_token", SECRET)
                .expectedDuration(Duration.ofSeconds(2)).build();
        BuildPlan plan = Fleet.builder("packer-fleet").image(image)
                .target(Target.of("aws", "123456789012", "us-east-1"))
                .target(Target.of("aws", "123456789012", "eu-west-1"))
                .target(Target.of("gcp", "kiln-test", "us-east1"))
                .target(Target.of("gcp", "kiln-test", "europe-west4"))
                .environments("dev", "prod").build(context());

        // When
        RunResult result = run(plan);

        // Then every build ran, at once, and was verified
        assertThat(result.jobs()).extracting(j -> j.state() + " " + j.message())
                .hasSize(8).containsOnly("SUCCEEDED ");
        assertThat(events.maxConcurrentlyRunning()).isGreaterThan(1);
        assertThat(result.jobs()).allSatisfy(j -> {
            assertThat(j.verified()).isNotEmpty();
            assertThat(j.artifacts()).isNotEmpty();
        });
        // and each build's log holds its own output, with the secret masked everywhere
        JobResult first = result.jobs().get(0);
        Path log = result.runDirectory().resolve("jobs").resolve(first.job().id().value().replace('/', '.'))
                .resolve("attempt-1.log");
        String text = Files.readString(log);
        assertThat(text).contains("hello from " + first.job().imageName() + " (" + first.job().buildId() + ")");
        assertThat(text).contains("token=[REDACTED]").doesNotContain(SECRET);
        try (var files = Files.walk(result.runDirectory())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f)).as("%s", f).doesNotContain(SECRET);
            }
        }
    }

    @Test
    void a_failing_provisioner_is_classified_swept_and_retried() {
        // Given a build whose provisioner always fails, with two attempts
        ImageSpec image = ImageSpec.builder("fails", template("provisioner-fails.json"), "null").only("box")
                .expectedDuration(Duration.ofSeconds(1)).build();
        BuildPlan plan = Fleet.builder("fails").image(image).target(Target.of("aws", "123456789012", "us-east-1"))
                .environments("dev")
                .retryPolicy(RetryPolicy.never().withAttempts(FailureClass.PROVISIONER_FAILED, 2)
                        .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)))
                .build(context());

        // When
        RunResult result = run(plan);

        // Then
        JobResult job = result.jobs().get(0);
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.failure()).isEqualTo(FailureClass.PROVISIONER_FAILED);
        assertThat(job.attempts()).isEqualTo(2);
        assertThat(job.history()).extracting(StateChange::state)
                .containsSubsequence(JobState.RUNNING, JobState.SWEEPING, JobState.RETRY_WAIT, JobState.WAITING,
                        JobState.RUNNING, JobState.SWEEPING, JobState.FAILED);
    }

    @Test
    void a_build_past_its_timeout_is_killed_with_everything_it_started() {
        // Given a build that hangs, with a 3-second timeout and no retries
        ImageSpec image = ImageSpec.builder("hangs", template("hangs.json"), "null").only("box")
                .timeout(Duration.ofSeconds(3)).expectedDuration(Duration.ofSeconds(1)).build();
        BuildPlan plan = Fleet.builder("hangs").image(image).target(Target.of("aws", "123456789012", "us-east-1"))
                .environments("dev").retryPolicy(RetryPolicy.never()).build(context());

        // When
        RunResult result = run(plan);

        // Then it failed as timed out, and no process it started is alive
        JobResult job = result.jobs().get(0);
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.failure()).isEqualTo(FailureClass.TIMED_OUT);
        List<ProcessHandle> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("packer") || c.contains("sleep")).orElse(false))
                .toList();
        assertThat(left).isEmpty();
    }
}
