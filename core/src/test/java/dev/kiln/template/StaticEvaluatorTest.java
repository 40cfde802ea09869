package dev.kiln.template;

import static dev.kiln.template.Fixtures.at;
import static dev.kiln.template.Fixtures.path;
import static dev.kiln.template.Fixtures.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.template.Evaluation.Known;
import dev.kiln.template.Evaluation.Reason;
import dev.kiln.template.Evaluation.Unknown;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What can be known of a template's values before packer runs, and why the rest cannot. */
class StaticEvaluatorTest {

    private static Object known(Evaluation e) {
        assertThat(e).isInstanceOf(Known.class);
        return ((Known) e).value();
    }

    private static Unknown unknown(Evaluation e) {
        assertThat(e).isInstanceOf(Unknown.class);
        return (Unknown) e;
    }

    private static Evaluation field(PackerTemplate t, StaticEvaluator ev, String source, String field) {
        return ev.evaluate(t.source(source).orElseThrow().field(field).orElseThrow());
    }

    private static Evaluation expression(String hcl, Map<String, ?> values) {
        PackerTemplate t = PackerTemplate.parse(Path.of("e.pkr.hcl"), hcl);
        return t.evaluator(values).local("x");
    }

    @Test
    void a_json_template_reads_user_variables_from_a_var_file_then_defaults() {
        // Given the EKS template and its var file for us-east-1
        PackerTemplate t = read("eks-json/eks-worker-al2.json");
        VariableFile vars = VariableFile.read(path("eks-json/vars/us-east-1.json"));
        StaticEvaluator ev = t.evaluator(vars.asMap());

        // Then what the var file sets, and defaults built from other variables, are known
        assertThat(known(field(t, ev, "amazon-ebs", "region"))).isEqualTo("us-east-1");
        assertThat(known(field(t, ev, "amazon-ebs", "ami_name"))).isEqualTo("platform-eks-1.27-us-east-1");
        assertThat(known(field(t, ev, "amazon-ebs", "instance_type"))).isEqualTo("m6i.large");
        assertThat(known(field(t, ev, "amazon-ebs", "tags.kubernetes")))
                .isEqualTo("1.27.4/2023-08-16/bin/linux/x86_64");
        assertThat(known(ev.variable("working_dir"))).isEqualTo("/tmp/worker");
        assertThat(known(field(t, ev, "amazon-ebs", "ami_description")))
                .isEqualTo("EKS worker node for Kubernetes 1.27.4, (k8s: 1.27.4, containerd: 1.6.*)");

        // And what changes per run, what packer sets and what reads the environment say so
        Unknown created = unknown(field(t, ev, "amazon-ebs", "tags.created"));
        assertThat(created.reason()).isEqualTo(Reason.NOT_STATIC);
        assertThat(created.explanation()).isEqualTo("{{timestamp}} changes every time packer runs: not static");
        assertThat(at(created.position())).isEqualTo("90:21");
        assertThat(unknown(field(t, ev, "amazon-ebs", "tags.build_region")).reason()).isEqualTo(Reason.SET_BY_PACKER);
        Unknown creator = unknown(field(t, ev, "amazon-ebs", "run_tags.creator"));
        assertThat(creator.reason()).isEqualTo(Reason.ENVIRONMENT);
        assertThat(creator.explanation()).isEqualTo("{{env `USER`}} reads the environment when packer runs");
        assertThat(known(ev.withEnvironment(Map.of("USER", "ci")).evaluate(
                t.sources().get(0).field("run_tags.creator").orElseThrow()))).isEqualTo("ci");
    }

    @Test
    void a_required_json_variable_without_a_value_is_unknown_with_the_reason() {
        PackerTemplate t = read("eks-json/eks-worker-al2.json");

        Unknown name = unknown(field(t, t.evaluator(Map.of()), "amazon-ebs", "ami_name"));

        assertThat(name.reason()).isEqualTo(Reason.NO_VALUE);
        assertThat(name.explanation()).isEqualTo("{{user `ami_name`}} has no value: the template gives it no default"
                + " and none was given");
        assertThat(known(field(t, t.evaluator(Map.of()), "amazon-ebs", "region"))).isEqualTo("us-west-2");
    }

    @Test
    void hcl2_variables_come_from_values_then_auto_var_files_then_defaults() {
        PackerTemplate t = read("hcl-folder");

        StaticEvaluator defaults = t.evaluator(Map.of());
        assertThat(known(field(t, defaults, "amazon-ebs.ubuntu", "region"))).isEqualTo("eu-central-1");
        assertThat(known(defaults.local("name_base"))).isEqualTo("platform-base-dev");
        assertThat(known(defaults.local("common_tags")))
                .isEqualTo(Map.of("Team", "platform", "Environment", "dev", "ManagedBy", "packer"));
        assertThat(known(field(t, defaults, "amazon-ebs.ubuntu", "source_ami_filter.owners")))
                .isEqualTo(List.of("099720109477"));

        StaticEvaluator prod = t.evaluator(Map.of("aws_region", "us-east-2", "environment", "prod"));
        assertThat(known(field(t, prod, "amazon-ebs.ubuntu", "region"))).isEqualTo("us-east-2");
        assertThat(known(prod.local("name_base"))).isEqualTo("platform-base-prod");
        assertThat(known(field(t, prod, "amazon-ebs.al2", "tags"))).isEqualTo(
                Map.of("Team", "platform", "Environment", "prod", "ManagedBy", "packer", "Flavor", "al2"));

        Unknown amiName = unknown(field(t, prod, "amazon-ebs.ubuntu", "ami_name"));
        assertThat(amiName.reason()).isEqualTo(Reason.NOT_STATIC);
        assertThat(amiName.explanation()).isEqualTo("formatdate() changes every time packer runs: not static");
        assertThat(amiName.position().file().getFileName().toString()).isEqualTo("variables.pkr.hcl");
        assertThat(at(amiName.position())).isEqualTo("45:16");
    }

    @Test
    void an_hcl2_variable_without_default_or_value() {
        PackerTemplate t = PackerTemplate.parse(Path.of("e.pkr.hcl"), "variable \"environment\" {\n  type = string\n}\n"
                + "locals {\n  x = \"app-${var.environment}\"\n}\n");

        Unknown x = unknown(t.evaluator(Map.of()).local("x"));

        assertThat(x.reason()).isEqualTo(Reason.NO_VALUE);
        assertThat(x.explanation()).isEqualTo("var.environment has no value: the template gives it no default and none"
                + " was given");
        assertThat(at(x.position())).isEqualTo("5:14");
    }

    @Test
    void builder_actions_in_hcl2_strings_are_read_as_packer_reads_them() {
        // Given the hashicups_{{timestamp}}: packer's amazon-ebs renders it, so it is no literal name
        PackerTemplate t = read("multi-cloud/multi-cloud.pkr.hcl");
        StaticEvaluator ev = t.evaluator(Map.of("azure_client_secret", "s3cret"));

        Unknown amiName = unknown(field(t, ev, "amazon-ebs.web", "ami_name"));

        assertThat(amiName.reason()).isEqualTo(Reason.NOT_STATIC);
        assertThat(amiName.explanation()).isEqualTo("{{timestamp}} changes every time packer runs: not static");
        assertThat(known(field(t, ev, "amazon-ebs.web", "region"))).isEqualTo("us-west-1");
        assertThat(known(field(t, ev, "azure-arm.web", "shared_image_gallery_destination.replication_regions")))
                .isEqualTo(List.of("westeurope", "northeurope"));
        assertThat(unknown(field(t, ev, "azure-arm.web", "managed_image_name")).reason()).isEqualTo(Reason.NOT_STATIC);
    }

    @Test
    void for_expressions_join_and_upper_over_list_and_map_variables() {
        PackerTemplate t = read("gcp/googlecompute.pkr.hcl");
        StaticEvaluator ev = t.evaluator(Map.of("project_id", "p"));

        assertThat(known(ev.local("label_pairs"))).isEqualTo("team=platform,owner=images");
        assertThat(known(ev.local("upper_tags"))).isEqualTo(List.of("PACKER-BUILD"));
        assertThat(known(field(t, ev, "googlecompute.debian", "metadata.startup-script")))
                .isEqualTo("#!/bin/bash\necho \"labels: team=platform,owner=images\" > /etc/motd\n");
        assertThat(known(field(t, ev, "googlecompute.debian", "image_labels")))
                .isEqualTo(Map.of("team", "platform", "owner", "images"));
        assertThat(unknown(ev.evaluate(t.builds().get(0).provisioners().get(0).body().field("execute_command")
                .orElseThrow())).reason()).isEqualTo(Reason.SET_BY_PACKER);
    }

    @Test
    void typed_values_from_a_pkrvars_file_reach_number_and_object_variables() {
        PackerTemplate t = read("vsphere/vsphere-iso.pkr.hcl");
        StaticEvaluator ev = t.evaluator(VariableFile.read(path("vsphere/lab.pkrvars.hcl")).asMap());

        assertThat(known(field(t, ev, "vsphere-iso.rhel9", "content_library_destination.name")))
                .isEqualTo("rhel9-golden-4cpu");
        assertThat(known(field(t, ev, "vsphere-iso.rhel9", "content_library_destination.library")))
                .isEqualTo("lab-images");
        assertThat(known(field(t, ev, "vsphere-iso.rhel9", "CPUs"))).isEqualTo(new BigDecimal("4"));
        assertThat(known(field(t, ev, "vsphere-iso.rhel9", "iso_paths")))
                .isEqualTo(List.of("[vsanDatastore] iso/rhel-9.3-x86_64-dvd.iso"));
    }

    @Test
    void given_strings_are_converted_to_the_variables_type() {
        PackerTemplate t = PackerTemplate.parse(Path.of("e.pkr.hcl"), "variable \"cpus\" {\n  type = number\n}\n"
                + "variable \"spot\" {\n  type = bool\n}\nlocals {\n  x = var.spot ? var.cpus * 2 : var.cpus\n}\n");

        assertThat(known(t.evaluator(Map.of("cpus", "3", "spot", "true")).local("x"))).isEqualTo(new BigDecimal("6"));
        assertThat(known(t.evaluator(Map.of("cpus", 3, "spot", false)).local("x"))).isEqualTo(new BigDecimal("3"));
        Unknown bad = unknown(t.evaluator(Map.of("cpus", "three", "spot", "true")).local("x"));
        assertThat(bad.reason()).isEqualTo(Reason.INVALID);
        assertThat(bad.explanation()).isEqualTo("var.cpus is a number; 'three' is not");
    }

    @Test
    void common_functions() {
        assertThat(known(expression("locals {\n  x = format(\"%s-%03d\", lower(\"WEB\"), 7)\n}\n", Map.of())))
                .isEqualTo("web-007");
        assertThat(known(expression("locals {\n  x = replace(\"a.b.c\", \".\", \"-\")\n}\n", Map.of())))
                .isEqualTo("a-b-c");
        assertThat(known(expression("locals {\n  x = replace(\"v1.2.3\", \"/[^0-9]/\", \"\")\n}\n", Map.of())))
                .isEqualTo("123");
        assertThat(known(expression("locals {\n  x = split(\",\", \"a,b\")\n}\n", Map.of()))).isEqualTo(List.of("a", "b"));
        assertThat(known(expression("locals {\n  x = join(\"-\", [\"a\", 1, true])\n}\n", Map.of()))).isEqualTo("a-1-true");
        assertThat(known(expression("locals {\n  x = upper(lookup({a = \"b\"}, \"c\", \"d\"))\n}\n", Map.of())))
                .isEqualTo("D");
        assertThat(known(expression("locals {\n  x = coalesce(\"\", null, \"z\")\n}\n", Map.of()))).isEqualTo("z");
        assertThat(known(expression("locals {\n  x = length(concat([1], [2, 3])) + 0.5\n}\n", Map.of())))
                .isEqualTo(new BigDecimal("3.5"));
        assertThat(known(expression("locals {\n  x = \"n=${1 + 1}\"\n}\n", Map.of()))).isEqualTo("n=2");
        Unknown ts = unknown(expression("locals {\n  x = \"build-${timestamp()}\"\n}\n", Map.of()));
        assertThat(ts.reason()).isEqualTo(Reason.NOT_STATIC);
        assertThat(ts.explanation()).isEqualTo("timestamp() changes every time packer runs: not static");
        assertThat(unknown(expression("locals {\n  x = uuidv4()\n}\n", Map.of())).reason()).isEqualTo(Reason.NOT_STATIC);
        assertThat(unknown(expression("locals {\n  x = sha256(\"a\")\n}\n", Map.of())).explanation())
                .isEqualTo("sha256() is not evaluated by Kiln's static evaluator");
        assertThat(unknown(expression("locals {\n  x = \"%{ if true }y%{ endif }\"\n}\n", Map.of())).reason())
                .isEqualTo(Reason.NOT_EVALUATED);
        assertThat(unknown(expression("locals {\n  x = source.name\n}\n", Map.of())).explanation())
                .isEqualTo("source.name is set by packer while it builds");
    }

    @Test
    void operators_bind_as_in_hcl() {
        assertThat(known(expression("locals {\n  x = 10 - 4 - 3\n}\n", Map.of()))).isEqualTo(new BigDecimal("3"));
        assertThat(known(expression("locals {\n  x = 1 + 2 * 3 == 7 && !false || false\n}\n", Map.of()))).isEqualTo(true);
        assertThat(known(expression("locals {\n  x = (1 + 2) * 3 % 4 < 2 ? \"a\" : \"b\"\n}\n", Map.of())))
                .isEqualTo("a");
        assertThat(known(expression("locals {\n  x = -2 * -3 >= 6 != false\n}\n", Map.of()))).isEqualTo(true);
    }

    @Test
    void a_cycle_of_locals_is_named() {
        Unknown cycle = unknown(expression("locals {\n  x = local.y\n  y = local.x\n}\n", Map.of()));

        assertThat(cycle.reason()).isEqualTo(Reason.INVALID);
        assertThat(cycle.explanation()).isEqualTo("local.x reads itself: local.x -> local.y -> local.x");
    }

    @Test
    void json_engine_functions() {
        PackerTemplate t = read("six-builders.json");
        StaticEvaluator ev = t.evaluator(Map.of());

        assertThat(known(field(t, ev, "gcp", "image_name"))).isEqualTo("base-2024-05-1");
        assertThat(known(field(t, ev, "aws", "region"))).isEqualTo("us-east-2");
        assertThat(known(t.evaluator(Map.of("region", "eu-north-1")).evaluate(
                t.source("aws").orElseThrow().field("region").orElseThrow()))).isEqualTo("eu-north-1");
        assertThat(unknown(ev.evaluate(t.builds().get(0).postProcessors().get(2).steps().get(0).body()
                .field("output").orElseThrow())).explanation()).isEqualTo("{{build_name}} is set by packer while it builds");
    }
}
