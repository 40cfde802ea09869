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
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().datastore("ds-a", 500, 120)
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
                    .hasMessageContaining("has no VM folder named 'nope'");
            assertThatThrownBy(() -> provider.probeQuotas(Fixtures.target("esx-01", Map.of("library", "nope"))))
                    .hasMessageContaining("has no content library named 'nope'");
            assertThatThrownBy(() -> provider.probeQuotas(Fixtures.target("esx-01", Map.of("source", "nope"))))
                    .hasMessageContaining("has no VM named 'nope' to clone from");
        }
    }

    @Test
    void a_target_without_a_datastore_is_refused_with_what_to_set() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = VsphereProvider.builder().vcenter(vcenter.endpoint())
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
            assertThat(count(vcenter, "session.create")).isEqualTo(1);

            time.advance(Duration.ofMinutes(31));
            assertThat(provider.imageExists(target, "kiln-source-template")).isTrue();

            assertThat(count(vcenter, "session.create")).isEqualTo(2);
            assertThat(vcenter.calls()).filteredOn(c -> c.status() == 401).hasSize(1);
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
                    "vcenter.datastore.list", "content.library.item.find", "cis.tagging.category.list");
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
                        assertThat(c.provider()).hasValue("vsphere");
                        assertThat(c.getMessage()).isEqualTo("vsphere: vCenter " + vcenter.endpoint() + " refused the"
                                + " login of user 'administrator@vsphere.local' (401 UNAUTHENTICATED); check the"
                                + " credentials given to VsphereProvider.builder()").doesNotContain(wrong);
                        assertThat(c.getCause()).isInstanceOfSatisfying(VsphereException.class, e -> {
                            assertThat(e.status()).isEqualTo(401);
                            assertThat(e.errorType()).isEqualTo("UNAUTHENTICATED");
                            assertThat(e.vcenter()).isEqualTo(vcenter.endpoint());
                        });
                    });
            assertThat(provider.toString()).doesNotContain(wrong);
        }
    }

    @Test
    void missing_credentials_say_which_environment_variables_to_set() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = VsphereProvider.builder().vcenter(vcenter.endpoint())
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
                VsphereProvider provider = VsphereProvider.builder().vcenter(vcenter.endpoint()).build()) {
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
    void names_are_taken_by_vms_and_library_items() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            Target target = Fixtures.target("esx-01");
            Fixtures.build(vcenter, "esx-01", "vm-image", "b-1");
            Fixtures.build(vcenter, "esx-02", "lib-image", "b-2", "--library", VcenterEmulator.DEFAULT_LIBRARY,
                    "--destroy-vm");

            assertThat(provider.imageExists(target, "vm-image")).isTrue();
            assertThat(provider.imageExists(target, "lib-image")).isTrue();
            assertThat(provider.imageExists(target, "lib-image-vm")).isFalse();
            assertThat(provider.imageExists(target, "free")).isFalse();
        }
    }

    @Test
    void an_artifact_must_be_named_like_the_image_tagged_with_the_build_and_powered_off() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            Target target = Fixtures.target("esx-01");
            Fixtures.build(vcenter, "esx-01", "good", "b-good");
            Fixtures.build(vcenter, "esx-01", "lib", "b-lib", "--library", VcenterEmulator.DEFAULT_LIBRARY);
            Fixtures.standIn(vcenter, 1, "--name", "running", "--build-id", "b-run", "--host", "esx-01",
                    "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--fail-after", "power-on");

            ArtifactCheck good = provider.verifyArtifact(Fixtures.job(target, "good", "b-good"), List.of());
            ArtifactCheck lib = provider.verifyArtifact(Fixtures.job(target, "lib", "b-lib"), List.of());
            ArtifactCheck foreign = provider.verifyArtifact(Fixtures.job(target, "good", "b-other"), List.of());
            ArtifactCheck running = provider.verifyArtifact(Fixtures.job(target, "running", "b-run"), List.of());
            ArtifactCheck missing = provider.verifyArtifact(Fixtures.job(target, "never", "b-never"), List.of());

            assertThat(good.ok()).isTrue();
            assertThat(good.verified()).singleElement().asString().startsWith("VirtualMachine:vm-");
            assertThat(lib.ok()).as("%s", lib.problems()).isTrue();
            assertThat(lib.verified()).singleElement().asString().startsWith("LibraryItem:");
            assertThat(foreign.ok()).isFalse();
            assertThat(foreign.problems()).singleElement().asString().contains("is not tagged kiln-build-id=b-other");
            assertThat(running.problems()).singleElement().asString().contains("is POWERED_ON");
            assertThat(missing.problems()).containsExactly("no VM or content library item named 'never' on vCenter "
                    + vcenter.endpoint() + " after the build");
        }
    }

    @Test
    void a_sweep_powers_off_and_deletes_what_a_build_tagged_then_its_tag_and_nothing_else() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext());
            Target target = Fixtures.target("esx-01");
            Fixtures.build(vcenter, "esx-02", "keep-me", "b-keep");
            Fixtures.standIn(vcenter, 1, "--name", "dead-1", "--build-id", "b-dead", "--host", "esx-01",
                    "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--fail-after", "power-on");
            Fixtures.standIn(vcenter, 1, "--name", "dead-2", "--build-id", "b-dead", "--host", "esx-01",
                    "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--library", VcenterEmulator.DEFAULT_LIBRARY,
                    "--fail-after", "template");
            long freeBefore = vcenter.freeGb(VcenterEmulator.DEFAULT_DATASTORE);

            SweepReport first = provider.sweep(target, "b-dead");
            SweepReport second = provider.sweep(target, "b-dead");

            assertThat(first.clean()).as("%s", first.failed()).isTrue();
            assertThat(first.deleted()).hasSize(4).anyMatch(d -> d.startsWith("LibraryItem/"))
                    .contains("Tag/kiln-build-id=b-dead").filteredOn(d -> d.startsWith("VirtualMachine/")).hasSize(2);
            assertThat(second).isEqualTo(SweepReport.NOTHING);
            assertThat(vcenter.resourcesTagged("kiln-build-id", "b-dead")).isEmpty();
            assertThat(vcenter.vms()).extracting(VmSummary::name).containsExactlyInAnyOrder(
                    VcenterEmulator.DEFAULT_SOURCE_VM, "keep-me");
            assertThat(vcenter.resourcesTagged("kiln-build-id", "b-keep")).extracting(TaggedResource::state)
                    .containsExactly("POWERED_OFF");
            assertThat(vcenter.libraryItemNames()).isEmpty();
            assertThat(vcenter.freeGb(VcenterEmulator.DEFAULT_DATASTORE)).isEqualTo(freeBefore + 16 * 3);
            assertThat(vcenter.calls()).extracting(ApiCall::action).containsSubsequence("vcenter.vm.power.stop",
                    "vcenter.vm.delete", "content.library.item.delete", "cis.tagging.tag.delete");
        }
    }

    @Test
    void an_expired_sweep_deletes_the_vms_whose_expiry_passed_then_their_tag_and_keeps_every_image() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext());
            Target target = Fixtures.target("esx-01");
            Instant now = Instant.parse("2026-01-05T09:00:00Z");
            String past = Long.toString(now.getEpochSecond() - 3600);
            String future = Long.toString(now.getEpochSecond() + 3600);
            // Given two builds killed after their expiry (one running, one never powered on), one killed that
            // expires later, one killed without an expiry, a finished template VM and a finished library item
            // whose builds' expiry has passed
            Fixtures.standIn(vcenter, 1, "--name", "dead-1", "--build-id", "b-dead-1", "--expires-at", past,
                    "--host", "esx-01", "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--fail-after", "power-on");
            Fixtures.standIn(vcenter, 1, "--name", "dead-2", "--build-id", "b-dead-2", "--expires-at", past,
                    "--host", "esx-02", "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--fail-after", "tag");
            Fixtures.standIn(vcenter, 1, "--name", "alive", "--build-id", "b-alive", "--expires-at", future,
                    "--host", "esx-01", "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--fail-after", "power-on");
            Fixtures.standIn(vcenter, 1, "--name", "no-expiry", "--build-id", "b-none", "--host", "esx-01",
                    "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--fail-after", "power-on");
            Fixtures.build(vcenter, "esx-01", "finished", "b-done", "--expires-at", past);
            Fixtures.build(vcenter, "esx-01", "in-library", "b-lib", "--expires-at", past, "--library",
                    VcenterEmulator.DEFAULT_LIBRARY, "--destroy-vm");
            Fixtures.build(vcenter, "esx-02", "tagged-item", "b-item", "--library", VcenterEmulator.DEFAULT_LIBRARY,
                    "--destroy-vm", "--vm-name", "tagged-item-vm");
            tagLibraryItem(vcenter, "tagged-item", "kiln-expires-at", past);

            // When
            SweepReport first = provider.sweepExpired(target, now);
            SweepReport second = provider.sweepExpired(target, now);

            // Then both dead builds' VMs went, powered off first; the expiry's tag stays with the library item
            assertThat(first.clean()).as("%s", first.failed()).isTrue();
            assertThat(first.deleted()).hasSize(2).allMatch(d -> d.startsWith("VirtualMachine/"));
            assertThat(second.deleted()).isEmpty();
            assertThat(second.clean()).isTrue();
            assertThat(vcenter.calls()).extracting(ApiCall::action).containsSubsequence("vcenter.vm.power.stop",
                    "vcenter.vm.delete").doesNotContain("content.library.item.delete");
            assertThat(vcenter.vms()).extracting(VmSummary::name).contains("alive", "no-expiry", "finished")
                    .doesNotContain("dead-1", "dead-2");
            assertThat(vcenter.libraryItemNames()).containsExactlyInAnyOrder("in-library", "tagged-item");
            assertThat(vcenter.resourcesTagged("kiln-expires-at", past)).extracting(TaggedResource::id)
                    .singleElement().asString().isNotEmpty();
            assertThat(vcenter.resourcesTagged("kiln-expires-at", future)).extracting(TaggedResource::state)
                    .containsExactly("POWERED_ON");
        }
    }

    @Test
    void once_the_library_item_is_gone_the_expiry_tag_it_held_goes_too() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext());
            Fixtures.standIn(vcenter, 1, "--name", "dead", "--build-id", "b-dead", "--expires-at", "1767222000",
                    "--host", "esx-01", "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--fail-after", "tag");

            SweepReport report = provider.sweepExpired(Fixtures.target("esx-01"), Instant.parse("2026-01-05T09:00:00Z"));

            assertThat(report.deleted()).hasSize(2).endsWith("Tag/kiln-expires-at=1767222000");
            assertThat(provider.sweepExpired(Fixtures.target("esx-01"), Instant.parse("2026-01-05T09:00:00Z")))
                    .isEqualTo(SweepReport.NOTHING);
        }
    }

    /** Attaches {@code category=name} (made by a build before) to the library item {@code item}, over REST. */
    private static void tagLibraryItem(VcenterEmulator vcenter, String item, String category, String name) {
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String session = ask(http, vcenter, null, "POST", "/api/session", null).asText();
            String itemId = ask(http, vcenter, session, "POST", "/api/content/library/item?action=find",
                    "{\"name\":\"" + item + "\"}").get(0).asText();
            String tagId = null;
            for (JsonNode c : ask(http, vcenter, session, "GET", "/api/cis/tagging/category", null)) {
                if (ask(http, vcenter, session, "GET", "/api/cis/tagging/category/" + c.asText(), null).path("name")
                        .asText().equals(category)) {
                    for (JsonNode t : ask(http, vcenter, session, "POST",
                            "/api/cis/tagging/tag?action=list-tags-for-category",
                            "{\"category_id\":\"" + c.asText() + "\"}")) {
                        if (ask(http, vcenter, session, "GET", "/api/cis/tagging/tag/" + t.asText(), null).path("name")
                                .asText().equals(name)) {
                            tagId = t.asText();
                        }
                    }
                }
            }
            ask(http, vcenter, session, "POST", "/api/cis/tagging/tag-association/" + tagId + "?action=attach",
                    "{\"object_id\":{\"type\":\"com.vmware.content.library.Item\",\"id\":\"" + itemId + "\"}}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonNode ask(HttpClient http, VcenterEmulator vcenter, String session, String method, String path,
            String body) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(vcenter.endpoint() + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (session == null) {
            r.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((VcenterEmulator.DEFAULT_USER + ":"
                    + VcenterEmulator.DEFAULT_PASSWORD).getBytes(StandardCharsets.UTF_8)));
        } else {
            r.header("vmware-api-session-id", session);
        }
        HttpResponse<String> answer = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() >= 300) {
            throw new AssertionError(method + " " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return answer.body().isEmpty() ? NullNode.getInstance() : new ObjectMapper().readTree(answer.body());
    }

    @Test
    void an_expired_sweep_reports_what_carries_a_tag_that_is_not_epoch_seconds_and_deletes_nothing() {
        try (VcenterEmulator vcenter = Fixtures.quickVcenter().start();
                VsphereProvider provider = Fixtures.provider(vcenter).build()) {
            provider.start(new RecordingContext());
            Fixtures.standIn(vcenter, 1, "--name", "odd", "--build-id", "b-odd", "--expires-at", "soon",
                    "--host", "esx-01", "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--fail-after", "tag");
            String vm = vcenter.resourcesTagged("kiln-expires-at", "soon").get(0).id();

            SweepReport report = provider.sweepExpired(Fixtures.target("esx-01"), Instant.parse("2026-01-05T09:00:00Z"));

            assertThat(report.deleted()).isEmpty();
            assertThat(report.failed()).containsExactly("VirtualMachine/" + vm + ": kiln-expires-at='soon' is not an"
                    + " expiry (epoch seconds, such as 1767225600); left in place");
            assertThat(vcenter.vms()).extracting(VmSummary::name).contains("odd");
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
