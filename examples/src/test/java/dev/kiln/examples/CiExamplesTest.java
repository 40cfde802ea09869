package dev.kiln.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CI examples parse, run kiln the way the README says, and publish its JUnit XML. */
class CiExamplesTest {

    private static final Path CI = Path.of("").toAbsolutePath().getParent().resolve("examples/ci");

    @Test
    void the_github_workflow_is_valid_yaml_that_runs_kiln_and_publishes_junit() throws Exception {
        // When
        JsonNode workflow = new ObjectMapper(new YAMLFactory()).readTree(CI.resolve("github-actions.yml").toFile());

        // Then
        List<String> runs = new ArrayList<>();
        List<String> uses = new ArrayList<>();
        JsonNode steps = workflow.path("jobs").path("build").path("steps");
        assertThat(steps.isArray()).isTrue();
        for (JsonNode step : steps) {
            runs.add(step.path("run").asText(""));
            uses.add(step.path("uses").asText("") + " " + step.path("with").path("report_paths").asText(""));
        }
        assertThat(runs).anyMatch(r -> r.contains("bin/kiln run plans/base.yaml"))
                .anyMatch(r -> r.contains("bin/kiln plan plans/base.yaml"));
        assertThat(uses).anyMatch(u -> u.contains("action-junit-report") && u.contains("kiln-runs/*/junit.xml"));
        assertThat(workflow.path("jobs").path("build").path("env").path("KILN_RUNS_DIR").asText()).endsWith("kiln-runs");
    }

    @Test
    void the_jenkinsfile_runs_kiln_maps_its_exit_status_and_publishes_junit() throws Exception {
        // When
        String jenkinsfile = Files.readString(CI.resolve("Jenkinsfile"));

        // Then
        assertThat(jenkinsfile).contains("pipeline {").contains("kiln/bin/kiln run plans/base.yaml")
                .contains("returnStatus: true").contains("status == 1").contains("unstable(")
                .contains("junit testResults: 'kiln-runs/*/junit.xml'");
        assertThat(braces(jenkinsfile)).as("balanced braces").isZero();
    }

    private static int braces(String s) {
        int depth = 0;
        for (char c : s.toCharArray()) {
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
        }
        return depth;
    }
}
