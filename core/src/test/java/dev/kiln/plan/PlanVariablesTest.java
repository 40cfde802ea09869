package dev.kiln.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 4: variables as teams write them: var files per image, environment and target (JSON
 * and .pkrvars.hcl), typed values, per-target and per-environment variables, placeholders.
 */
class PlanVariablesTest {

    @TempDir
    Path dir;

    PlanFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new PlanFixture(dir);
        fixture.write("templates/gce.pkr.hcl", """
                variable "kiln_image_name" {
                  type = string
                }
                variable "kiln_build_id" {
                  type = string
                }
                variable "zone" {
                  type = string
                }
                variable "subnets" {
                  type = list(string)
                }
                variable "labels" {
                  type    = map(string)
                  default = {}
                }
                variable "disk_size" {
                  type    = number
                  default = 20
                }
                variable "preemptible" {
                  type    = bool
                  default = false
                }
                variable "release" {
                  type    = string
                  default = "12"
                }
                source "googlecompute" "debian" {
                  project_id          = "kiln-images"
                  zone                = var.zone
                  image_name          = var.kiln_image_name
                  machine_type        = "e2-standard-2"
                  source_image_family = "debian-${var.release}"
                  ssh_username        = "packer"
                  subnetwork          = var.subnets[0]
                  disk_size           = var.disk_size
                  preemptible         = var.preemptible
                  image_labels        = merge(var.labels, { "kiln-build-id" = var.kiln_build_id })
                  labels              = { "kiln-build-id" = var.kiln_build_id }
                }
                build {
                  sources = ["source.googlecompute.debian"]
                }
                """);
        fixture.write("vars/common.pkrvars.hcl", """
                release   = "11"
                disk_size = 30
                labels    = { team = "platform", cost_center = "cc-4411" }
                """);
        fixture.write("vars/dev.json", "{\"preemptible\": true, \"release\": \"12\"}");
        fixture.write("vars/prod.json", "{\"preemptible\": false}");
        fixture.write("vars/gcp-europe-west4.json", "{\"subnets\": [\"eu-a\", \"eu-b\"]}");
        fixture.write("vars/gcp-us-central1.json", "{\"subnets\": [\"us-a\"]}");
    }

    private static final String PLAN = """
            kiln: 1
            name: vars
            environments:
              - dev
              - name: prod
                var_files: ["vars/{env}.json"]
                variables: { labels: { team: platform, tier: prod } }
            targets:
              - provider: gcp
                account: kiln-images
                regions: [us-central1, europe-west4]
                var_files: ["vars/gcp-{region}.json"]
                variables: { zone: "{region}-b" }
            images:
              - name: debian
                template: templates/gce.pkr.hcl
                builder: googlecompute
                var_files: [vars/common.pkrvars.hcl]
            """;

    private static Map<String, Object> variablesOf(BuildPlan plan, String job) {
        return plan.job(new JobId(job)).orElseThrow().connection().variables();
    }

    @Test
    void var_files_and_variables_of_the_environment_target_and_image_make_each_builds_variables() {
        // When
        BuildPlan plan = fixture.parse(PLAN);

        // Then each build has its own: files first (environment, target, image), then inline variables
        Map<String, Object> prodEu = variablesOf(plan, "debian/gcp/kiln-images/europe-west4/prod");
        assertThat(prodEu).containsEntry("zone", "europe-west4-b")
                .containsEntry("subnets", List.of("eu-a", "eu-b"))
                .containsEntry("preemptible", false)
                .containsEntry("disk_size", new BigDecimal("30"))
                .containsEntry("release", "11")
                .containsEntry("labels", Map.of("team", "platform", "tier", "prod"));
        Map<String, Object> devUs = variablesOf(plan, "debian/gcp/kiln-images/us-central1/dev");
        assertThat(devUs).containsEntry("zone", "us-central1-b").containsEntry("subnets", List.of("us-a"))
                .containsEntry("labels", Map.of("team", "platform", "cost_center", "cc-4411"))
                .doesNotContainKey("preemptible");
        // the dev environment has no var files: the image's common one is read after the target's
        assertThat(devUs).containsEntry("release", "11");
        // and the zone, from a per-target variable with a placeholder, puts each build in its region
        assertThat(plan.job(new JobId("debian/gcp/kiln-images/europe-west4/prod")).orElseThrow().connection()
                .link(Connection.Role.REGION).orElseThrow().describe())
                .isEqualTo("zone ← zone (the plan's value)");
    }

    @Test
    void a_value_that_does_not_fit_the_variables_type_is_refused() {
        // When a list variable is given text, and a number variable a word
        String yaml = PLAN.replace("var_files: [vars/common.pkrvars.hcl]\n",
                "var_files: [vars/common.pkrvars.hcl]\n    variables: { subnets: eu-a, disk_size: big }\n");

        // Then
        assertThat(fixture.problems(yaml)).containsExactly(
                "plan.yaml:19:27: images[0].variables.subnets: 'subnets' — the template's variable subnets"
                        + " (declared list(string) at templates/gce.pkr.hcl:10:1) cannot take the plan's value: text"
                        + " 'eu-a' where a list is expected: write it as one, e.g. [a, b]",
                "plan.yaml:19:44: images[0].variables.disk_size: 'disk_size' — the template's variable disk_size"
                        + " (declared number at templates/gce.pkr.hcl:17:1) cannot take the plan's value: 'big' is not"
                        + " a number");
    }

    @Test
    void a_list_for_a_json_template_is_refused() {
        // When the fixture's JSON template is given a list
        List<String> problems = fixture.problems(PlanFixture.minimalWith("    builder: amazon-ebs\n",
                "    builder: amazon-ebs\n    variables: { packages: [curl, jq] }\n"));

        // Then
        assertThat(problems).containsExactly("plan.yaml:15:28: images[0].variables.packages: 'packages' — the"
                + " template's variable packages cannot take the plan's value: a list, and a JSON template's variables"
                + " are text; write it as text (e.g. comma-separated), or use an HCL2 template");
    }

    @Test
    void a_missing_var_file_names_the_build_it_was_rendered_for() {
        // When the staging environment's var file does not exist
        String yaml = PLAN.replace("  - dev\n", "  - name: dev\n    var_files: [\"vars/{env}.json\"]\n"
                + "  - name: staging\n    var_files: [\"vars/{env}.json\"]\n");

        // Then
        assertThat(fixture.problems(yaml)).singleElement().asString().startsWith("plan.yaml:7:17:"
                + " environments[1].var_files[0]: 'vars/{env}.json' — a var file that exists; vars/staging.json"
                + " (for gcp/kiln-images/us-central1 staging) does not");
    }

    @Test
    void an_unknown_placeholder_gets_the_nearest() {
        // When
        List<String> problems = fixture.problems(PLAN.replace("\"{region}-b\"", "\"{regoin}-b\""));

        // Then
        assertThat(problems).contains("plan.yaml:13:24: targets[0].variables.zone: '{regoin}-b' — unknown"
                + " placeholder {regoin}; did you mean {region}? Placeholders in variables and var_files: {region},"
                + " {env}, {image}, {image_name}, {build_id}, {account}, {provider}, {instance}");
    }

    @Test
    void a_var_file_kiln_cannot_read_is_refused_at_its_line() {
        // Given a var file with a reference, which packer refuses too
        fixture.write("vars/common.pkrvars.hcl", "release = \"11\"\ndisk_size = var.size\n");

        // When / Then
        assertThat(fixture.problems(PLAN)).singleElement().asString().isEqualTo("vars/common.pkrvars.hcl:2:1:"
                + " images[0].var_files[0] — disk_size = var.size is not a plain value — a variable file holds values"
                + " only: strings, numbers, bools, null, lists and maps, without references, function calls or"
                + " ${...}");
    }

    @Test
    void build_placeholders_reach_the_values() {
        // When a tag variable is the build id, by placeholder
        String yaml = PLAN.replace("var_files: [vars/common.pkrvars.hcl]\n", "var_files: [vars/common.pkrvars.hcl]\n"
                + "    variables: { labels: { build: \"{build_id}\", name: \"{image_name}\" } }\n");

        // Then
        BuildJob job = fixture.parse(yaml).jobs().get(0);
        assertThat(job.connection().variables().get("labels"))
                .isEqualTo(Map.of("build", job.buildId(), "name", job.imageName()));
    }
}
