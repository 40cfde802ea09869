package dev.kiln.emulators.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.TaggedResource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stand-in makes a vsphere-clone build's REST calls, in the order PACKER_CALLS.md gives. */
class CloneBuildStandInTest {

    private static final Map<String, String> ENV = Map.of(CloneBuildStandIn.USER_VARIABLE,
            VcenterEmulator.DEFAULT_USER, CloneBuildStandIn.PASSWORD_VARIABLE, VcenterEmulator.DEFAULT_PASSWORD);

    private static VcenterEmulator vcenter;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        vcenter = VcenterEmulator.builder().cloneTime(Duration.ofMillis(100)).templateTime(Duration.ofMillis(100))
                .bootTime(Duration.ofMillis(100)).shutdownTime(Duration.ofMillis(100)).start();
    }

    @AfterAll
    static void stop() {
        vcenter.close();
    }

    @BeforeEach
    void reset() {
        vcenter.reset();
    }

    private int build(Map<String, String> env, String... extra) {
        List<String> args = new ArrayList<>(List.of("--endpoint", vcenter.endpoint().toString(), "--host", "esx-02",
                "--datastore", "datastore1", "--folder", "kiln-builds", "--poll", "50ms"));
        args.addAll(List.of(extra));
        return CloneBuildStandIn.run(args.toArray(String[]::new), env, new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<String> actions() {
        return vcenter.calls().stream().map(ApiCall::action).toList();
    }

    @Test
    void a_build_leaves_a_powered_off_vm_tagged_with_its_build_id() {
        int exit = build(ENV, "--name", "base-dev-1", "--build-id", "b-100");

        assertThat(exit).as("output:%n%s%s", out, err).isZero();
        assertThat(vcenter.vms()).filteredOn(v -> v.name().equals("base-dev-1")).singleElement().satisfies(v -> {
            assertThat(v.powerState()).isEqualTo("POWERED_OFF");
            assertThat(v.host()).isEqualTo("esx-02");
            assertThat(v.folder()).isEqualTo("kiln-builds");
            assertThat(v.tags()).containsEntry("kiln-build-id", "b-100");
        });
        assertThat(actions()).startsWith("session.create", "vcenter.vm.list", "vcenter.vm.list",
                "vcenter.folder.list", "vcenter.host.list", "vcenter.datastore.list", "vcenter.vm.clone",
                "cis.tagging.category.list", "cis.tagging.category.create", "cis.tagging.tag.list-tags-for-category",
                "cis.tagging.tag.create", "cis.tagging.tag_association.attach", "vcenter.vm.power.start",
                "vcenter.vm.guest.identity.get")
                .contains("vcenter.vm.guest.power.shutdown", "vcenter.vm.power.get")
                .endsWith("vcenter.vm.power.get", "session.delete");
        assertThat(vcenter.openSessions()).isZero();
        assertThat(vcenter.unknownOperations()).isEmpty();
    }

    @Test
    void where_to_build_comes_from_the_environment_kilns_provider_gives_a_build_when_arguments_leave_it_out() {
        // Given only the build's own arguments, and the rest as Kiln's vSphere provider exports it
        Map<String, String> env = new HashMap<>(ENV);
        env.putAll(Map.of("KILN_VSPHERE_URL", vcenter.endpoint().toString(), "KILN_VSPHERE_HOST", "esx-03",
                "KILN_VSPHERE_DATASTORE", "datastore1", "KILN_VSPHERE_FOLDER", "kiln-builds",
                "KILN_VSPHERE_LIBRARY", "kiln-images", "KILN_VSPHERE_TAG_CATEGORY", "kiln-demo-builds",
                "KILN_VSPHERE_INSECURE", "false"));

        // When
        int exit = CloneBuildStandIn.run(new String[] {"--name", "app-dev-7", "--build-id", "b-700", "--library", "",
            "--destroy-vm", "--poll", "50ms"}, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        // Then the library item is the image, tagged in the category the environment named
        assertThat(exit).as("output:%n%s%s", out, err).isZero();
        assertThat(vcenter.libraryItemNames()).contains("app-dev-7");
        assertThat(vcenter.resourcesTagged("kiln-demo-builds", "b-700")).singleElement()
                .satisfies(r -> assertThat(r.type()).isEqualTo(CloneBuildStandIn.ITEM_TYPE));
        assertThat(vcenter.vms()).extracting(VmSummary::name).doesNotContain("app-dev-7-vm");

        // and without either, the error says where the value may come from
        assertThat(CloneBuildStandIn.run(new String[] {"--name", "x", "--build-id", "b"}, ENV,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--endpoint is required (or KILN_VSPHERE_URL in the environment)");
    }

    @Test
    void an_expiry_tags_the_clone_until_the_build_keeps_it_as_its_image() {
        // A build killed after tagging keeps both tags; a finished one loses the expiry, not the build id
        int killed = build(ENV, "--name", "killed-1", "--build-id", "b-110", "--expires-at", "1767229200",
                "--fail-after", "tag");
        int finished = build(ENV, "--name", "done-1", "--build-id", "b-111", "--expires-at", "1767229200");

        assertThat(killed).isEqualTo(1);
        assertThat(finished).as("output:%n%s%s", out, err).isZero();
        assertThat(vcenter.resourcesTagged(CloneBuildStandIn.EXPIRY_CATEGORY, "1767229200")).singleElement()
                .satisfies(r -> assertThat(r.tags()).containsEntry("kiln-build-id", "b-110"));
        assertThat(vcenter.vms()).filteredOn(v -> v.name().equals("done-1")).singleElement()
                .satisfies(v -> assertThat(v.tags()).containsOnlyKeys("kiln-build-id"));
        assertThat(actions()).contains("cis.tagging.tag_association.detach");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Tagged", "kiln-expires-at=1767229200",
                "Untagged");
    }

    @Test
    void a_second_build_reuses_the_category_and_a_library_export_keeps_only_the_template() {
        assertThat(build(ENV, "--name", "first", "--build-id", "b-1")).isZero();
        vcenter.calls();

        int exit = build(ENV, "--name", "app-prod-2", "--build-id", "b-2", "--library", "kiln-images",
                "--destroy-vm");

        assertThat(exit).as("output:%n%s%s", out, err).isZero();
        assertThat(vcenter.libraryItemNames()).containsExactly("app-prod-2");
        assertThat(vcenter.resourcesTagged("kiln-build-id", "b-2")).singleElement()
                .satisfies(r -> assertThat(r.type()).isEqualTo("com.vmware.content.library.Item"));
        assertThat(vcenter.vms()).extracting(VmSummary::name).doesNotContain("app-prod-2-vm");
        assertThat(vcenter.counters().of("cis.tagging.category.create").calls()).isEqualTo(1);
        assertThat(actions()).containsSubsequence("vcenter.vm.power.get", "content.library.find",
                "content.library.get", "vcenter.vm_template.library_items.create",
                "cis.tagging.tag_association.attach", "vcenter.vm.delete", "session.delete");
    }

    @Test
    void failing_after_a_step_leaves_everything_behind_for_the_sweep() {
        int exit = build(ENV, "--name", "killed", "--build-id", "b-dead", "--fail-after", "power-on");

        assertThat(exit).isEqualTo(1);
        assertThat(vcenter.resourcesTagged("kiln-build-id", "b-dead")).singleElement()
                .satisfies(r -> assertThat(r.state()).isEqualTo("POWERED_ON"));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("stopping after step 'power-on'");
    }

    @Test
    void an_error_is_cleaned_up_as_packer_does() {
        int exit = build(ENV, "--name", "no-source", "--build-id", "b-x", "--source", "missing-template");

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Error finding vm to clone");
        assertThat(vcenter.vms()).extracting(VmSummary::name).containsExactly(VcenterEmulator.DEFAULT_SOURCE_VM);
        assertThat(vcenter.openSessions()).isZero();
    }

    @Test
    void a_name_in_use_is_refused_before_anything_is_made() {
        assertThat(build(ENV, "--name", "taken", "--build-id", "b-a")).isZero();

        int exit = build(ENV, "--name", "taken", "--build-id", "b-b");

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("taken already exists");
        assertThat(vcenter.resourcesTagged("kiln-build-id", "b-b")).isEmpty();
        assertThat(vcenter.resourcesTagged("kiln-build-id", "b-a")).extracting(TaggedResource::type)
                .containsExactly("VirtualMachine");
    }

    @Test
    void credentials_come_only_from_the_environment() {
        assertThat(build(Map.of(), "--name", "n", "--build-id", "b")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("set VSPHERE_USER and VSPHERE_PASSWORD");
        err.reset();
        assertThat(build(ENV, "--name", "n", "--build-id", "b", "--password", "hunter2")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("never from the command line")
                .doesNotContain("hunter2");
        err.reset();
        Map<String, String> wrong = Map.of(CloneBuildStandIn.USER_VARIABLE, VcenterEmulator.DEFAULT_USER,
                CloneBuildStandIn.PASSWORD_VARIABLE, "not-the-password");
        assertThat(build(wrong, "--name", "n", "--build-id", "b")).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("401 UNAUTHENTICATED")
                .doesNotContain("not-the-password");
        assertThat(vcenter.calls()).noneMatch(c -> c.toString().contains(VcenterEmulator.DEFAULT_PASSWORD));
    }
}
