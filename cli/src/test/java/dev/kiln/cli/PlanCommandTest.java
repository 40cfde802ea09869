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
    void a_plan_keeps_packers_verdicts_in_an_existing_runs_directory_and_creates_none() throws Exception {
        // Given the demo's aws plan, a runs directory that exists and one that does not
        Tools.packer();
        Path plan = Cli.repository().resolve("examples/plans/demo/aws.yaml");
        Path runs = Files.createDirectories(dir.resolve("runs"));
        Path none = dir.resolve("no-runs-yet");

        // When it is planned with each
        Cli.Result kept = Cli.run("plan", "--offline", "--runs-dir", runs.toString(), plan.toString());
        Cli.Result scratch = Cli.run("plan", "--offline", "--runs-dir", none.toString(), plan.toString());

        // Then the existing one holds the cache a later plan or run reads (packer's version, the passes),
        // and the missing one was not created
        assertThat(kept.exit()).as("%s", kept).isZero();
        assertThat(scratch.exit()).as("%s", scratch).isZero();
        assertThat(Files.readAllLines(runs.resolve(".kiln-cache")))
                .anyMatch(l -> l.startsWith("validated ")).anyMatch(l -> l.startsWith("packer "));
        assertThat(none).doesNotExist();
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

    @Test
    void plan_prints_how_each_image_reaches_packer() {
        // Given the aws example, whose template reads its own region, ami_name and instance_type (issue 16)
        Tools.packer();
        Path plan = Cli.repository().resolve("examples/plans/aws-base.yaml");

        // When
        Cli.Result r = Cli.run("plan", "--offline", plan.toString());

        // Then one line per image says how region, name, build id and size arrive
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("Templates (how each image's builds get their region, name, build id and size):")
                .contains("  ubuntu-base: templates/aws-ubuntu.json -only=amazon-ebs: region ← region (variables_map);"
                        + " ami_name ← ami_name (variables_map); tags.kiln-build-id, run_tags.kiln-build-id ←"
                        + " kiln_build_id; instance_type ← instance_type (variables_map)")
                .contains("  ubuntu-postgres: templates/aws-ubuntu.json -only=amazon-ebs:");
    }

    @Test
    void a_build_whose_region_would_not_come_from_its_target_is_invalid_input_offline_too() throws Exception {
        // Given the template: its own region, a timestamped name, no build-id tag
        Files.createDirectories(dir.resolve("templates"));
        Files.writeString(dir.resolve("templates/hashicups.json"), """
                {
                  "variables": { "region": "us-west-1" },
                  "builders": [{
                    "type": "amazon-ebs", "region": "{{user `region`}}", "instance_type": "t3.micro",
                    "ami_name": "hashicups_{{timestamp}}", "source_ami": "ami-0123456789abcdef0",
                    "ssh_username": "ubuntu"
                  }]
                }
                """);
        Path plan = Files.writeString(dir.resolve("plan.yaml"), """
                kiln: 1
                name: hashicups
                environments: [dev]
                targets:
                  - { provider: aws, account: "123456789012", regions: [us-east-1, eu-west-1] }
                images:
                  - { name: hashicups, template: templates/hashicups.json, builder: amazon-ebs }
                """);

        // When
        Cli.Result r = Cli.run("plan", "--offline", plan.toString());

        // Then nothing is predicted: one paragraph names each field at its line, exit 2
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("kiln plan: invalid plan (3 problems):")
                .contains(dir.resolve("templates/hashicups.json") + ":4:37: region of image 'hashicups'")
                .contains(":5:17: ami_name of image 'hashicups'").contains("{{timestamp}} changes every time packer runs")
                .contains(":3:16: tags, run_tags of image 'hashicups'").contains("the builder sets no tags and no"
                        + " run_tags, so the image (what Kiln verifies it by) and the instance it builds on (what a"
                        + " failed build's sweep finds it by) would not carry the build id")
                .doesNotContain("Exception");
    }
}
