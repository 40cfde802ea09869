package dev.kiln.template;

import static dev.kiln.template.Fixtures.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.RequiresPacker;
import dev.kiln.testing.RequiresPackerCondition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kiln's builder knowledge: providers, field roles, and what it does not run. */
class BuilderCatalogTest {

    @TempDir
    Path dir;

    @Test
    void each_supported_builder_names_its_provider_and_fields() {
        assertThat(BuilderCatalog.supported()).extracting(BuilderProfile::type, BuilderProfile::providerId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("amazon-ebs", "aws"),
                        org.assertj.core.groups.Tuple.tuple("amazon-ebssurrogate", "aws"),
                        org.assertj.core.groups.Tuple.tuple("amazon-ebsvolume", "aws"),
                        org.assertj.core.groups.Tuple.tuple("amazon-instance", "aws"),
                        org.assertj.core.groups.Tuple.tuple("amazon-chroot", "aws"),
                        org.assertj.core.groups.Tuple.tuple("azure-arm", "azure"),
                        org.assertj.core.groups.Tuple.tuple("googlecompute", "gcp"),
                        org.assertj.core.groups.Tuple.tuple("vsphere-iso", "vsphere"),
                        org.assertj.core.groups.Tuple.tuple("vsphere-clone", "vsphere"));
        BuilderProfile ebs = BuilderCatalog.profile("amazon-ebs").orElseThrow();
        assertThat(ebs.location()).containsExactly("region");
        assertThat(ebs.imageName()).containsExactly("ami_name");
        assertThat(ebs.tags()).contains("tags", "run_tags", "snapshot_tags");
        assertThat(ebs.instanceSize()).containsExactly("instance_type");
        BuilderProfile azure = BuilderCatalog.profile("azure-arm").orElseThrow();
        assertThat(azure.location()).containsExactly("location", "build_resource_group_name");
        assertThat(azure.imageName()).contains("managed_image_name", "shared_image_gallery_destination.image_name");
        assertThat(azure.tags()).containsExactly("azure_tags");
        assertThat(azure.instanceSize()).containsExactly("vm_size");
        BuilderProfile gce = BuilderCatalog.profile("googlecompute").orElseThrow();
        assertThat(gce.location()).containsExactly("zone");
        assertThat(gce.tags()).containsExactly("image_labels", "labels");
        assertThat(gce.instanceSize()).containsExactly("machine_type");
        BuilderProfile vsphere = BuilderCatalog.profile("vsphere-iso").orElseThrow();
        assertThat(vsphere.location()).containsExactly("host", "cluster");
        assertThat(vsphere.imageName()).containsExactly("vm_name", "content_library_destination.name");
        assertThat(vsphere.tags()).isEmpty();
        assertThat(vsphere.notes()).contains("no tags field");
        assertThat(vsphere.instanceSize()).containsExactly("CPUs", "RAM");
        assertThat(BuilderCatalog.profile("amazon-chroot").orElseThrow().instanceSize()).isEmpty();
        assertThat(BuilderCatalog.profile("amazon-ebsvolume").orElseThrow().imageName()).isEmpty();
    }

    @Test
    void a_typo_is_told_from_a_builder_kiln_does_not_run() {
        assertThat(BuilderCatalog.lookup("amazon-ebss")).isEqualTo(new BuilderLookup.Unknown("amazon-ebss", "amazon-ebs"));
        assertThat(BuilderCatalog.lookup("googlecomputer"))
                .isEqualTo(new BuilderLookup.Unknown("googlecomputer", "googlecompute"));
        assertThat(BuilderCatalog.lookup("my-own-builder")).isEqualTo(new BuilderLookup.Unknown("my-own-builder", null));
        assertThat(BuilderCatalog.lookup("qemu")).isEqualTo(new BuilderLookup.Unsupported("qemu",
                "a hypervisor on the machine running packer (QEMU)"));
        assertThat(BuilderCatalog.lookup("virtualbox-iso")).isInstanceOf(BuilderLookup.Unsupported.class);
        assertThat(BuilderCatalog.lookup("docker")).isInstanceOf(BuilderLookup.Unsupported.class);
        assertThat(BuilderCatalog.lookup("null")).isInstanceOf(BuilderLookup.Unsupported.class);
        assertThat(BuilderCatalog.lookup("vsphere-clone")).isInstanceOf(BuilderLookup.Supported.class);
        assertThat(BuilderCatalog.unsupported()).doesNotContainKeys(
                BuilderCatalog.supported().stream().map(BuilderProfile::type).toArray(String[]::new));
    }

    @Test
    void the_catalog_finds_each_builders_location_and_size_in_a_six_builder_template() {
        PackerTemplate t = read("six-builders.json");
        Map<String, String> found = new LinkedHashMap<>();
        for (TemplateSource s : t.sources()) {
            BuilderLookup lookup = BuilderCatalog.lookup(s.type());
            if (lookup instanceof BuilderLookup.Supported supported) {
                BuilderProfile p = supported.profile();
                String location = p.location().stream().filter(f -> s.field(f).isPresent()).findFirst().orElse("-");
                String size = p.instanceSize().stream().filter(f -> s.field(f).isPresent())
                        .collect(Collectors.joining("+"));
                found.put(s.name(), p.providerId() + " " + location + " " + size);
            } else {
                found.put(s.name(), lookup.getClass().getSimpleName());
            }
        }
        assertThat(found).containsExactly(
                Map.entry("aws", "aws region instance_type"),
                Map.entry("azure", "azure location vm_size"),
                Map.entry("gcp", "gcp zone machine_type"),
                Map.entry("vsphere", "vsphere cluster CPUs+RAM"),
                Map.entry("local-qemu", "Unsupported"),
                Map.entry("container", "Unsupported"));
    }

    /**
     * packer refuses a key its builder does not have ("unknown configuration key"), nested ones by their
     * dotted path; so a template setting every field of the catalog, plus one made-up key, must be refused
     * for that key alone.
     */
    @Test
    @RequiresPacker
    void packer_knows_every_field_of_the_catalog() throws IOException, InterruptedException {
        // Given one builder per supported type, setting each field the catalog names and one made-up key
        StringBuilder builders = new StringBuilder();
        for (BuilderProfile p : BuilderCatalog.supported()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("type", p.type());
            fields.put("name", p.type());
            fields.put("kiln_made_up_key", "x");
            List<String> all = new ArrayList<>();
            all.addAll(p.location());
            all.addAll(p.imageName());
            all.addAll(p.instanceSize());
            all.forEach(f -> set(fields, f, f.equals("CPUs") || f.equals("RAM") ? (Object) 1 : "x"));
            p.tags().forEach(f -> set(fields, f, Map.of()));
            builders.append(builders.length() == 0 ? "" : ",\n").append(json(fields));
        }
        Path template = dir.resolve("catalog.json");
        Files.writeString(template, "{\"builders\": [\n" + builders + "\n]}\n");

        // When
        String output = validate(template);

        // Then each builder is refused for the made-up key and for nothing else of the catalog
        Matcher m = Pattern.compile("unknown configuration key: '\"([^\"]+)\"'").matcher(output);
        List<String> unknown = new ArrayList<>();
        while (m.find()) {
            unknown.add(m.group(1));
        }
        assertThat(output).doesNotContain("Unknown builder");
        assertThat(unknown).as(output).hasSize(BuilderCatalog.supported().size()).containsOnly("kiln_made_up_key");
    }

    /** Sets a dotted path; {@code ebs_volumes} is a list of objects, other steps are objects. */
    @SuppressWarnings("unchecked")
    private static void set(Map<String, Object> fields, String path, Object value) {
        String[] steps = path.split("\\.");
        Map<String, Object> at = fields;
        for (int i = 0; i < steps.length - 1; i++) {
            if (steps[i].equals("ebs_volumes")) {
                List<Map<String, Object>> list = (List<Map<String, Object>>) at.computeIfAbsent(steps[i],
                        k -> new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("device_name", "/dev/xvdf")))));
                at = list.get(0);
            } else {
                at = (Map<String, Object>) at.computeIfAbsent(steps[i], k -> new LinkedHashMap<>());
            }
        }
        at.put(steps[steps.length - 1], value);
    }

    private static String json(Object v) {
        if (v instanceof Map<?, ?> m) {
            return m.entrySet().stream().map(e -> json(e.getKey()) + ": " + json(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        if (v instanceof List<?> l) {
            return l.stream().map(BuilderCatalogTest::json).collect(Collectors.joining(", ", "[", "]"));
        }
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }

    private String validate(Path template) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(RequiresPackerCondition.packer().orElseThrow().toString(), "validate",
                template.toString()).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("CHECKPOINT_DISABLE", "1");
        pb.environment().put("PACKER_CONFIG_DIR", dir.toString());
        Process process = pb.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("packer validate ends").isTrue();
        return output;
    }
}
