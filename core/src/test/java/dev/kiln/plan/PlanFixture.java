package dev.kiln.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A plan directory with templates, and a context with fixed time, run id and environment, so
 * every rendered name and build id is known in advance.
 */
final class PlanFixture {

    static final Instant NOW = Instant.parse("2024-05-01T12:30:45Z");
    static final String RUN_ID = "k3x9a2b1";
    static final String TIMESTAMP = "20240501123045";
    static final String DB_PASSWORD = "hunter2-correct-horse";

    /** A plan with one amazon-ebs image on two AWS regions and one GCP region, in two environments. */
    static final String MINIMAL = """
            kiln: 1
            name: base-images
            environments: [dev, prod]
            targets:
              - provider: aws
                account: "123456789012"
                regions: [us-east-1, eu-west-1]
              - provider: gcp
                account: kiln-images
                region: us-central1
            images:
              - name: ubuntu-base
                template: templates/ubuntu.json
                builder: amazon-ebs
            """;

    final Path dir;

    /**
     * A JSON template with one builder of each type Kiln runs, each named by its type (so an image's
     * default {@code only} finds it) and connected to Kiln's variables, and a second amazon-ebs builder
     * named {@code amazon-ebs.ubuntu}; its instance sizes are variables with defaults.
     */
    static final String TEMPLATE = """
            {
              "variables": { "instance_type": "t3.micro", "vm_size": "Standard_D2s_v3",
                             "machine_type": "e2-standard-2" },
              "builders": [
                { "type": "amazon-ebs", "region": "{{user `kiln_region`}}", "ami_name": "{{user `kiln_image_name`}}",
                  "instance_type": "{{user `instance_type`}}", "source_ami": "ami-0123456789abcdef0",
                  "ssh_username": "ubuntu",
                  "tags": { "kiln:build-id": "{{user `kiln_build_id`}}" },
                  "run_tags": { "kiln:build-id": "{{user `kiln_build_id`}}" } },
                { "type": "amazon-ebs", "name": "amazon-ebs.ubuntu", "region": "{{user `kiln_region`}}",
                  "ami_name": "{{user `kiln_image_name`}}", "instance_type": "{{user `instance_type`}}",
                  "source_ami": "ami-0123456789abcdef0", "ssh_username": "ubuntu",
                  "tags": { "kiln:build-id": "{{user `kiln_build_id`}}" },
                  "run_tags": { "kiln:build-id": "{{user `kiln_build_id`}}" } },
                { "type": "azure-arm", "location": "{{user `kiln_region`}}",
                  "managed_image_name": "{{user `kiln_image_name`}}", "managed_image_resource_group_name": "rg",
                  "vm_size": "{{user `vm_size`}}", "os_type": "Linux",
                  "azure_tags": { "kiln-build-id": "{{user `kiln_build_id`}}" } },
                { "type": "googlecompute", "project_id": "{{user `kiln_account`}}",
                  "zone": "{{user `kiln_region`}}-a", "image_name": "{{user `kiln_image_name`}}",
                  "machine_type": "{{user `machine_type`}}", "source_image_family": "debian-12",
                  "ssh_username": "packer",
                  "image_labels": { "kiln-build-id": "{{user `kiln_build_id`}}" },
                  "labels": { "kiln-build-id": "{{user `kiln_build_id`}}" } },
                { "type": "vsphere-iso", "host": "{{user `kiln_region`}}", "vm_name": "{{user `kiln_image_name`}}" },
                { "type": "vsphere-clone", "host": "{{user `kiln_region`}}", "vm_name": "{{user `kiln_image_name`}}",
                  "template": "base" },
                { "type": "null", "communicator": "none" }
              ],
              "post-processors": [
                { "type": "shell-local", "only": ["vsphere-iso", "vsphere-clone"],
                  "inline": ["govc tags.attach -c kiln-build-id {{user `kiln_build_id`}} vm/{{user `kiln_image_name`}}"] }
              ]
            }
            """;

    /** The same, in HCL2: one amazon-ebs source, ubuntu. */
    static final String HCL_TEMPLATE = """
            variable "kiln_region" { type = string }
            variable "kiln_image_name" { type = string }
            variable "kiln_build_id" { type = string }
            source "amazon-ebs" "ubuntu" {
              region        = var.kiln_region
              ami_name      = var.kiln_image_name
              instance_type = "t3.micro"
              source_ami    = "ami-0123456789abcdef0"
              ssh_username  = "ubuntu"
              tags          = { "kiln:build-id" = var.kiln_build_id }
              run_tags      = { "kiln:build-id" = var.kiln_build_id }
            }
            build {
              sources = ["source.amazon-ebs.ubuntu"]
            }
            """;

    PlanFixture(Path dir) {
        this.dir = dir;
        write("templates/ubuntu.json", TEMPLATE);
        write("templates/null.json", TEMPLATE);
        write("templates/app.pkr.hcl", HCL_TEMPLATE);
    }

    static PlanContext context() {
        return new PlanContext(NOW, RUN_ID, "abc1234", null,
                Map.of("DB_PASSWORD", DB_PASSWORD, "API_TOKEN", "token-0123456789"));
    }

    Path write(String relative, String text) {
        try {
            Path file = dir.resolve(relative);
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path planPath() {
        return dir.resolve("plan.yaml");
    }

    BuildPlan parse(String yaml) {
        return PlanFile.parse(yaml, planPath(), context());
    }

    PlanException refuse(String yaml) {
        try {
            BuildPlan plan = parse(yaml);
            throw new AssertionError("expected the plan to be refused, got " + plan);
        } catch (PlanException e) {
            return e;
        }
    }

    /** The problems' one-line forms, with the plan's directory shortened to {@code plan.yaml}. */
    List<String> problems(String yaml) {
        return refuse(yaml).problems().stream()
                .map(p -> p.describe().replace(dir.toString() + "/", "").replace(dir.toString(), "<dir>"))
                .toList();
    }

    /** {@link #MINIMAL} with {@code from} replaced by {@code to}; fails when {@code from} is not in it. */
    static String minimalWith(String from, String to) {
        return replace(MINIMAL, from, to);
    }

    static String replace(String text, String from, String to) {
        if (!text.contains(from)) {
            throw new IllegalArgumentException("no '" + from + "' in the plan");
        }
        return text.replace(from, to);
    }
}
