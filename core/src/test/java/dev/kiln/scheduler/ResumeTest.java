package dev.kiln.scheduler;

import static dev.kiln.testing.Plans.T0;
import static dev.kiln.testing.Plans.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.Resume;
import dev.kiln.RunResult;
import dev.kiln.event.KilnEvent;
import dev.kiln.internal.run.EventLogReader;
import dev.kiln.job.JobState;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.testing.Plans;
import dev.kiln.testing.Recorder;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run whose process died is resumed from its journal: nothing lost, nothing built twice. */
class ResumeTest {

    private static final Target EAST = Target.of("aws", "123456789012", "us-east-1");

    @TempDir
    Path runs;

    private final VirtualTime time = TimeSource.virtual(T0);
    private final SimulatedCloud cloud = SimulatedCloud.builder(time).build();

    /** Stands for the JVM dying: nothing after it runs, no finally of Kiln's cleans up builds. */
    private static final class Crash extends Error {
        private static final long serialVersionUID = 1L;
    }

    private Kiln kiln(Recorder recorder, int crashAfterStarts) {
        int[] starts = new int[1];
        Kiln.Builder b = Kiln.builder().time(time).files(f -> f.withRunsDirectory(runs)).listener(recorder)
                .packerRunner(SimulatedPackerRunner.builder(cloud).build())
                .listener(e -> {
                    if (e instanceof KilnEvent.BuildStarted && ++starts[0] == crashAfterStarts) {
                        throw new Crash();
                    }
                });
        cloud.providers().forEach(b::provider);
        return b.build();
    }

    private static BuildPlan plan() {
        List<BuildJob> jobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            // Two at a time fit the quota: three waves of ten minutes.
            jobs.add(Plans.job(image("img" + i, Duration.ofMinutes(10), 32, 0), EAST, "dev", i, "crash1"));
        }
        return BuildPlan.builder("crashy").runId("crash1").createdAt(T0).jobs(jobs).build();
    }

    @Test
    void a_crashed_run_resumes_where_it_stopped() {
        // Given a run that died as its fourth build started: two built, two under way
        Recorder before = new Recorder();
        try (Kiln first = kiln(before, 4)) {
            assertThatThrownBy(() -> first.run(plan())).isInstanceOf(Crash.class);
        }
        assertThat(cloud.resourcesOf("crash1-002")).isNotEmpty();

        // When it is resumed from its run directory
        Recorder after = new Recorder();
        RunResult result;
        try (Kiln second = kiln(after, -1)) {
            result = second.run(Resume.read(runs.resolve("crash1")).withPlan(plan()));
        }

        // Then every job succeeded; the two built before the crash were not built again; the two
        // under way were swept and built again; the run's journal covers it all
        assertThat(result.jobs()).extracting(JobResult::state).containsOnly(JobState.SUCCEEDED);
        List<String> rebuilt = after.of(KilnEvent.BuildStarted.class).stream().map(KilnEvent.BuildStarted::jobId)
                .toList();
        assertThat(rebuilt).doesNotContain("img0/aws/123456789012/us-east-1/dev", "img1/aws/123456789012/us-east-1/dev")
                .hasSize(4);
        assertThat(after.of(KilnEvent.Swept.class)).extracting(KilnEvent.Swept::buildId)
                .containsExactlyInAnyOrder("crash1-002", "crash1-003");
        assertThat(after.of(KilnEvent.RunResumed.class)).singleElement()
                .satisfies(r -> assertThat(List.of(r.done(), r.requeued(), r.swept())).containsExactly(2, 4, 2));
        JobResult interrupted = result.jobs().get(2);
        assertThat(interrupted.attempts()).isEqualTo(2);
        assertThat(interrupted.history()).extracting(h -> h.state()).containsSubsequence(JobState.RUNNING,
                JobState.QUEUED, JobState.PREFLIGHT, JobState.WAITING, JobState.RUNNING, JobState.SUCCEEDED);
        assertThat(cloud.quotaBreaches()).isZero();
        long successes = EventLogReader.read(runs.resolve("crash1").resolve("events.jsonl")).stream()
                .filter(e -> e instanceof KilnEvent.JobStateChanged c && c.to() == JobState.SUCCEEDED).count();
        assertThat(successes).as("each job succeeds once in the whole journal").isEqualTo(6);
    }

    @Test
    void resuming_with_another_plan_is_refused() {
        try (Kiln first = kiln(new Recorder(), 1)) {
            assertThatThrownBy(() -> first.run(plan())).isInstanceOf(Crash.class);
        }
        BuildPlan other = plan().toBuilder().runId("other1").build();
        try (Kiln second = kiln(new Recorder(), -1)) {
            assertThatThrownBy(() -> second.run(Resume.read(runs.resolve("crash1")).withPlan(other)))
                    .hasMessageContaining("is run crash1, but the plan given is for run other1");
        }
    }
}
