package dev.kiln.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.kiln.KilnException;
import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.vsphere.VcenterEmulator;
import dev.kiln.emulators.vsphere.VmSummary;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.Scope;
import dev.kiln.plan.Demand;
import dev.kiln.plan.Target;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.CredentialsException;
import dev.kiln.spi.SweepReport;
import dev.kiln.template.TemplateException;
import dev.kiln.template.TemplateProblem;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the vSphere provider does against a vCenter, beyond the contract every provider keeps. */
class VsphereProviderTest {

    private static final String GIB_ONLY = "datastore";

    @TempDir
    Path dir;

    private static long count(VcenterEmulator vcenter, String action) {
        return vcenter.calls().stream().filter(c -> c.action().equals(action)).count();
    }

    @Test
    void the_quota_probe_reports_the_datastore_and_checks_everything_a_build_names() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().esxiHosts("esx-01")
                .cluster("cluster-1", "esx-02", "esx-03").datastore("ds-a", 500, 120)
                .vm("golden", "esx-01", "ds-a", null, 40).folder("kiln-builds").library("images", "ds-a").start();
                VsphereProvider provider = Fixtures.provider(vcenter).datastore("ds-a").folderVmLimit(30).build()) {
            provider.start(new RecordingContext());
            Target target = Fixtures.target("esx-02", Map.of("folder", "kiln-builds", "library", "images",
                    "source", "golden"));

            QuotaSnapshot snapshot = provider.probeQuotas(target);

            assertThat(snapshot.quota(Demand.DISK_GB)).contains(new Quota(Demand.DISK_GB, Scope.ACCOUNT, 500, 160));
            assertThat(snapshot.quota(Demand.INSTANCES)).contains(new Quota(Demand.INSTANCES, Scope.ACCOUNT, 30, 0));
            assertThat(provider.demandOf(Fixtures.job(target, "x", "b")).amounts())
                    .containsExactlyInAnyOrderEntriesOf(Map.of(Demand.DISK_GB, 16L, Demand.INSTANCES, 1L));

            assertThatThrownBy(() -> provider.probeQuotas(Fixtures.target("esx-09", Map.of())))
                    .isInstanceOf(KilnException.class).hasMessage("vCenter " + vcenter.endpoint()
                            + " has no ESXi host or cluster named 'esx-09' (target vsphere/vcenter.kiln.test/esx-09);"
                            + " hosts: [esx-01, esx-02, esx-03], clusters: [cluster-1]");
            assertThatThrownBy(() -> provider.probeQuotas(Fixtures.target("cluster-1", Map.of(GIB_ONLY, "ds-z"))))
                    .hasMessage("vCenter " + vcenter.endpoint() + " has no datastore named 'ds-z' (target"
                            + " vsphere/vcenter.kiln.test/cluster-1); datastores: [ds-a]");
            assertThatThrownBy(() -> provider.probeQuotas(Fixtures.target("esx-01", Map.of("folder", "nope"))))
                    .hasMessageEndingWith("has no VM folder named 'nope' (target vsphere/vcenter.kiln.test/esx-01,"
                            + " options.folder); VM folders: [vm, kiln-builds]");
            assertThatThrownBy(() -> provider.probeQuotas(Fixtures.target("esx-01", Map.of("library", "nope"))))
                    .hasMessageContaining("has no content library named 'nope'");
            assertThatThrownBy(() -> provider.probeQuotas(Fixtures.target("esx-01", Map.of("source", "nope"))))
                    .hasMessageContaining("has no VM or template named 'nope' to clone from");
            assertThatThrownBy(() -> provider.probeQuotas(Fixtures.target("esx-01", Map.of("datacenter", "DC9"))))
                    .hasMessageEndingWith("has no datacenter named 'DC9' (target vsphere/vcenter.kiln.test/esx-01,"
                            + " options.datacenter); datacenters: [Datacenter]");
            assertThatThrownBy(() -> provider.probeQuotas(Fixtures.target("esx-01", Map.of("network", "VM Netwrok"))))
                    .hasMessageEndingWith("has no network named 'VM Netwrok' (target vsphere/vcenter.kiln.test/esx-01,"
                            + " options.network); networks: [VM Network]");
        }
    }

    @Test
    void a_target_without_a_datastore_is_refused_with_what_to_set() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = VsphereProvider.builder().vcenter(vcenter.endpoint())
                        .trustStore(Fixtures.trustStore(vcenter), Fixtures.TRUST_PASSWORD.clone())
                        .credentials(VcenterEmulator.DEFAULT_USER, VcenterEmulator.DEFAULT_PASSWORD::toCharArray)
                        .build()) {
            Target target = Fixtures.target("esx-01", Map.of());

            assertThatThrownBy(() -> provider.probeQuotas(target)).hasMessage("target vsphere/vcenter.kiln.test/esx-01"
                    + " names no datastore: set options.datastore in the plan's target, or"
                    + " VsphereProvider.builder().datastore(...)");
            assertThat(provider.apiLimits(target).limit("vcenter.host")).isPresent();
            assertThat(provider.costModel(Fixtures.job(target, "n", "b").image(), target).holds())
                    .containsOnlyKeys("vcenter.host");
        }
    }

    @Test
    void limits_and_costs_hold_the_configured_provisioning_costs_per_host_and_datastore() {
        try (VsphereProvider provider = VsphereProvider.builder().hostMaxCost(2).datastoreMaxCost(20).cloneCost(1)
                .expectedBuildTime(Duration.ofMinutes(12)).build()) {
            Target target = Fixtures.target("esx-03", Map.of("datastore", "ds-fast"));

            LimitsTable table = provider.apiLimits(target);
            CostModel cost = provider.costModel(Fixtures.job(target, "n", "b").image(), target);

            assertThat(table.limit("vcenter.host").orElseThrow().spec()).isEqualTo(LimitSpec.concurrency(2));
            assertThat(table.limit("vcenter.host").orElseThrow().scope()).isEqualTo(Scope.REGION);
            assertThat(table.limit("vcenter.datastore.ds-fast").orElseThrow().spec())
                    .isEqualTo(LimitSpec.concurrency(20));
            assertThat(table.limit("vcenter.datastore.ds-fast").orElseThrow().scope()).isEqualTo(Scope.ACCOUNT);
            assertThat(table.chargesFor(ProviderDefaults.VCENTER_REST)).isNotEmpty();
            assertThat(cost.holds()).containsExactlyInAnyOrderEntriesOf(Map.of("vcenter.host", 1L,
                    "vcenter.datastore.ds-fast", 1L));
            assertThat(cost.expectedDuration()).isEqualTo(Duration.ofMinutes(12));
        }
    }

    @Test
    void one_session_serves_every_call_and_a_timed_out_one_is_replaced() {
        VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().timeSource(time).start()) {
            VsphereProvider provider = Fixtures.provider(vcenter).build();
            RecordingContext context = new RecordingContext(time);
            provider.start(context);
            Target target = Fixtures.target("esx-01");

            provider.probeQuotas(target);
            provider.imageExists(target, "a");
            provider.sweep(target, "b-1");
            // one REST session and one vim25 session, both reused
            assertThat(count(vcenter, "session.create")).isEqualTo(1);
            assertThat(count(vcenter, "Login")).isEqualTo(1);

            time.advance(Duration.ofMinutes(31));
            assertThat(provider.imageExists(target, "kiln-source-template")).isTrue();
            assertThat(provider.imageExists(target, "free")).isFalse();

            assertThat(count(vcenter, "session.create")).isEqualTo(2);
            assertThat(count(vcenter, "Login")).isEqualTo(2);
            assertThat(vcenter.calls()).filteredOn(c -> c.status() == 401).hasSize(1);
            assertThat(vcenter.calls()).filteredOn(c -> "NotAuthenticated".equals(c.errorCode())).hasSize(1);
            assertThat(context.acquired).isNotEmpty()
                    .allMatch(a -> a.equals("vsphere/vcenter.kiln.test/esx-01 " + ProviderDefaults.VCENTER_REST));
            assertThat(context.acquired).hasSize(vcenter.calls().size());
            provider.close();
            assertThat(vcenter.openSessions()).isZero();
        }
    }

    @Test
    void a_vcenter_without_api_is_spoken_to_in_the_legacy_rest_form() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().legacyOnly(true).start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext());
            Target target = Fixtures.target("esx-01");

            QuotaSnapshot snapshot = provider.probeQuotas(target);

            assertThat(snapshot.quota(Demand.DISK_GB).orElseThrow().limit()).isEqualTo(4096);
            assertThat(provider.imageExists(target, VcenterEmulator.DEFAULT_SOURCE_VM)).isTrue();
            assertThat(provider.imageExists(target, "free-name")).isFalse();
            assertThat(provider.sweep(target, "b-none")).isEqualTo(SweepReport.NOTHING);
            assertThat(vcenter.calls()).extracting(ApiCall::action).contains("session.create",
                    "vcenter.datastore.list", "content.library.item.find", "cis.tagging.category.list",
                    "RetrievePropertiesEx");
            assertThat(vcenter.unknownOperations()).isEmpty();
        }
    }

    @Test
    void wrong_credentials_fail_with_the_user_and_where_the_password_came_from_but_never_the_password() {
        String wrong = "Hunter2-not-it";
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter)
                        .credentials(VcenterEmulator.DEFAULT_USER, wrong::toCharArray).build()) {
            // A credentials problem, so preflight refuses the builds as CREDENTIALS; vCenter's answer is its cause
            assertThatThrownBy(() -> provider.imageExists(Fixtures.target("esx-01"), "x"))
                    .isInstanceOfSatisfying(CredentialsException.class, c -> {
                        assertThat(c.provider()).contains("vsphere");
                        assertThat(c.getMessage()).isEqualTo("vsphere: vCenter " + vcenter.endpoint() + " refused the"
                                + " vim25 login of user 'administrator@vsphere.local' (InvalidLogin); check the"
                                + " credentials given to VsphereProvider.builder()").doesNotContain(wrong);
                        assertThat(c.getCause()).isInstanceOfSatisfying(VsphereException.class, e -> {
                            assertThat(e.status()).isEqualTo(500);
                            assertThat(e.errorType()).isEqualTo("InvalidLogin");
                            assertThat(e.vcenter()).isEqualTo(vcenter.endpoint());
                        });
                    });
            // and the REST API's refusal reads the same way
            assertThatThrownBy(() -> provider.probeQuotas(Fixtures.target("esx-01")))
                    .isInstanceOfSatisfying(CredentialsException.class, c -> {
                        assertThat(c.getMessage()).isEqualTo("vsphere: vCenter " + vcenter.endpoint() + " refused the"
                                + " login of user 'administrator@vsphere.local' (401 UNAUTHENTICATED); check the"
                                + " credentials given to VsphereProvider.builder()").doesNotContain(wrong);
                    });
            assertThat(provider.toString()).doesNotContain(wrong);
        }
    }

    @Test
    void missing_credentials_say_which_environment_variables_to_set() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = VsphereProvider.builder().vcenter(vcenter.endpoint())
                        .trustStore(Fixtures.trustStore(vcenter), Fixtures.TRUST_PASSWORD.clone())
                        .credentialsFromEnvironment("KILN_TEST_UNSET_VC_USER", "KILN_TEST_UNSET_VC_PASSWORD").build()) {
            assertThatThrownBy(() -> provider.imageExists(Fixtures.target("esx-01"), "x"))
                    .isInstanceOf(CredentialsException.class)
                    .hasMessage("vsphere: no vCenter credentials for " + vcenter.endpoint() + ": set the environment"
                            + " variables KILN_TEST_UNSET_VC_USER and KILN_TEST_UNSET_VC_PASSWORD");
        }
    }

    @Test
    void by_default_the_vsphere_user_system_property_wins_over_the_environment_as_the_demo_needs() {
        // Given the JVM's owner (kiln demo, an embedder) set the system properties, and a wrong password first
        String wrong = "Not-The-Emulators-1!";
        System.setProperty("vsphere.user", VcenterEmulator.DEFAULT_USER);
        System.setProperty("vsphere.password", wrong);
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = VsphereProvider.builder().vcenter(vcenter.endpoint())
                        .trustStore(Fixtures.trustStore(vcenter), Fixtures.TRUST_PASSWORD.clone()).build()) {
            // Then a refused login says where the password came from
            assertThatThrownBy(() -> provider.imageExists(Fixtures.target("esx-01"), "x"))
                    .hasMessageEndingWith("check the Java system properties vsphere.user and vsphere.password")
                    .hasMessageNotContaining(wrong);

            // When the property holds the right one: read at each login, so the next call logs in
            System.setProperty("vsphere.password", VcenterEmulator.DEFAULT_PASSWORD);

            // Then
            assertThat(provider.imageExists(Fixtures.target("esx-01"), VcenterEmulator.DEFAULT_SOURCE_VM)).isTrue();
        } finally {
            System.clearProperty("vsphere.user");
            System.clearProperty("vsphere.password");
        }
    }

    @Test
    void certificates_are_verified_unless_a_trust_store_or_insecure_says_otherwise() throws Exception {
        Certificates certs = Certificates.make(dir);
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().tls(certs.serverContext()).start()) {
            assertThat(vcenter.endpoint().getScheme()).isEqualTo("https");
            Target target = Fixtures.target("esx-01");

            try (VsphereProvider verifying = Fixtures.provider(vcenter).build()) {
                assertThatThrownBy(() -> verifying.imageExists(target, "x"))
                        .isInstanceOfSatisfying(VsphereException.class, e -> assertThat(e.status()).isZero())
                        .hasMessageStartingWith("TLS with vCenter " + vcenter.endpoint() + " failed: ")
                        .hasMessageContaining("give the CA with VsphereProvider.builder().trustStore(...)");
            }
            try (VsphereProvider trusting = Fixtures.provider(vcenter).trustStore(certs.trustStore,
                    Certificates.PASSWORD).build()) {
                assertThat(trusting.imageExists(target, VcenterEmulator.DEFAULT_SOURCE_VM)).isTrue();
            }
            // The certificate names 127.0.0.1 and localhost, not another name for the same address.
            URI otherName = URI.create("https://127.0.0.2:" + vcenter.port());
            try (VsphereProvider wrongName = VsphereProvider.builder().vcenter(otherName)
                    .credentials(VcenterEmulator.DEFAULT_USER, VcenterEmulator.DEFAULT_PASSWORD::toCharArray)
                    .trustStore(certs.trustStore, Certificates.PASSWORD).build()) {
                assertThatThrownBy(() -> wrongName.imageExists(target, "x")).isInstanceOf(VsphereException.class);
            }
            try (VsphereProvider insecure = Fixtures.provider(vcenter).insecure().build()) {
                assertThat(insecure.imageExists(target, VcenterEmulator.DEFAULT_SOURCE_VM)).isTrue();
                assertThat(insecure.packerEnv(target, Budget.UNLIMITED)).containsEntry("KILN_VSPHERE_INSECURE", "true");
            }
        }
        assertThatThrownBy(() -> VsphereProvider.builder().trustStore(dir.resolve("missing.p12"),
                Certificates.PASSWORD).build()).isInstanceOf(KilnException.class)
                .hasMessageStartingWith("cannot read the trust store " + dir.resolve("missing.p12"));
    }

    @Test
    void names_are_taken_by_vms_templates_and_library_items() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            Target target = Fixtures.target("esx-01");
            Vim vim = new Vim(vcenter);
            vim.clone("a-vm", "esx-01", "", false, false);
            // a template, which the REST VM list leaves out: only vim25 sees it
            vim.clone("a-template", "esx-02", "kiln-build-id=b-1", true, false);
            vim.export(vim.clone("lib-image-vm", "esx-02", "", false, false), "lib-image", "kiln-build-id=b-2");

            assertThat(provider.imageExists(target, "a-vm")).isTrue();
            assertThat(provider.imageExists(target, "a-template")).isTrue();
            assertThat(provider.imageExists(target, "lib-image")).isTrue();
            assertThat(provider.imageExists(target, "free")).isFalse();
        }
    }

    @Test
    void issue_14_a_powered_off_vm_is_not_an_image_only_a_template_or_library_item_the_build_made_is() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext());
            Target target = Fixtures.target("esx-01");
            Vim vim = new Vim(vcenter);
            String template = vim.clone("good", "esx-01", "kiln-build-id=b-good kiln-expires-at=", true, false);
            vim.export(vim.clone("lib-vm", "esx-01", "kiln-build-id=b-lib", false, false), "lib", "kiln-build-id=b-lib");
            vim.clone("left-off", "esx-01", "kiln-build-id=b-off", false, false);
            vim.clone("running", "esx-01", "kiln-build-id=b-run", false, true);

            ArtifactCheck good = provider.verifyArtifact(Fixtures.job(target, "good", "b-good"), List.of());
            ArtifactCheck lib = provider.verifyArtifact(Fixtures.job(target, "lib", "b-lib"), List.of());
            ArtifactCheck foreign = provider.verifyArtifact(Fixtures.job(target, "good", "b-other"), List.of());
            ArtifactCheck off = provider.verifyArtifact(Fixtures.job(target, "left-off", "b-off"), List.of());
            ArtifactCheck running = provider.verifyArtifact(Fixtures.job(target, "running", "b-run"), List.of());
            ArtifactCheck missing = provider.verifyArtifact(Fixtures.job(target, "never", "b-never"), List.of());

            assertThat(good.ok()).as("%s", good.problems()).isTrue();
            assertThat(good.verified()).containsExactly("VirtualMachine:" + template);
            assertThat(lib.ok()).as("%s", lib.problems()).isTrue();
            // the item, and the template vCenter keeps behind a VM template item
            assertThat(lib.verified()).anyMatch(v -> v.startsWith("LibraryItem:")).hasSize(2);
            assertThat(foreign.problems()).singleElement().asString().endsWith(
                    "was made by build b-good, not by this build (b-other)");
            assertThat(off.ok()).isFalse();
            assertThat(off.problems()).singleElement().asString().contains("'left-off'").endsWith(" is poweredOff but"
                    + " not a template: a template build must leave a template (convert_to_template: true) or a"
                    + " content library item, never a VM");
            assertThat(running.problems()).singleElement().asString().contains(" is poweredOn but not a template");
            assertThat(missing.problems()).containsExactly("no template or content library item named 'never' on"
                    + " vCenter " + vcenter.endpoint() + " after the build");
            // and what passed carries the build's tag, found by vSphere's own search
            assertThat(vcenter.resourcesTagged("kiln-build-id", "b-good")).extracting(TaggedResource::state)
                    .containsExactly("TEMPLATE");
            assertThat(vcenter.resourcesTagged("kiln-build-id", "b-lib")).extracting(TaggedResource::type)
                    .containsExactlyInAnyOrder("com.vmware.content.library.Item", "VirtualMachine");
            assertThat(vcenter.resourcesTagged("kiln-build-id", "b-off")).isEmpty();
        }
    }

    @Test
    void a_sweep_destroys_what_the_build_marked_templates_and_library_items_included_and_nothing_else() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext());
            Target target = Fixtures.target("esx-01", Map.of("datastore", VcenterEmulator.DEFAULT_DATASTORE,
                    "library", VcenterEmulator.DEFAULT_LIBRARY));
            Vim vim = new Vim(vcenter);
            vim.clone("keep-me", "esx-02", "kiln-build-id=b-keep", true, false);
            // Given what a killed build left: a running VM, a template, and a library item from an export
            vim.clone("dead-1", "esx-01", "kiln-build-id=b-dead", false, true);
            String deadTemplate = vim.clone("dead-2", "esx-01", "Built by Kiln; kiln-build-id=b-dead", true, false);
            vim.export(deadTemplate, "dead-item", "kiln-build-id=b-dead");
            long freeBefore = vcenter.freeGb(VcenterEmulator.DEFAULT_DATASTORE);

            SweepReport first = provider.sweep(target, "b-dead");
            SweepReport second = provider.sweep(target, "b-dead");

            assertThat(first.clean()).as("%s", first.failed()).isTrue();
            assertThat(first.deleted()).hasSize(3).anyMatch(d -> d.startsWith("LibraryItem/"))
                    .contains("VirtualMachine/" + deadTemplate);
            assertThat(second).isEqualTo(SweepReport.NOTHING);
            assertThat(vcenter.vms()).extracting(VmSummary::name).containsExactlyInAnyOrder(
                    VcenterEmulator.DEFAULT_SOURCE_VM, "keep-me");
            assertThat(vcenter.libraryItemNames()).isEmpty();
            assertThat(vcenter.freeGb(VcenterEmulator.DEFAULT_DATASTORE)).isEqualTo(freeBefore + 16 * 3);
            assertThat(vcenter.calls()).extracting(ApiCall::action).containsSubsequence("content.library.item.delete",
                    "PowerOffVM_Task", "Destroy_Task");
        }
    }

    @Test
    void issue_18_a_clone_still_running_when_its_build_failed_is_swept_once_its_task_ends() {
        VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().cloneTime(Duration.ofMinutes(3)).timeSource(time)
                .start(); VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext(time));
            Vim vim = new Vim(vcenter);
            // Given a build whose packer gave up waiting for its clone, which vCenter goes on making,
            vim.startClone("late-1", "esx-01", "kiln-build-id=b-late kiln-expires-at=1767607200", false);
            // and another build's clone in flight, which is none of the sweep's business
            vim.startClone("other-1", "esx-02", "kiln-build-id=b-other", false);

            // When Kiln sweeps the failed build
            SweepReport report = provider.sweep(Fixtures.target("esx-01"), "b-late");

            // Then the sweep waited on the run's clock for the clones to end, then destroyed the build's
            assertThat(report.clean()).as("%s", report.failed()).isTrue();
            assertThat(time.elapsed()).isGreaterThanOrEqualTo(Duration.ofMinutes(3));
            assertThat(report.deleted()).singleElement().asString().startsWith("VirtualMachine/vm-");
            assertThat(vcenter.vms()).extracting(VmSummary::name).containsExactlyInAnyOrder(
                    VcenterEmulator.DEFAULT_SOURCE_VM, "other-1");
            assertThat(vcenter.calls()).extracting(ApiCall::action).containsSubsequence("RetrievePropertiesEx",
                    "RetrievePropertiesEx", "Destroy_Task");
        }
    }

    @Test
    void a_clone_that_outlives_the_sweeps_wait_is_reported_and_the_next_sweep_takes_its_vm() {
        VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().cloneTime(Duration.ofMinutes(25)).timeSource(time)
                .start(); VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext(time));
            Target target = Fixtures.target("esx-01");
            String task = new Vim(vcenter).startClone("slow-1", "esx-01", "kiln-build-id=b-slow", false);

            SweepReport first = provider.sweep(target, "b-slow");

            assertThat(time.elapsed()).isEqualTo(Duration.ofMinutes(10));
            assertThat(first.deleted()).isEmpty();
            assertThat(first.failed()).containsExactly("Task/" + task + " (VirtualMachine.clone of '"
                    + VcenterEmulator.DEFAULT_SOURCE_VM + "', queued 2026-01-05T09:00:00Z): still running after 10"
                    + " minutes, so a VM it may make for build b-slow is not swept yet; the next sweep of the build,"
                    + " or the expiry sweep once its kiln-expires-at passed, takes it");

            time.advance(Duration.ofMinutes(20));
            SweepReport second = provider.sweep(target, "b-slow");

            assertThat(second.clean()).as("%s", second.failed()).isTrue();
            assertThat(second.deleted()).singleElement().asString().startsWith("VirtualMachine/vm-");
            assertThat(vcenter.vms()).extracting(VmSummary::name).containsExactly(VcenterEmulator.DEFAULT_SOURCE_VM);
        }
    }

    @Test
    void a_sweep_also_takes_what_carries_the_builds_tag() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext());
            Vim vim = new Vim(vcenter);
            String vm = vim.clone("tagged", "esx-01", "", true, false);
            vim.tag("VirtualMachine", vm, "kiln-build-id", "b-tagged");

            SweepReport report = provider.sweep(Fixtures.target("esx-01"), "b-tagged");

            assertThat(report.deleted()).containsExactly("VirtualMachine/" + vm, "Tag/kiln-build-id=b-tagged");
            assertThat(vcenter.resourcesTagged("kiln-build-id", "b-tagged")).isEmpty();
        }
    }

    @Test
    void an_expired_sweep_destroys_the_vms_whose_expiry_passed_and_keeps_every_image() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext());
            Target target = Fixtures.target("esx-01");
            Instant now = Instant.parse("2026-01-05T09:00:00Z");
            String past = Long.toString(now.getEpochSecond() - 3600);
            String future = Long.toString(now.getEpochSecond() + 3600);
            Vim vim = new Vim(vcenter);
            // Given two builds killed after their expiry (one running, one not), one that expires later, one
            // without an expiry, a finished template and a library item whose builds' expiry has passed, and a
            // VM tagged with an expiry that passed
            vim.clone("dead-1", "esx-01", "kiln-build-id=b-dead-1 kiln-expires-at=" + past, false, true);
            vim.clone("dead-2", "esx-02", "kiln-build-id=b-dead-2 kiln-expires-at=" + past, false, false);
            vim.clone("alive", "esx-01", "kiln-build-id=b-alive kiln-expires-at=" + future, false, true);
            vim.clone("no-expiry", "esx-01", "kiln-build-id=b-none kiln-expires-at=", false, true);
            vim.clone("finished", "esx-01", "kiln-build-id=b-done kiln-expires-at=" + past, true, false);
            String item = vim.export(vim.clone("lib-src", "esx-01", "", false, false), "in-library",
                    "kiln-build-id=b-lib kiln-expires-at=" + past);
            vim.tag("com.vmware.content.library.Item", item, "kiln-expires-at", past);
            String tagged = vim.clone("tagged", "esx-03", "", false, true);
            vim.tag("VirtualMachine", tagged, "kiln-expires-at", past);

            // When
            SweepReport first = provider.sweepExpired(target, now);
            SweepReport second = provider.sweepExpired(target, now);

            // Then the dead builds' VMs and the tagged VM went, powered off first; the expiry's tag stays with the item
            assertThat(first.clean()).as("%s", first.failed()).isTrue();
            assertThat(first.deleted()).hasSize(3).allMatch(d -> d.startsWith("VirtualMachine/"))
                    .contains("VirtualMachine/" + tagged);
            assertThat(second).isEqualTo(SweepReport.NOTHING);
            assertThat(vcenter.calls()).extracting(ApiCall::action).containsSubsequence("PowerOffVM_Task",
                    "Destroy_Task").doesNotContain("content.library.item.delete");
            assertThat(vcenter.vms()).extracting(VmSummary::name).contains("alive", "no-expiry", "finished")
                    .doesNotContain("dead-1", "dead-2", "tagged");
            assertThat(vcenter.libraryItemNames()).containsExactly("in-library");
            assertThat(vcenter.resourcesTagged("kiln-expires-at", past)).extracting(TaggedResource::id)
                    .containsExactly(item);
        }
    }

    @Test
    void an_expired_sweep_reports_a_vm_whose_expiry_is_not_epoch_seconds_and_leaves_it() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext());
            String vm = new Vim(vcenter).clone("odd", "esx-01", "kiln-build-id=b-odd kiln-expires-at=soon", false, true);

            SweepReport report = provider.sweepExpired(Fixtures.target("esx-01"), Instant.parse("2026-01-05T09:00:00Z"));

            assertThat(report.deleted()).isEmpty();
            assertThat(report.failed()).containsExactly("VirtualMachine/" + vm + " (odd): kiln-expires-at='soon' is not"
                    + " an expiry (epoch seconds, such as 1767225600); left in place");
            assertThat(vcenter.vms()).extracting(VmSummary::name).contains("odd");
        }
    }

    @Test
    void a_template_at_odds_with_its_target_is_refused_before_any_clone_naming_what_exists() throws IOException {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext());
            Target target = Fixtures.target("esx-01");
            Path bad = dir.resolve("bad.json");
            Files.writeString(bad, """
                    {
                      "variables": {"kiln_image_name": "", "kiln_build_id": ""},
                      "builders": [{
                        "type": "vsphere-clone", "name": "clone",
                        "datacenter": "DC9",
                        "host": "esx-02",
                        "datastore": "datastore9",
                        "folder": "kiln-buils",
                        "network": "VM Netwrok",
                        "template": "no-such-source",
                        "vm_name": "something-else",
                        "notes": "built by packer",
                        "communicator": "none"
                      }]
                    }
                    """);

            assertThatThrownBy(() -> provider.demandOf(Fixtures.job(target, "img-1", "b-1", bad, "vsphere-clone",
                    "clone"))).isInstanceOfSatisfying(TemplateException.class, e -> assertThat(e.problems())
                    .extracting(TemplateProblem::describe).containsExactly(
                            bad + ":5:19: datacenter 'DC9', which does not exist on vCenter " + vcenter.endpoint()
                                    + " — one of the datacenters there: [Datacenter]",
                            bad + ":6:13: host 'esx-02', which Kiln's target vsphere/vcenter.kiln.test/esx-01 does not"
                                    + " name — the target's host 'esx-01': Kiln holds that host's provisioning slots,"
                                    + " a build on another bypasses them; set host to {{env `KILN_VSPHERE_HOST`}}",
                            bad + ":7:18: datastore 'datastore9', which does not exist on vCenter " + vcenter.endpoint()
                                    + " — one of the datastores there: [datastore1]",
                            bad + ":8:15: VM folder 'kiln-buils' (no folder 'kiln-buils' on vCenter "
                                    + vcenter.endpoint() + "; packer would make it) — an existing VM folder: [vm,"
                                    + " kiln-builds]",
                            bad + ":9:16: network 'VM Netwrok', which does not exist on vCenter " + vcenter.endpoint()
                                    + " — one of the networks there: [VM Network]",
                            bad + ":10:17: template 'no-such-source' to clone from, which is no VM or template on"
                                    + " vCenter " + vcenter.endpoint() + " — the name of an existing VM or template",
                            bad + ":3:16: vsphere-clone builder 'clone' neither converts its VM to a template nor"
                                    + " exports it to a content library, so it would leave a plain VM —"
                                    + " convert_to_template: true, or a content_library_destination: Kiln accepts"
                                    + " templates and library items as images, never VMs",
                            bad + ":11:16: vm_name 'something-else' — the image's name, 'img-1' ({{user"
                                    + " `kiln_image_name`}}): Kiln checks and finds the image by it",
                            bad + ":12:14: notes 'built by packer' — notes that carry kiln-build-id=b-1 ({{user"
                                    + " `kiln_build_id`}}): Kiln finds (and sweeps) what a build made by them"));

            Path good = dir.resolve("good.json");
            Files.writeString(good, """
                    {
                      "variables": {"kiln_image_name": "", "kiln_build_id": ""},
                      "builders": [{
                        "type": "vsphere-clone", "name": "clone",
                        "host": "{{env `KILN_VSPHERE_HOST`}}",
                        "datastore": "{{env `KILN_VSPHERE_DATASTORE`}}",
                        "folder": "{{env `KILN_VSPHERE_FOLDER`}}",
                        "template": "kiln-source-template",
                        "vm_name": "{{user `kiln_image_name`}}",
                        "notes": "kiln-build-id={{user `kiln_build_id`}}",
                        "convert_to_template": true,
                        "communicator": "none"
                      }]
                    }
                    """);
            assertThat(provider.demandOf(Fixtures.job(target, "img-1", "b-1", good, "vsphere-clone", "clone"))
                    .get(Demand.DISK_GB)).isEqualTo(16);
            assertThat(vcenter.counters().of("CloneVM_Task").calls()).isZero();
        }
    }

    @Test
    void packer_gets_where_to_build_and_never_a_credential() {
        try (VsphereProvider provider = VsphereProvider.builder()
                .vcenter("vc1.example.com", URI.create("https://vc1.example.com:8443/"))
                .credentials("svc-kiln@vsphere.local", "S3cret-vc"::toCharArray).build()) {
            Target target = new Target("vsphere", "vc1.example.com", "cluster-a", Map.of("datastore", "ds1",
                    "folder", "builds", "library", "images"));

            Map<String, String> env = provider.packerEnv(target, new Budget(12, 1.0));

            assertThat(env).containsExactlyInAnyOrderEntriesOf(Map.of("KILN_VSPHERE_URL", "https://vc1.example.com:8443",
                    "KILN_VSPHERE_SERVER", "vc1.example.com:8443", "KILN_VSPHERE_INSECURE", "false",
                    "KILN_VSPHERE_HOST", "cluster-a", "KILN_VSPHERE_DATASTORE", "ds1", "KILN_VSPHERE_FOLDER", "builds",
                    "KILN_VSPHERE_LIBRARY", "images", "KILN_VSPHERE_TAG_CATEGORY", "kiln-build-id"));
            assertThat(env.values()).noneMatch(v -> v.contains("S3cret") || v.contains("svc-kiln"));
            assertThat(VsphereProvider.builder().build().packerEnv(Fixtures.target("esx-01"), Budget.UNLIMITED))
                    .containsEntry("KILN_VSPHERE_URL", "https://vcenter.kiln.test");
        }
    }

    @Test
    void image_names_are_unique_per_vcenter_not_per_host() {
        try (VsphereProvider provider = VsphereProvider.builder().build()) {
            assertThat(provider.nameRule().uniquenessScope(Fixtures.target("esx-01")))
                    .isEqualTo(provider.nameRule().uniquenessScope(Fixtures.target("esx-02")))
                    .isEqualTo("vsphere/vcenter.kiln.test");
            assertThat(provider.nameRule().check("Ubuntu 22.04 (template)")).isEmpty();
            assertThat(provider.nameRule().check("a/b")).isPresent();
        }
    }

    @Test
    void a_vcenter_url_carries_no_credentials() {
        assertThatThrownBy(() -> VsphereProvider.builder().vcenter(URI.create("https://root:pw@vc.example.com")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a vCenter URL carries no user or password: give them with credentials(...) or"
                        + " credentialsFromEnvironment(...)");
        assertThatThrownBy(() -> VsphereProvider.builder().vcenter(URI.create("ftp://vc.example.com")))
                .hasMessage("a vCenter URL is https://host[:port] (http only for emulators), got 'ftp://vc.example.com'");
    }
}
