package dev.kiln.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.plan.Connection.Role;
import dev.kiln.plan.Connection.Via;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 2: every build is connected to its target's region, its unique name, its build-id tag
 * and its instance size, or refused when the plan is read, at the template's file:line with the fix.
 */
class ConnectionTest {

    @TempDir
    Path dir;

    PlanFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new PlanFixture(dir);
    }

    /** The shape of examples/plans/templates/aws-ubuntu.json before issue 16: its own region and ami_name. */
    static final String OWN_VARIABLES = """
            {
              "variables": { "region": "us-west-1", "ami_name": "hashicups", "instance_type": "t3.small" },
              "builders": [{
                "type": "amazon-ebs",
                "region": "{{user `region`}}",
                "ami_name": "{{user `ami_name`}}",
                "instance_type": "{{user `instance_type`}}",
                "source_ami": "ami-0123456789abcdef0",
                "ssh_username": "ubuntu",
                "tags": { "kiln:build-id": "{{user `kiln_build_id`}}" },
                "run_tags": { "kiln:build-id": "{{user `kiln_build_id`}}" }
              }]
            }
            """;

    private static String plan(String imageExtra) {
        return """
                kiln: 1
                name: own
                environments: [dev]
                targets:
                  - provider: aws
                    account: "123456789012"
                    regions: [us-east-1, eu-west-1]
                images:
                  - name: web
                    template: templates/own.json
                    builder: amazon-ebs
                """ + imageExtra;
    }

    private List<String> problems(String yaml) {
        return fixture.problems(yaml);
    }

    @Test
    void a_template_reading_its_own_region_and_name_is_refused_at_the_fields_with_the_fix() {
        // Given a template whose region and ami_name are its own variables, which Kiln never sets
        fixture.write("templates/own.json", OWN_VARIABLES);

        // When the plan is read
        List<String> problems = problems(plan(""));

        // Then each field is refused at its own line, with what packer would get and how to connect it
        assertThat(problems).containsExactly(
                "templates/own.json:5:15: region of image 'web' (amazon-ebs, images[0] at plan.yaml:9:5):"
                        + " '{{user `region`}}' — on aws/123456789012/us-east-1 dev (and 1 more build of the image):"
                        + " is 'us-west-1' (the template's default of region, on every build), not the target's"
                        + " region us-east-1: packer would build there. Fix: map the template's variable in the"
                        + " plan's image: variables_map: { region: region }; or write \"region\": \"{{user"
                        + " `kiln_region`}}\" in the builder, or let Kiln write it: set_fields: [region] in the"
                        + " plan's image",
                "templates/own.json:6:17: ami_name of image 'web' (amazon-ebs, images[0] at plan.yaml:9:5):"
                        + " '{{user `ami_name`}}' — on aws/123456789012/us-east-1 dev (and 1 more build of the"
                        + " image): is 'hashicups' (the template's default of ami_name, on every build), not the name"
                        + " Kiln checked and reserved for this build ('web-dev-20240501123045-k3x9a2b1-001'): Kiln"
                        + " would verify an image packer never made, and builds sharing the name collide. Fix: map"
                        + " the template's variable in the plan's image: variables_map: { image_name: ami_name };"
                        + " or write \"ami_name\": \"{{user `kiln_image_name`}}\" in the builder, or let Kiln write"
                        + " it: set_fields: [image_name] in the plan's image");
    }

    @Test
    void mapped_variables_carry_each_builds_region_and_name() {
        // Given the same template, its variables mapped by the plan
        fixture.write("templates/own.json", OWN_VARIABLES);

        // When
        BuildPlan plan = fixture.parse(plan("    variables_map: { region: region, image_name: ami_name }\n"));

        // Then each build hands packer its own region and name in the template's variables
        BuildJob eu = plan.jobs().get(1);
        assertThat(eu.target().region()).isEqualTo("eu-west-1");
        assertThat(eu.connection().variables()).containsEntry("region", "eu-west-1")
                .containsEntry("ami_name", eu.imageName());
        assertThat(eu.connection().build()).isEqualTo("amazon-ebs");
        assertThat(eu.connection().link(Role.REGION).orElseThrow().via()).isEqualTo(Via.MAPPED_VARIABLE);
        assertThat(eu.connection().link(Role.BUILD_ID).orElseThrow().via()).isEqualTo(Via.KILN_VARIABLE);
        // the template's instance size is what Kiln reserves: the plan gave none
        assertThat(eu.image().instanceSize()).isEqualTo("t3.small");
        assertThat(eu.connection().link(Role.INSTANCE).orElseThrow().via()).isEqualTo(Via.TEMPLATE_VALUE);
        assertThat(eu.connection().describe()).isEqualTo("-only=amazon-ebs: region ← region (variables_map);"
                + " ami_name ← ami_name (variables_map); tags.kiln:build-id, run_tags.kiln:build-id ← kiln_build_id;"
                + " instance_type t3.small (the template's; Kiln plans with it)");
    }

    @Test
    void a_timestamped_name_is_not_unique_per_build() {
        // Given the name of the template: hashicups_{{timestamp}}
        fixture.write("templates/own.json", OWN_VARIABLES.replace("\"{{user `ami_name`}}\"",
                "\"hashicups_{{timestamp}}\""));

        // When
        List<String> problems = problems(plan("    variables_map: { region: region }\n"));

        // Then
        assertThat(problems).singleElement().asString()
                .startsWith("templates/own.json:6:17: ami_name of image 'web' (amazon-ebs, images[0] at plan.yaml:9:5):"
                        + " 'hashicups_{{timestamp}}' — on aws/123456789012/us-east-1 dev (and 1 more build of the"
                        + " image): {{timestamp}} changes every time packer runs: not static, so it is not the name Kiln checked and reserved ('web-dev-20240501123045-k3x9a2b1-001')")
                .endsWith("Fix: write \"ami_name\": \"{{user `kiln_image_name`}}\" in the builder, or let Kiln write it:"
                        + " set_fields: [image_name] in the plan's image");
    }

    @Test
    void a_template_without_the_build_id_tag_is_refused_or_has_it_set_in_its_copy() {
        // Given a template tagging with something else
        fixture.write("templates/own.json", OWN_VARIABLES.replace("\"kiln:build-id\": \"{{user `kiln_build_id`}}\" },\n"
                + "    \"run_tags\"", "\"team\": \"web\" },\n    \"run_tags\""));
        String mapped = "    variables_map: { region: region, image_name: ami_name }\n";

        // When / Then: refused, at the tags
        assertThat(problems(plan(mapped))).singleElement().asString()
                .startsWith("templates/own.json:10:13: tags of image 'web' (amazon-ebs, images[0] at plan.yaml:9:5)"
                        + " — on aws/123456789012/us-east-1 dev (and 1 more build of the image): has no kiln:build-id"
                        + " (or kiln-build-id) key, so the image (what Kiln verifies it by) would not carry the build"
                        + " id k3x9a2b1-001. Fix: add \"kiln:build-id\": \"{{user `kiln_build_id`}}\" to tags, or let"
                        + " Kiln add it: set_fields: [build_id] in the plan's image");

        // When Kiln is told to set it
        BuildPlan plan = fixture.parse(plan(mapped + "    set_fields: [build_id]\n"));

        // Then each build's copy gets both tags
        BuildJob job = plan.jobs().get(0);
        assertThat(job.connection().fields()).containsExactly(
                java.util.Map.entry("tags.kiln:build-id", job.buildId()),
                java.util.Map.entry("run_tags.kiln:build-id", job.buildId()));
        assertThat(job.connection().link(Role.BUILD_ID).orElseThrow().via()).isEqualTo(Via.SET_FIELD);
    }

    @Test
    void a_literal_region_is_right_for_its_own_target_only() {
        // Given a region written in the template
        fixture.write("templates/own.json", OWN_VARIABLES.replace("\"{{user `region`}}\"", "\"us-east-1\""));

        // When
        List<String> problems = problems(plan("    variables_map: { image_name: ami_name }\n"));

        // Then the build in eu-west-1 is refused; the one in us-east-1 was fine
        assertThat(problems).singleElement().asString().startsWith("templates/own.json:5:15: region of image 'web'"
                + " (amazon-ebs, images[0] at plan.yaml:9:5): 'us-east-1' — on aws/123456789012/eu-west-1 dev: is"
                + " 'us-east-1' (written in the template, the same for every build), not the target's region"
                + " eu-west-1");
    }

    @Test
    void the_plans_instance_and_the_templates_must_agree() {
        // Given a template on t3.small and a plan reserving m5.xlarge
        fixture.write("templates/own.json", OWN_VARIABLES);
        String mapped = "    variables_map: { region: region, image_name: ami_name }\n    instance: m5.xlarge\n";

        // When / Then: a conflict
        assertThat(problems(plan(mapped))).singleElement().asString().contains("instance_type of image 'web'")
                .contains("is 't3.small' (the template's default of instance_type, on every build), but the plan's"
                        + " instance is m5.xlarge: Kiln would reserve quota for one size and packer build another")
                .contains("variables_map: { instance: instance_type }");

        // When the plan maps it, packer builds what Kiln reserves
        BuildJob job = fixture.parse(plan(mapped.replace("ami_name }", "ami_name, instance: instance_type }")))
                .jobs().get(0);
        assertThat(job.connection().variables()).containsEntry("instance_type", "m5.xlarge");
        assertThat(job.demand().amounts()).containsEntry(Demand.VCPUS, 4L);
    }

    @Test
    void an_hcl2_template_reading_kilns_variables_is_connected() {
        // Given the fixture's HCL2 template
        String yaml = PlanFixture.minimalWith("templates/ubuntu.json", "templates/app.pkr.hcl");

        // When
        BuildJob job = fixture.parse(yaml).jobs().get(0);

        // Then
        assertThat(job.connection().build()).isEqualTo("amazon-ebs.ubuntu");
        assertThat(job.connection().links()).extracting(Connection.Link::via).containsExactly(Via.KILN_VARIABLE,
                Via.KILN_VARIABLE, Via.KILN_VARIABLE, Via.TEMPLATE_VALUE);
        assertThat(job.connection().link(Role.REGION).orElseThrow().position().line()).isEqualTo(5);
    }

    @Test
    void a_gce_zone_must_lie_in_the_targets_region() {
        // Given a googlecompute builder whose zone is the template's default
        fixture.write("templates/gce.json", """
                {
                  "variables": { "zone": "us-central1-a" },
                  "builders": [{
                    "type": "googlecompute", "project_id": "p", "zone": "{{user `zone`}}",
                    "image_name": "{{user `kiln_image_name`}}", "machine_type": "e2-standard-2",
                    "source_image_family": "debian-12", "ssh_username": "packer",
                    "image_labels": { "kiln-build-id": "{{user `kiln_build_id`}}" },
                    "labels": { "kiln-build-id": "{{user `kiln_build_id`}}" }
                  }]
                }
                """);
        String yaml = """
                kiln: 1
                name: gce
                environments: [dev]
                targets:
                  - { provider: gcp, account: kiln-images, regions: [us-central1, europe-west4] }
                images:
                  - { name: web, template: templates/gce.json, builder: googlecompute }
                """;

        // When / Then
        assertThat(problems(yaml)).singleElement().asString().contains("on gcp/kiln-images/europe-west4 dev: is"
                + " 'us-central1-a' (the template's default of zone, on every build), a zone outside the target's"
                + " region europe-west4").contains("Fix: give zone a zone of each target's region in the plan");
    }

    @Test
    void vsphere_builders_cannot_tag_so_a_step_of_the_template_must() {
        // Given a vsphere-iso template with no step reading the build id
        String template = """
                {
                  "builders": [{ "type": "vsphere-iso", "host": "{{user `kiln_region`}}",
                                 "vm_name": "{{user `kiln_image_name`}}" }]%s
                }
                """;
        fixture.write("templates/vm.json", template.formatted(""));
        String yaml = """
                kiln: 1
                name: vm
                environments: [dev]
                targets:
                  - { provider: vsphere, account: vcenter.lab, region: esx-01 }
                images:
                  - { name: web, template: templates/vm.json, builder: vsphere-iso }
                """;

        // When / Then
        assertThat(problems(yaml)).singleElement().asString().contains("packer 1.6.6's vsphere-iso has no tags, and no"
                + " provisioner or post-processor of this build reads the build id k3x9a2b1-001")
                .contains("govc tags.attach -c kiln-build-id {{user `kiln_build_id`}}");

        // When a post-processor tags the VM
        fixture.write("templates/vm.json", template.formatted(",\n  \"post-processors\": [{ \"type\": \"shell-local\","
                + " \"inline\": [\"govc tags.attach -c kiln-build-id {{user `kiln_build_id`}} vm/x\"] }]"));
        BuildJob job = fixture.parse(yaml).jobs().get(0);

        // Then the connection says who tags it
        assertThat(job.connection().link(Role.BUILD_ID).orElseThrow().describe())
                .isEqualTo("build_id: the builder has none; kiln_build_id read by a step of the template");
    }

    @Test
    void a_null_builder_stands_in_and_has_nothing_to_connect() {
        // Given the fixture's null builder
        BuildJob job = fixture.parse(PlanFixture.minimalWith("builder: amazon-ebs", "builder: \"null\""))
                .jobs().get(0);

        // Then
        assertThat(job.connection().links()).extracting(Connection.Link::via).containsOnly(Via.STAND_IN);
        assertThat(job.connection().describe()).startsWith("-only=null (null builder)");
    }
}
