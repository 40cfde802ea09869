package dev.kiln.template;

import static dev.kiln.template.Fixtures.at;
import static dev.kiln.template.Fixtures.path;
import static dev.kiln.template.Fixtures.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.template.Expression.EngineCall;
import dev.kiln.template.Expression.Literal;
import dev.kiln.template.Expression.ObjectCons;
import dev.kiln.template.Expression.StringTemplate;
import dev.kiln.template.Expression.Tuple;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each fixture, in a shape platform teams use, read into the model. */
class TemplateFixturesTest {

    private static List<String> names(List<Reference> refs) {
        return refs.stream().map(Reference::toString).toList();
    }

    @Test
    void an_eks_style_json_template_with_41_variables() {
        // When
        PackerTemplate t = read("eks-json/eks-worker-al2.json");

        // Then
        assertThat(t.format()).isEqualTo(TemplateFormat.JSON);
        assertThat(t.description()).isEqualTo("EKS worker node AMI (Amazon Linux 2)");
        assertThat(t.requiredVersion().constraint()).isEqualTo(">= 1.5.0");
        assertThat(t.variables()).hasSize(41);
        assertThat(t.variable("ami_name").orElseThrow().required()).isTrue();
        assertThat(t.variable("aws_region").orElseThrow().required()).isFalse();
        assertThat(t.variable("aws_secret_access_key").orElseThrow().sensitive()).isTrue();
        assertThat(t.variable("aws_region").orElseThrow().sensitive()).isFalse();
        assertThat(at(t.variable("aws_region").orElseThrow().position())).isEqualTo("6:5");
        assertThat(t.variable("creator").orElseThrow().defaultValue().references())
                .extracting(Reference::kind, Reference::name)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Reference.Kind.ENVIRONMENT, "USER"));

        TemplateSource builder = t.sources().get(0);
        assertThat(builder.type()).isEqualTo("amazon-ebs");
        assertThat(builder.name()).isEqualTo("amazon-ebs");
        assertThat(builder.buildName()).isEqualTo("amazon-ebs");
        assertThat(at(builder.position())).isEqualTo("53:5");
        TemplateAttribute region = builder.body().attribute("region").orElseThrow();
        assertThat(at(region.position())).isEqualTo("55:7");
        assertThat(region.text()).isEqualTo("\"{{user `aws_region`}}\"");
        assertThat(((StringTemplate) region.value()).parts()).singleElement().isInstanceOf(EngineCall.class);
        assertThat(names(region.value().references())).containsExactly("var.aws_region");
        assertThat(at(region.value().position())).isEqualTo("55:17");
        assertThat(names(builder.field("source_ami_filter.filters.architecture").orElseThrow().references()))
                .containsExactly("var.arch");
        Expression name = builder.field("tags.Name").orElseThrow();
        assertThat(names(name.references())).containsExactly("var.ami_name");
        Expression kubernetes = builder.field("tags.kubernetes").orElseThrow();
        assertThat(names(kubernetes.references()))
                .containsExactly("var.kubernetes_version", "var.kubernetes_build_date", "var.arch");
        assertThat(builder.field("tags.build_region").orElseThrow().references())
                .extracting(Reference::kind, Reference::name)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Reference.Kind.BUILD, "BuildRegion"));
        assertThat(builder.field("launch_block_device_mappings.volume_size").orElseThrow().references())
                .extracting(Reference::name).containsExactly("launch_block_device_mappings_volume_size");

        TemplateBuild build = t.builds().get(0);
        assertThat(build.sources()).extracting(BuildSource::type).containsExactly("amazon-ebs");
        assertThat(build.provisioners()).extracting(TemplateProvisioner::type)
                .containsExactly("shell", "file", "shell", "shell");
        TemplateProvisioner install = build.provisioners().get(2);
        assertThat(names(install.body().field("script").orElseThrow().references()))
                .containsExactly("template_dir");
        assertThat(install.body().field("environment_vars").orElseThrow()).isInstanceOf(Tuple.class);
        assertThat(build.postProcessors()).hasSize(1);
        assertThat(build.postProcessors().get(0).steps().get(0).type()).isEqualTo("manifest");
    }

    @Test
    void a_json_var_file_keeps_its_values() {
        VariableFile vars = VariableFile.read(path("eks-json/vars/us-east-1.json"));

        assertThat(vars.asMap()).containsEntry("aws_region", "us-east-1").containsEntry("encrypted", "true")
                .hasSize(8);
        assertThat(at(vars.value("kubernetes_version").orElseThrow().position())).isEqualTo("4:3");
    }

    @Test
    void an_hcl2_folder_with_variables_sources_and_two_builds() {
        // When
        PackerTemplate t = read("hcl-folder");

        // Then
        assertThat(t.format()).isEqualTo(TemplateFormat.HCL2);
        assertThat(t.files()).extracting(p -> p.getFileName().toString())
                .containsExactly("build.pkr.hcl", "sources.pkr.hcl", "variables.pkr.hcl");
        assertThat(t.variables()).extracting(TemplateVariable::name).containsExactly("aws_region", "image_prefix",
                "instance_type", "environment", "owners", "extra_tags", "vault_token");
        TemplateVariable owners = t.variable("owners").orElseThrow();
        assertThat(owners.type()).isEqualTo("list(string)");
        assertThat(owners.defaultValue()).isInstanceOf(Tuple.class);
        assertThat(t.variable("extra_tags").orElseThrow().type()).isEqualTo("map(string)");
        assertThat(t.variable("environment").orElseThrow().required()).isTrue();
        assertThat(t.variable("vault_token").orElseThrow().sensitive()).isTrue();
        TemplateVariable prefix = t.variable("image_prefix").orElseThrow();
        assertThat(prefix.validations()).hasSize(1);
        assertThat(at(prefix.validations().get(0).position())).isEqualTo("13:3");
        assertThat(names(prefix.validations().get(0).condition().references()))
                .containsExactly("var.image_prefix", "var.image_prefix");
        assertThat(prefix.position().file().getFileName().toString()).isEqualTo("variables.pkr.hcl");
        assertThat(at(prefix.position())).isEqualTo("9:1");
        assertThat(t.locals()).extracting(TemplateLocal::name).containsExactly("stamp", "name_base", "common_tags");

        assertThat(t.sources()).extracting(TemplateSource::buildName)
                .containsExactly("amazon-ebs.ubuntu", "amazon-ebs.al2");
        TemplateSource ubuntu = t.source("amazon-ebs.ubuntu").orElseThrow();
        assertThat(at(ubuntu.position())).isEqualTo("1:1");
        assertThat(names(ubuntu.field("region").orElseThrow().references())).containsExactly("var.aws_region");
        assertThat(names(ubuntu.field("ami_name").orElseThrow().references()))
                .containsExactly("local.name_base", "local.stamp");
        assertThat(ubuntu.field("ami_name").orElseThrow()).isInstanceOf(StringTemplate.class);
        assertThat(names(ubuntu.field("source_ami_filter.owners").orElseThrow().references()))
                .containsExactly("var.owners");
        assertThat(ubuntu.body().blocks("source_ami_filter")).hasSize(1);
        TemplateSource al2 = t.source("amazon-ebs.al2").orElseThrow();
        assertThat(al2.field("launch_block_device_mappings.volume_size").orElseThrow())
                .isEqualTo(new Literal(new BigDecimal("16"), al2.field("launch_block_device_mappings.volume_size")
                        .orElseThrow().position()));

        assertThat(t.builds()).extracting(TemplateBuild::name).containsExactly("base", "hardened");
        TemplateBuild base = t.builds().get(0);
        assertThat(base.sources()).extracting(BuildSource::address)
                .containsExactly("source.amazon-ebs.ubuntu", "source.amazon-ebs.al2");
        assertThat(base.provisioners().get(1).only()).containsExactly("amazon-ebs.ubuntu");
        assertThat(base.postProcessors()).hasSize(1);
        TemplateBuild hardened = t.builds().get(1);
        BuildSource override = hardened.sources().get(0);
        assertThat(override.address()).isEqualTo("source.amazon-ebs.ubuntu");
        assertThat(override.overrides().attribute("instance_type").orElseThrow().text()).isEqualTo("\"t3.medium\"");
        assertThat(names(hardened.provisioners().get(0).body().field("script").orElseThrow().references()))
                .containsExactly("path.root");

        assertThat(t.autoVariableFiles()).hasSize(1);
        assertThat(t.autoVariableFiles().get(0).asMap()).containsEntry("environment", "dev");
    }

    @Test
    void a_multi_cloud_build_with_required_plugins() {
        PackerTemplate t = read("multi-cloud/multi-cloud.pkr.hcl");

        assertThat(t.requiredVersion().constraint()).isEqualTo(">= 1.7.0, < 2.0.0");
        assertThat(t.requiredPlugins()).extracting(RequiredPlugin::name, RequiredPlugin::source,
                RequiredPlugin::version).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("amazon", "github.com/hashicorp/amazon", ">= 1.2.1"),
                        org.assertj.core.groups.Tuple.tuple("azure", "github.com/hashicorp/azure", "~> 2.0.0"));
        assertThat(at(t.requiredPlugins().get(1).position())).isEqualTo("8:5");
        assertThat(t.sources()).extracting(TemplateSource::type).containsExactly("amazon-ebs", "azure-arm");
        TemplateSource azure = t.source("azure-arm.web").orElseThrow();
        assertThat(names(azure.field("shared_image_gallery_destination.image_name").orElseThrow().references()))
                .containsExactly("var.image_name");
        assertThat(names(azure.field("azure_tags.app").orElseThrow().references())).containsExactly("var.image_name");
        Expression amiName = t.source("amazon-ebs.web").orElseThrow().field("ami_name").orElseThrow();
        assertThat(amiName).isInstanceOf(StringTemplate.class);
        assertThat(((StringTemplate) amiName).parts().get(1)).isEqualTo(new Literal("_{{timestamp}}",
                ((StringTemplate) amiName).parts().get(1).position()));

        TemplateBuild build = t.builds().get(0);
        assertThat(build.name()).isNull();
        assertThat(build.provisioners()).extracting(TemplateProvisioner::only, TemplateProvisioner::except)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(List.of(), List.of()),
                        org.assertj.core.groups.Tuple.tuple(List.of("azure-arm.web"), List.of()),
                        org.assertj.core.groups.Tuple.tuple(List.of(), List.of("azure-arm.web")));
        Expression heredoc = build.provisioners().get(2).body().field("inline").orElseThrow();
        assertThat(heredoc).isInstanceOf(StringTemplate.class);
        assertThat(((StringTemplate) heredoc).parts().get(0))
                .isEqualTo(new Literal("echo \"cleaning up on ", ((StringTemplate) heredoc).parts().get(0).position()));
        assertThat(((StringTemplate) heredoc).parts().get(2))
                .isEqualTo(new Literal("\"\nsudo rm -rf /tmp/*\n", ((StringTemplate) heredoc).parts().get(2).position()));
        assertThat(build.postProcessors()).hasSize(1);
        assertThat(build.postProcessors().get(0).steps()).extracting(TemplatePostProcessor::type)
                .containsExactly("manifest", "shell-local");
    }

    @Test
    void a_json_template_with_six_builders_and_nested_post_processors() {
        PackerTemplate t = read("six-builders.json");

        assertThat(t.sources()).extracting(TemplateSource::name, TemplateSource::type).containsExactly(
                org.assertj.core.groups.Tuple.tuple("aws", "amazon-ebs"),
                org.assertj.core.groups.Tuple.tuple("azure", "azure-arm"),
                org.assertj.core.groups.Tuple.tuple("gcp", "googlecompute"),
                org.assertj.core.groups.Tuple.tuple("vsphere", "vsphere-iso"),
                org.assertj.core.groups.Tuple.tuple("local-qemu", "qemu"),
                org.assertj.core.groups.Tuple.tuple("container", "docker"));
        assertThat(t.source("vsphere").orElseThrow().field("CPUs").orElseThrow())
                .isEqualTo(new Literal(new BigDecimal("2"), t.source("vsphere").orElseThrow().field("CPUs")
                        .orElseThrow().position()));
        Expression gcpImage = t.source("gcp").orElseThrow().field("image_name").orElseThrow();
        StringTemplate parts = (StringTemplate) gcpImage;
        assertThat(parts.parts().get(1)).isInstanceOf(EngineCall.class);
        EngineCall replace = (EngineCall) parts.parts().get(1);
        assertThat(replace.function()).isEqualTo("replace_all");
        assertThat(replace.arguments().get(2)).isInstanceOf(EngineCall.class);
        assertThat(t.variable("vcenter_password").orElseThrow().sensitive()).isTrue();

        TemplateBuild build = t.builds().get(0);
        assertThat(build.provisioners().get(0).except()).containsExactly("container");
        assertThat(build.provisioners().get(1).only()).containsExactly("container");
        assertThat(build.postProcessors()).hasSize(3);
        assertThat(build.postProcessors().get(0).steps()).extracting(TemplatePostProcessor::type)
                .containsExactly("docker-tag", "docker-push");
        assertThat(build.postProcessors().get(0).steps().get(0).only()).containsExactly("container");
        assertThat(build.postProcessors().get(1).steps()).extracting(TemplatePostProcessor::type)
                .containsExactly("checksum");
        assertThat(build.postProcessors().get(2).steps().get(0).body().field("output").orElseThrow().references())
                .extracting(Reference::kind).containsExactly(Reference.Kind.BUILD);
    }

    @Test
    void vsphere_iso_with_a_pkrvars_file_of_typed_values() {
        PackerTemplate t = read("vsphere/vsphere-iso.pkr.hcl");
        VariableFile lab = VariableFile.read(path("vsphere/lab.pkrvars.hcl"));

        assertThat(t.variable("cpus").orElseThrow().type()).isEqualTo("number");
        assertThat(t.variable("convert_to_template").orElseThrow().type()).isEqualTo("bool");
        assertThat(t.variable("content_library").orElseThrow().type())
                .isEqualTo("object({\n    library = string\n    ovf     = bool\n  })");
        TemplateSource rhel = t.source("vsphere-iso.rhel9").orElseThrow();
        assertThat(names(rhel.field("cluster").orElseThrow().references())).containsExactly("var.cluster");
        assertThat(names(rhel.field("content_library_destination.name").orElseThrow().references()))
                .containsExactly("var.vm_name", "var.cpus");
        assertThat(names(rhel.field("content_library_destination.library").orElseThrow().references()))
                .containsExactly("var.content_library");
        assertThat(rhel.body().blocks("dynamic")).hasSize(1);

        assertThat(lab.asMap()).containsEntry("vcenter_server", "vcenter.lab.example")
                .containsEntry("cpus", new BigDecimal("4"))
                .containsEntry("convert_to_template", false)
                .containsEntry("disk_sizes_mb", List.of(new BigDecimal("40960"), new BigDecimal("102400")))
                .containsEntry("content_library", java.util.Map.of("library", "lab-images", "ovf", true))
                .containsEntry("scale_factor", new BigDecimal("-1.5"));
        assertThat(at(lab.value("cpus").orElseThrow().position())).isEqualTo("7:1");
    }

    @Test
    void googlecompute_with_list_variables_for_expressions_and_a_heredoc() {
        PackerTemplate t = read("gcp/googlecompute.pkr.hcl");

        assertThat(t.variable("network_tags").orElseThrow().type()).isEqualTo("list(string)");
        assertThat(t.variable("image_licenses").orElseThrow().defaultValue()).isInstanceOf(Tuple.class);
        TemplateSource debian = t.source("googlecompute.debian").orElseThrow();
        assertThat(names(debian.field("zone").orElseThrow().references())).containsExactly("var.zone");
        assertThat(names(debian.field("image_name").orElseThrow().references())).containsExactly("local.image_name");
        Expression startup = debian.field("metadata.startup-script").orElseThrow();
        assertThat(names(startup.references())).containsExactly("local.label_pairs");
        assertThat(debian.field("metadata").orElseThrow()).isInstanceOf(ObjectCons.class);
        assertThat(names(t.local("label_pairs").orElseThrow().value().references())).containsExactly("var.labels");
        assertThat(debian.field("tags").orElseThrow().references()).extracting(Reference::name)
                .containsExactly("network_tags");
    }

    @Test
    void a_template_reading_scripts_by_relative_path() {
        PackerTemplate t = read("relative-scripts/app.pkr.hcl");

        TemplateBuild build = t.builds().get(0);
        assertThat(build.provisioners().get(0).body().field("source").orElseThrow())
                .isEqualTo(new Literal("files/app.conf", build.provisioners().get(0).body().field("source")
                        .orElseThrow().position()));
        Tuple scripts = (Tuple) build.provisioners().get(1).body().field("scripts").orElseThrow();
        assertThat(scripts.elements().get(0)).isInstanceOf(Literal.class);
        assertThat(names(scripts.elements().get(1).references())).containsExactly("path.root");
        assertThat(build.postProcessors().get(0).steps().get(0).body().attribute("output").orElseThrow().text())
                .isEqualTo("\"out/manifest.json\"");
    }
}
