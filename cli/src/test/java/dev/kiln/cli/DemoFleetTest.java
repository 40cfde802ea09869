package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.kiln.emulators.gcp.GceEmulator;
import dev.kiln.emulators.vsphere.VcenterEmulator;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.PlanFile;
import dev.kiln.plan.Target;
import dev.kiln.time.TimeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo fleet as data: every part's plans load, every part has a live variant on its provider's
 * emulator, and together they make the fleet the README promises.
 */
class DemoFleetTest {

    private static final Path DEMO = Cli.repository().resolve("examples/plans/demo/demo.yaml");

    @Test
    void the_demo_fleet_is_three_images_on_every_provider_in_several_regions_and_over_forty_builds() {
        // When
        DemoFleet fleet = DemoFleet.read(DEMO);

        // Then
        int builds = 0;
        Map<String, Set<String>> imagesByProvider = new HashMap<>();
        Map<String, Set<String>> regionsByProvider = new HashMap<>();
        for (DemoFleet.Part part : fleet.parts()) {
            BuildPlan standIn = load(part.standIn());
            builds += standIn.jobs().size();
            for (BuildJob j : standIn.jobs()) {
                assertThat(j.target().provider()).isEqualTo(part.provider());
                assertThat(j.image().builderType()).isEqualTo("null");
                imagesByProvider.computeIfAbsent(part.provider(), k -> new HashSet<>()).add(j.image().name());
                regionsByProvider.computeIfAbsent(part.provider(), k -> new HashSet<>()).add(j.target().region());
            }
            assertThat(part.live()).as("the live part of %s", part.provider()).isNotNull();
            BuildPlan live = load(part.live().plan());
            assertThat(live.jobs()).as("live plan of %s", part.provider()).hasSameSizeAs(standIn.jobs());
            assertThat(live.targets()).isEqualTo(standIn.targets());
            assertThat(live.jobs()).allSatisfy(j -> assertThat(j.image().builderType()).isNotEqualTo("null"));
            assertThat(part.live().emulator()).isEqualTo(part.provider());
        }
        assertThat(imagesByProvider.keySet()).containsExactlyInAnyOrder("aws", "azure", "gcp", "vsphere");
        assertThat(imagesByProvider.values()).allSatisfy(images -> assertThat(images).hasSizeGreaterThanOrEqualTo(3));
        assertThat(regionsByProvider.values()).allSatisfy(regions -> assertThat(regions).hasSizeGreaterThan(1));
        assertThat(builds).isEqualTo(44);
    }

    @Test
    void the_azure_part_prepares_its_resource_groups_and_runs_the_real_azure_arm_builder() {
        DemoFleet.Part azure = DemoFleet.read(DEMO).parts().get(1);

        assertThat(azure.provider()).isEqualTo("azure");
        assertThat(azure.live().emulator()).isEqualTo("azure");
        assertThat(azure.live().setup()).hasSize(3).allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("PUT");
            assertThat(r.path()).contains("/resourceGroups/rg-kiln-demo-");
        });
        // the service principal comes from the emulator through the gate's routes, not from the part
        assertThat(azure.live().packerEnv()).isEmpty();
        BuildPlan live = load(azure.live().plan());
        assertThat(live.jobs()).allSatisfy(j -> assertThat(j.image().builderType()).isEqualTo("azure-arm"));
    }

    @Test
    void the_aws_part_is_live_against_the_ec2_emulator_with_fake_keys_only() {
        DemoFleet.Part aws = DemoFleet.read(DEMO).parts().get(0);

        assertThat(aws.provider()).isEqualTo("aws");
        assertThat(aws.live().emulator()).isEqualTo("aws");
        assertThat(aws.live().providerSettings()).containsEntry("endpoint", "{endpoint}").containsEntry("poll_delay", "1s");
        assertThat(aws.live().packerEnv()).containsKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
        assertThat(DemoFleet.substitute(aws.live().providerSettings(), "http://127.0.0.1:1"))
                .containsEntry("endpoint", "http://127.0.0.1:1");
    }

    @Test
    void the_gcp_part_runs_the_real_googlecompute_builder_in_regions_the_emulator_has_without_credentials() {
        DemoFleet.Part gcp = DemoFleet.read(DEMO).parts().get(2);

        assertThat(gcp.provider()).isEqualTo("gcp");
        assertThat(gcp.live().providerSettings()).containsEntry("endpoint", "{endpoint}")
                .containsEntry("no_credentials", "true");
        // GCE_METADATA_HOST and the service-account file come from the emulator through the gate
        assertThat(gcp.live().packerEnv()).isEmpty();
        assertThat(gcp.live().sdkProperties()).isEmpty();
        BuildPlan live = load(gcp.live().plan());
        assertThat(live.targets()).allSatisfy(t -> assertThat(GceEmulator.DEFAULT_ZONES).containsKey(t.region()));
        assertThat(live.jobs()).allSatisfy(j -> assertThat(j.image().builderType()).isEqualTo("googlecompute"));
    }

    @Test
    void the_vsphere_part_builds_on_what_the_vcenter_emulator_starts_with_as_its_fixture_user() {
        DemoFleet.Part vsphere = DemoFleet.read(DEMO).parts().get(3);

        assertThat(vsphere.provider()).isEqualTo("vsphere");
        // HTTPS to the loopback emulator's own certificate, unchecked as packer 1.6.6 can only do; never a credential
        assertThat(vsphere.live().providerSettings()).containsOnly(entry("endpoint", DemoFleet.ENDPOINT),
                entry("insecure", "true"));
        assertThat(vsphere.live().sdkProperties()).containsOnly(entry("vsphere.user", VcenterEmulator.DEFAULT_USER),
                entry("vsphere.password", VcenterEmulator.DEFAULT_PASSWORD));
        assertThat(vsphere.live().packerEnv()).containsOnly(entry("VSPHERE_USER", VcenterEmulator.DEFAULT_USER),
                entry("VSPHERE_PASSWORD", VcenterEmulator.DEFAULT_PASSWORD));
        assertThat(vsphere.live().setup()).isEmpty();
        BuildPlan live = load(vsphere.live().plan());
        assertThat(live.targets()).extracting(Target::region).containsExactly("esx-01", "esx-02")
                .allSatisfy(host -> assertThat(VcenterEmulator.DEFAULT_HOSTS).contains(host));
        assertThat(live.targets()).allSatisfy(t -> assertThat(t.options())
                .containsEntry("datastore", VcenterEmulator.DEFAULT_DATASTORE)
                .containsEntry("folder", VcenterEmulator.DEFAULT_FOLDER));
        assertThat(live.targets()).allSatisfy(t -> assertThat(t.options())
                .containsEntry("library", VcenterEmulator.DEFAULT_LIBRARY)
                .containsEntry("source", VcenterEmulator.DEFAULT_SOURCE_VM));
        // packer's own builders, no stand-in: templates for base and hardened, a library item for app
        assertThat(live.jobs()).allSatisfy(j -> {
            assertThat(j.image().builderType()).isEqualTo("vsphere-clone");
            assertThat(j.image().template().getFileName()).hasToString(j.image().name().equals("app")
                    ? "vsphere-clone-library.json" : "vsphere-clone.json");
        });
    }

    @Test
    void a_broken_descriptor_names_the_field(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("demo.yaml");
        Files.writeString(file, "name: x\nparts:\n  - provider: aws\n    stand_in: missing.yaml\n");

        assertThatThrownBy(() -> DemoFleet.read(file)).isInstanceOf(UsageException.class)
                .hasMessageContaining("parts[0].stand_in: no plan file").hasMessageContaining("missing.yaml");
    }

    private static BuildPlan load(Path plan) {
        return PlanFile.load(plan, PlanContext.of(TimeSource.system()));
    }
}
