package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln plan: preflight, then a prediction in virtual time. */
class PlanCommandTest {

    @TempDir
    Path dir;

    @Test
    void the_demo_plans_predict_every_build_offline() throws Exception {
        // Given the demo fleet's aws part, with real amazon-ebs builds
        Tools.packer();
        Path plan = Cli.repository().resolve("examples/plans/demo/aws.yaml");

        // When
        Cli.Result r = Cli.run("plan", "--offline", "--json", plan.toString());

        // Then
        assertThat(r.exit()).as("%s", r).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("plan").asText()).isEqualTo("demo-aws");
        assertThat(json.get("builds").asInt()).isEqualTo(12);
        assertThat(json.get("preflight").asText()).isEqualTo("offline");
        assertThat(json.get("refusals")).isEmpty();
        assertThat(json.get("predicted")).hasSize(12).allSatisfy(b -> {
            assertThat(b.get("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(b.get("endSeconds").asDouble()).isGreaterThan(b.get("startSeconds").asDouble());
        });
        assertThat(json.get("waits")).hasSize(3);
        assertThat(json.get("budget")).isNotEmpty();
        assertThat(json.get("makespanSeconds").asDouble()).isGreaterThan(6);
        assertThat(json.get("throttles").asLong()).isZero();
    }

    @Test
    void a_human_plan_of_a_stand_in_against_the_simulated_cloud() throws Exception {
        // Given
        Tools.packer();
        Path plan = Cli.repository().resolve("examples/plans/demo/vsphere-stand-in.yaml");
        Path html = dir.resolve("predicted.html");

        // When
        Cli.Result r = Cli.run("plan", "--simulate", "--html", html.toString(), plan.toString());

        // Then
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("Plan demo-vsphere").contains("8 builds on 2 targets (vsphere)")
                .contains("Preflight: against the simulated cloud").contains("nothing refused")
                .contains("Predicted builds per image and target group")
                .containsPattern("hardened +vsphere/vcenter.lab.example/\\* +\\d+ ")
                .doesNotContain("hardened/prod").contains("Waits per target group:").contains("API budget").contains("Predicted makespan:");
        assertThat(Files.readString(html)).contains("<svg class=\"timeline\"");
    }

    @Test
    void verbose_shows_every_predicted_build_and_every_target() throws Exception {
        // Given
        Tools.packer();
        Path plan = Cli.repository().resolve("examples/plans/demo/vsphere-stand-in.yaml");

        // When
        Cli.Result r = Cli.run("plan", "--simulate", "--verbose", plan.toString());

        // Then
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("Predicted builds (start and end from the run's start):")
                .containsPattern("hardened/prod +vsphere/vcenter.lab.example/esx-01").contains("Waits per target:");
    }

    @Test
    void a_packer_that_cannot_run_is_a_refusal_and_no_build_is_predicted() {
        // Given
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("plan", "--offline", "--packer", dir.resolve("no-packer").toString(),
                plans.resolve("small.yaml").toString());

        // Then every build is refused, so none is predicted to succeed (issue 14)
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.REFUSED);
        assertThat(r.out()).contains("refused (1):").contains("packer PACKER_VERSION")
                .contains("Predicted builds: none; preflight refused every build")
                .contains("Predicted makespan: 0.0s").doesNotContain("SUCCEEDED");
    }
}
