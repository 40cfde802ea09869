package dev.kiln.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.event.KilnEvent;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a forecast expects of a build it has seen: how long the build held its job up when it last succeeded. */
class BuildHistoryTest {

    private static final Instant T0 = Instant.parse("2026-12-07T20:00:00Z");
    private static final String JOB = "base/vsphere/vcenter.lab.example/esx-01/dev";

    @TempDir
    Path runs;

    @Test
    void a_build_lasts_until_its_job_succeeded_verification_included() throws IOException {
        // Given a build packer finished in 10 s whose template took 2 s more to verify, after a failed attempt
        EventLog log = new EventLog(Files.createDirectories(runs.resolve("r1")).resolve("events.jsonl"));
        log.onEvent(started(0, 1));
        log.onEvent(new KilnEvent.BuildEnded(T0.plusSeconds(4), "r1", JOB, 1, false, FailureClass.PROVISIONER_FAILED,
                "boom", List.of()));
        log.onEvent(started(20, 2));
        log.onEvent(new KilnEvent.BuildEnded(T0.plusSeconds(30), "r1", JOB, 2, true, null, "", List.of()));
        log.onEvent(new KilnEvent.JobStateChanged(T0.plusSeconds(32), "r1", JOB, JobState.RUNNING,
                JobState.SUCCEEDED, 2, "verified VirtualMachine:vm-1"));
        log.close();

        // When a later run reads its history
        Map<String, Duration> known = BuildHistory.read(runs, "r2");

        // Then the build is expected to take 12 s: the successful attempt, start to the job's success
        assertThat(known).containsEntry(JOB, Duration.ofSeconds(12));
    }

    @Test
    void a_journal_without_the_jobs_success_counts_to_packers_end() throws IOException {
        EventLog log = new EventLog(Files.createDirectories(runs.resolve("r1")).resolve("events.jsonl"));
        log.onEvent(started(0, 1));
        log.onEvent(new KilnEvent.BuildEnded(T0.plusSeconds(10), "r1", JOB, 1, true, null, "", List.of()));
        log.close();

        assertThat(BuildHistory.read(runs, "r2")).containsEntry(JOB, Duration.ofSeconds(10));
    }

    @Test
    void a_journal_that_grew_since_it_was_read_is_read_again() throws IOException {
        // Given a journal read once, when its build had only ended
        Path journal = Files.createDirectories(runs.resolve("r1")).resolve("events.jsonl");
        EventLog log = new EventLog(journal);
        log.onEvent(started(0, 1));
        log.onEvent(new KilnEvent.BuildEnded(T0.plusSeconds(10), "r1", JOB, 1, true, null, "", List.of()));
        log.close();
        assertThat(BuildHistory.read(runs, "r2")).containsEntry(JOB, Duration.ofSeconds(10));

        // When the run resumes and journals its job's success after verification
        EventLog resumed = new EventLog(journal);
        resumed.onEvent(new KilnEvent.JobStateChanged(T0.plusSeconds(12), "r1", JOB, JobState.RUNNING,
                JobState.SUCCEEDED, 1, "verified"));
        resumed.close();

        // Then the next forecast reads it again, not what it remembered
        assertThat(BuildHistory.read(runs, "r2")).containsEntry(JOB, Duration.ofSeconds(12));
    }

    private static KilnEvent.BuildStarted started(long at, int attempt) {
        return new KilnEvent.BuildStarted(T0.plusSeconds(at), "r1", JOB, attempt, "base-dev", "b1",
                "vsphere/vcenter.lab.example/esx-01", Path.of("build.log"), Map.of(), Map.of());
    }
}
