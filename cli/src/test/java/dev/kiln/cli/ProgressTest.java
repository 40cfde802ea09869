package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.event.KilnEvent;
import dev.kiln.job.JobState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
    private static final String JOB = "base/aws/123456789012/us-east-1/dev";

    @Test
    void on_a_terminal_running_builds_and_a_bar_are_redrawn_in_place_and_cleared_at_the_end() {
        // Given
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress.Tty tty = new Progress.Tty(new PrintStream(bytes, true, StandardCharsets.UTF_8), 100,
                () -> T0.plusSeconds(3));

        // When a build runs, says something, and succeeds
        tty.onEvent(new KilnEvent.RunStarted(T0, "k1", "fleet", 2, Path.of("/runs/k1"), "packer"));
        tty.onEvent(new KilnEvent.JobStateChanged(T0, "k1", JOB, JobState.WAITING, JobState.RUNNING, 1, "attempt 1"));
        tty.onEvent(new KilnEvent.PackerOutput(T0, "k1", JOB, 1, "say", "==> null: Running local shell script"));
        tty.tick();
        String running = bytes.toString(StandardCharsets.UTF_8);
        tty.onEvent(new KilnEvent.JobStateChanged(T0.plusSeconds(5), "k1", JOB, JobState.RUNNING,
                JobState.SUCCEEDED, 1, "verified"));
        tty.close();
        String all = bytes.toString(StandardCharsets.UTF_8);

        // Then
        assertThat(running).containsPattern("> base/dev +aws/us-east-1 +0:03  ").contains("Running local shell script").contains("0/2 done · 1 running · 0 waiting");
        assertThat(all).contains("\033[").contains("SUCCEEDED").contains(JOB + "  [1/2]  in 5.0s")
                .contains("1/2 done");
        assertThat(all).endsWith("\033[J");
    }

    @Test
    void plain_lines_are_timestamped_and_count_what_ended() {
        // Given
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress plain = new Progress.Plain(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);

        // When
        plain.onEvent(new KilnEvent.RunStarted(T0, "k1", "fleet", 1, Path.of("/runs/k1"), "packer"));
        plain.onEvent(new KilnEvent.JobStateChanged(T0, "k1", JOB, JobState.WAITING, JobState.RUNNING, 1, ""));
        plain.onEvent(new KilnEvent.ThrottleObserved(T0, "k1", "aws/123456789012/us-east-1#RunInstances", "sdk"));
        plain.onEvent(new KilnEvent.JobStateChanged(T0, "k1", JOB, JobState.SWEEPING, JobState.FAILED, 1,
                "PROVISIONER_FAILED: exit status 3"));

        // Then
        assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("\033[")
                .containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d  RUNNING   " + JOB.replace(".", "\\.") + "  \\(attempt 1\\)$")
                .contains("THROTTLE  aws/123456789012/us-east-1#RunInstances (sdk)")
                .contains("FAILED    " + JOB + "  [1/1]  PROVISIONER_FAILED: exit status 3");
    }

    @Test
    void a_job_another_node_built_says_which() {
        // Given
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress plain = new Progress.Plain(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);

        // When a job of a shared run succeeds without ever running on this node
        plain.onEvent(new KilnEvent.RunStarted(T0, "r1", "fleet", 1, Path.of("/runs/r1"), "packer"));
        plain.onEvent(new KilnEvent.JobStateChanged(T0, "r1", JOB, JobState.WAITING, JobState.SUCCEEDED, 0,
                "built by node n1: ami-0123"));

        // Then
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("SUCCEEDED " + JOB + "  [1/1]  built by node n1: ami-0123");
    }

    @Test
    void auto_is_plain_in_ci_and_off_a_terminal() {
        CliContext terminal = new CliContext(System.out, System.err, Map.of(), true, false);
        CliContext ci = new CliContext(System.out, System.err, Map.of("CI", "true"), true, false);
        CliContext pipe = new CliContext(System.out, System.err, Map.of(), false, false);
        CliContext forced = new CliContext(System.out, System.err, Map.of("KILN_PROGRESS", "tty"), false, false);

        assertThat(Progress.mode(null, terminal)).isEqualTo(Progress.Mode.TTY);
        assertThat(Progress.mode(null, ci)).isEqualTo(Progress.Mode.PLAIN);
        assertThat(Progress.mode(null, pipe)).isEqualTo(Progress.Mode.PLAIN);
        assertThat(Progress.mode(null, forced)).isEqualTo(Progress.Mode.TTY);
        assertThat(Progress.mode(Progress.Mode.NONE, forced)).isEqualTo(Progress.Mode.NONE);
    }
}
