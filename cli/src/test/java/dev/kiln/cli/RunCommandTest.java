package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln run with real packer (null builds) against the simulated cloud. */
class RunCommandTest {

    @TempDir
    Path dir;

    private Path plans;
    private Path runs;

    @BeforeEach
    void setUp() {
        Tools.packer();
        plans = Cli.plans(dir);
        runs = dir.resolve("runs");
    }

    @Test
    void a_small_plan_runs_and_leaves_its_journal_and_reports() throws Exception {
        // Given GitHub Actions' step summary file
        Path summary = dir.resolve("step-summary.md");

        // When
        Cli.Result r = Cli.run(Map.of("GITHUB_STEP_SUMMARY", summary.toString(), "CI", "true"), "run", "--simulate",
                "--runs-dir", runs.toString(), plans.resolve("small.yaml").toString());

        // Then every build succeeded, shown as plain timestamped lines (CI is set)
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d  RUNNING   one/aws/123456789012/us-east-1/dev")
                .containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d  SUCCEEDED three/aws/123456789012/us-east-1/dev  \\[3/3\\]")
                .contains("3 builds: 3 succeeded");
        // And the run directory holds the journal, JUnit XML and the HTML report
        Path run = onlyRun();
        assertThat(r.out()).contains("run directory: " + run.toAbsolutePath());
        assertThat(run.resolve("events.jsonl")).isNotEmptyFile();
        // And the journal names the template by its content, and the builds ran from the run's snapshot of it
        Path template = plans.resolve("templates/quick.json").toAbsolutePath().normalize();
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(template)));
        assertThat(Files.readAllLines(run.resolve("events.jsonl"))).filteredOn(l -> l.contains("\"TemplateUsed\""))
                .singleElement().satisfies(l -> assertThat(l).contains("\"template\":\"" + template + "\"")
                        .contains("\"sha256\":\"" + sha + "\""));
        assertThat(run.resolve("templates/1-templates/quick.json")).hasSameTextualContentAs(template);
        assertThat(Files.readString(run.resolve("junit.xml"))).contains("tests=\"3\" failures=\"0\"")
                .contains("classname=\"aws/us-east-1\"");
        assertThat(Files.readString(run.resolve("report.html"))).contains("<svg class=\"timeline\"")
                .contains("one/dev");
        // And GitHub's step summary got the table
        assertThat(Files.readString(summary)).contains("Kiln: small").contains("| one/dev | aws/123456789012/us-east-1 |");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void a_failing_build_exits_1_with_its_cause_in_junit() throws Exception {
        // When
        Cli.Result r = Cli.run("run", "--simulate", "--progress", "plain", "--runs-dir", runs.toString(),
                plans.resolve("failing.yaml").toString());

        // Then
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.FAILED);
        assertThat(r.out()).contains("FAILED    bad/gcp/kiln-test/europe-west4/dev").contains("1 succeeded, 1 failed");
        String junit = Files.readString(onlyRun().resolve("junit.xml"));
        assertThat(junit).contains("<failure type=\"PROVISIONER_FAILED\" message=\"PROVISIONER_FAILED: ");
    }

    @Test
    void preflight_refusals_exit_3() {
        // When the plan asks for a packer no one has
        Cli.Result r = Cli.run("run", "--simulate", "--progress", "plain", "--runs-dir", runs.toString(),
                plans.resolve("refused.yaml").toString());

        // Then
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.REFUSED);
        assertThat(r.out()).contains("REFUSED   packer").contains(">= 99.0.0");
    }

    @Test
    void filters_and_their_environment_variables_narrow_the_run() throws Exception {
        // When the environment says two images and the flag says one: the flag wins
        Cli.Result r = Cli.run(Map.of("KILN_IMAGES", "one,two", "KILN_RUNS_DIR", runs.toString()), "run",
                "--simulate", "--progress", "none", "--image", "two", plans.resolve("small.yaml").toString());

        // Then
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("1 build: 1 succeeded").contains("two/aws").doesNotContain("one/aws");
        assertThat(onlyRun().getParent()).isEqualTo(runs);
    }

    @Test
    void metrics_are_served_while_the_run_goes() throws Exception {
        // When
        Cli.Result r = Cli.run("run", "--simulate", "--progress", "none", "--metrics-port", "0", "--runs-dir",
                runs.toString(), plans.resolve("small.yaml").toString());

        // Then
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).containsPattern("kiln: metrics at http://127\\.0\\.0\\.1:\\d+/metrics");
    }

    @Test
    void the_journal_reads_back_as_the_run_went() throws Exception {
        // When
        Cli.run("run", "--simulate", "--progress", "none", "--runs-dir", runs.toString(),
                plans.resolve("small.yaml").toString());

        // Then every line is an event with a type, and the run finished
        List<String> lines = Files.readAllLines(onlyRun().resolve("events.jsonl"));
        ObjectMapper json = new ObjectMapper();
        JsonNode last = json.readTree(lines.get(lines.size() - 1));
        assertThat(last.get("type").asText()).isEqualTo("RunFinished");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"type\":\"BuildStarted\"").contains("\"buildId\""));
    }

    private Path onlyRun() throws Exception {
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }
}
