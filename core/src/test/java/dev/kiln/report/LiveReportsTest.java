package dev.kiln.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.job.FailureClass;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.Target;
import dev.kiln.sim.Simulation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run draws its reports from its events as they happen instead of reading its journal back at
 * the end: they must be the very reports the journal gives ({@code kiln report} draws them from it).
 */
class LiveReportsTest {

    @TempDir
    Path work;

    @Test
    void the_reports_a_run_writes_are_those_its_journal_gives() throws IOException {
        // Given a run with retries, failures, waits and budget samples, its journal and reports written
        Path template = Files.writeString(work.resolve("base.json"),
                "{\"builders\": [{\"type\": \"null\", \"communicator\": \"none\"}]}");
        Path runs = work.resolve("runs");
        Fleet.Builder fleet = Fleet.builder("live").environments("dev", "prod")
                .image(ImageSpec.builder("base", template, "null").expectedDuration(Duration.ofMinutes(3)).build())
                .image(ImageSpec.builder("app", template, "null").expectedDuration(Duration.ofMinutes(5)).build());
        for (String region : new String[] {"us-east-1", "eu-west-1", "ap-south-1"}) {
            fleet.target(Target.of("aws", "123456789012", region));
        }
        BuildPlan plan = fleet.build(new PlanContext(Instant.parse("2026-03-01T08:00:00Z"), "live1", "abc", null,
                Map.of()));
        Simulation.builder().seed(3).hostSlots(4).failures(0.3, FailureClass.PROVISIONER_FAILED)
                .kiln(k -> k.files(f -> f.withRunsDirectory(runs).withEventLog(true).withReports(true))
                        .scheduling(s -> s.withBudgetSampleInterval(Duration.ofSeconds(30))))
                .build().run(plan);
        Path dir = runs.resolve("live1");
        String html = Files.readString(dir.resolve(Reports.HTML));
        String junit = Files.readString(dir.resolve(Reports.JUNIT_XML));
        String summary = Files.readString(dir.resolve(Reports.SUMMARY));
        assertThat(junit).contains("<failure");

        // When they are drawn again from the journal
        Reports.regenerate(dir);

        // Then nothing differs
        assertThat(Files.readString(dir.resolve(Reports.HTML))).isEqualTo(html);
        assertThat(Files.readString(dir.resolve(Reports.JUNIT_XML))).isEqualTo(junit);
        assertThat(Files.readString(dir.resolve(Reports.SUMMARY))).isEqualTo(summary);
    }
}
