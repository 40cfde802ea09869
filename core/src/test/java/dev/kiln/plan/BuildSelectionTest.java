package dev.kiln.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 3: {@code only:} names a build of the template (templated JSON names rendered with the
 * image's variables), builder types are ones packer has, and a builder builds on its targets' provider.
 */
class BuildSelectionTest {

    @TempDir
    Path dir;

    PlanFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new PlanFixture(dir);
    }

    private static final String GCE_BUILDER = """
            {"type": "googlecompute", %s"project_id": "p", "zone": "{{user `kiln_region`}}-b",
             "image_name": "{{user `kiln_image_name`}}", "machine_type": "e2-standard-2",
             "source_image_family": "debian-12", "ssh_username": "packer",
             "image_labels": {"kiln-build-id": "{{user `kiln_build_id`}}"},
             "labels": {"kiln-build-id": "{{user `kiln_build_id`}}"}}""";

    private static String gcePlan(String image) {
        return """
                kiln: 1
                name: gce
                environments: [dev]
                targets:
                  - { provider: gcp, account: kiln-images, region: us-central1 }
                images:
                """ + image;
    }

    @Test
    void a_templated_builder_name_is_rendered_with_the_images_variables() {
        // Given the image-builder shape: the builder's name is a variable, "gce-debian" by default
        fixture.write("templates/gce.json", "{\"variables\": {\"build_name\": \"gce-debian\"}, \"builders\": ["
                + GCE_BUILDER.formatted("\"name\": \"{{user `build_name`}}\", ") + "]}");

        // When the plan says only: googlecompute (what made packer build nothing in the issue)
        List<String> problems = fixture.problems(gcePlan(
                "  - { name: web, template: templates/gce.json, builder: googlecompute, only: googlecompute }\n"));

        // Then it is refused, naming the build as packer would name it
        assertThat(problems).containsExactly("plan.yaml:7:78: images[0].only: 'googlecompute' — names no build of"
                + " templates/gce.json (its builds: gce-debian (\"{{user `build_name`}}\") [googlecompute]). packer's"
                + " -only= would build nothing and report no artifact; write only: with the build's name (HCL2:"
                + " type.name, or build.type.name for a named build block)");

        // When the image's variables name the build
        BuildPlan plan = fixture.parse(gcePlan("  - { name: web, template: templates/gce.json, builder: googlecompute,"
                + " only: googlecompute, variables: { build_name: googlecompute } }\n"));

        // Then that is the build
        assertThat(plan.jobs().get(0).connection().build()).isEqualTo("googlecompute");

        // And without only:, the template's one googlecompute build runs under the name packer gives it
        plan = fixture.parse(gcePlan("  - { name: web, template: templates/gce.json, builder: googlecompute }\n"));
        assertThat(plan.jobs().get(0).connection().build()).isEqualTo("gce-debian");
    }

    @Test
    void only_gets_the_nearest_build_name() {
        // Given an HCL2 template whose build block has a name: packer 1.6.6 calls its build base.amazon-ebs.ubuntu
        fixture.write("templates/named.pkr.hcl", PlanFixture.HCL_TEMPLATE.replace("build {\n",
                "build {\n  name = \"base\"\n"));
        String yaml = PlanFixture.minimalWith("templates/ubuntu.json", "templates/named.pkr.hcl")
                .replace("    builder: amazon-ebs\n", "    builder: amazon-ebs\n    only: amazon-ebs.ubuntu\n");

        // When / Then
        assertThat(fixture.problems(yaml)).singleElement().asString().startsWith("plan.yaml:15:11: images[0].only:"
                + " 'amazon-ebs.ubuntu' — names no build of templates/named.pkr.hcl; did you mean"
                + " 'base.amazon-ebs.ubuntu'? (its builds: base.amazon-ebs.ubuntu [amazon-ebs])");

        // And without only:, the template's one amazon-ebs build is taken
        BuildPlan plan = fixture.parse(yaml.replace("    only: amazon-ebs.ubuntu\n", ""));
        assertThat(plan.jobs().get(0).connection().build()).isEqualTo("base.amazon-ebs.ubuntu");
    }

    @Test
    void several_builds_of_the_type_need_only() {
        // Given a JSON template with two amazon-ebs builders, neither named amazon-ebs
        fixture.write("templates/two.json", PlanFixture.TEMPLATE.replace("{ \"type\": \"amazon-ebs\", \"region\"",
                "{ \"type\": \"amazon-ebs\", \"name\": \"ubuntu\", \"region\""));
        String yaml = PlanFixture.minimalWith("templates/ubuntu.json", "templates/two.json");

        // When / Then
        assertThat(fixture.problems(yaml)).containsExactly("plan.yaml:14:14: images[0].builder: 'amazon-ebs' —"
                + " templates/two.json has 2 amazon-ebs builds (ubuntu [amazon-ebs], amazon-ebs.ubuntu [amazon-ebs]);"
                + " say which with only:");
    }

    @Test
    void a_misspelled_builder_is_an_unknown_builder_not_a_missing_target() {
        // When
        List<String> problems = fixture.problems(PlanFixture.minimalWith("builder: amazon-ebs",
                "builder: amazon-ebss"));

        // Then
        assertThat(problems).containsExactly("plan.yaml:14:14: images[0].builder: 'amazon-ebss' — unknown builder"
                + " type; did you mean 'amazon-ebs'? Kiln runs amazon-ebs, amazon-ebssurrogate, amazon-ebsvolume,"
                + " amazon-instance, amazon-chroot, azure-arm, googlecompute, vsphere-iso, vsphere-clone, and null"
                + " (packer's null builder, on any target)");
    }

    @Test
    void a_misspelled_builder_in_the_template_is_refused_at_its_line() {
        // Given
        fixture.write("templates/typo.json", PlanFixture.TEMPLATE.replace("{ \"type\": \"null\"",
                "{ \"type\": \"nul\""));

        // When
        List<String> problems = fixture.problems(PlanFixture.minimalWith("templates/ubuntu.json",
                "templates/typo.json"));

        // Then
        assertThat(problems).containsExactly("templates/typo.json:28:5: images[0].template: 'nul' — unknown builder"
                + " type; did you mean 'null'? packer has no builder 'nul' and refuses the whole template");
    }

    @Test
    void a_local_hypervisor_builder_cannot_build_on_vsphere() {
        // Given qemu (and virtualbox-iso) images on a vSphere target
        String yaml = """
                kiln: 1
                name: lab
                environments: [dev]
                targets:
                  - { provider: vsphere, account: vcenter.lab, region: esx-01 }
                images:
                  - { name: one, template: templates/ubuntu.json, builder: qemu }
                  - { name: two, template: templates/ubuntu.json, builder: amazon-ebs, providers: [vsphere] }
                """;

        // When / Then
        assertThat(fixture.problems(yaml)).containsExactly(
                "plan.yaml:7:60: images[0].builder: 'qemu' — image 'one' cannot build on vsphere targets"
                        + " (vsphere/vcenter.lab/esx-01): qemu builds on a hypervisor on the machine running packer"
                        + " (QEMU); choose a builder of vsphere (vsphere-iso, vsphere-clone), or name the image's"
                        + " providers: so it skips them",
                "plan.yaml:8:60: images[1].builder: 'amazon-ebs' — image 'two' cannot build on vsphere targets"
                        + " (vsphere/vcenter.lab/esx-01): amazon-ebs builds on aws; choose a builder of vsphere"
                        + " (vsphere-iso, vsphere-clone), or name the image's providers: so it skips them");
    }

    @Test
    void only_must_select_a_build_of_the_images_builder() {
        // When only names the fixture's googlecompute builder for an amazon-ebs image
        List<String> problems = fixture.problems(PlanFixture.minimalWith("    builder: amazon-ebs\n",
                "    builder: amazon-ebs\n    only: googlecompute\n"));

        // Then
        assertThat(problems).containsExactly("plan.yaml:15:11: images[0].only: 'googlecompute' — selects"
                + " googlecompute [googlecompute], a googlecompute build, but the image's builder is amazon-ebs;"
                + " make them agree");
    }

    @Test
    void a_mapped_variable_must_be_the_templates() {
        // When variables_map names a variable the template does not declare
        List<String> problems = fixture.problems(PlanFixture.minimalWith("    builder: amazon-ebs\n",
                "    builder: amazon-ebs\n    variables_map: { instance: instance_typ }\n"));

        // Then
        assertThat(problems).containsExactly("plan.yaml:15:32: images[0].variables_map.instance: 'instance_typ' —"
                + " is not a variable of templates/ubuntu.json; did you mean 'instance_type'? (it declares"
                + " instance_type, vm_size, machine_type); Kiln would set a variable no field reads");
    }
}
