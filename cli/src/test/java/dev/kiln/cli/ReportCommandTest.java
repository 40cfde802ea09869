package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.job.FailureClass;
import dev.kiln.sim.Simulation;
import dev.kiln.sim.SimulationResult;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {

    @TempDir
    Path dir;

    @Test
    void reports_are_drawn_again_from_the_journal_alone() throws Exception {
        // Given a run directory holding nothing but its events.jsonl
        Path run = simulatedRun();
        for (String f : List.of("junit.xml", "report.html", "summary.md")) {
            Files.delete(run.resolve(f));
        }
        Path summary = dir.resolve("summary.md");

        // When
        Cli.Result r = Cli.run(Map.of("GITHUB_STEP_SUMMARY", summary.toString()), "report", "--step-summary",
                run.toString());

        // Then
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("reported (run r1): 12 builds").contains("report:  " + run.resolve("report.html"));
        assertThat(run.resolve("junit.xml")).isNotEmptyFile();
        assertThat(Files.readString(run.resolve("report.html"))).contains("<svg class=\"timeline\"");
        assertThat(Files.readString(summary)).contains("Kiln: reported");
    }

    @Test
    void reports_can_go_elsewhere() throws Exception {
        Path run = simulatedRun();
        Path to = dir.resolve("elsewhere");

        Cli.Result r = Cli.run("report", "--to", to.toString(), run.toString());

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(to.resolve("report.html")).isNotEmptyFile();
        assertThat(to.resolve("junit.xml")).isNotEmptyFile();
    }

    private Path simulatedRun() {
        Instant t0 = Instant.parse("2026-01-05T09:00:00Z");
        List<BuildJob> jobs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Target target = Target.of("gcp", "kiln-images", i % 2 == 0 ? "us-east1" : "europe-west4");
            ImageSpec image = ImageSpec.builder("img" + i, Path.of("/t.json"), "null").vcpus(2)
                    .expectedDuration(Duration.ofMinutes(2 + i % 3)).build();
            jobs.add(new BuildJob(JobId.of(image.name(), target, "dev"), image, target, "dev", "img" + i,
                    "r1-" + i, Set.of(), Demand.of(2, 1, 10, 0)));
        }
        BuildPlan plan = BuildPlan.builder("reported").runId("r1").createdAt(t0).jobs(jobs).build();
        SimulationResult result = Simulation.builder().seed(2).failures(0.3, FailureClass.PROVISIONER_FAILED)
                .kiln(k -> k.files(f -> f.withRunsDirectory(dir.resolve("runs")).withEventLog(true))
                        .scheduling(s -> s.withBudgetSampleInterval(Duration.ofSeconds(30))))
                .build().run(plan);
        return result.run().runDirectory();
    }
}
