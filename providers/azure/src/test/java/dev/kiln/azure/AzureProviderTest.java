package dev.kiln.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.KilnException;
import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.azure.ArmDelays;
import dev.kiln.emulators.azure.ArmEmulator;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.SweepReport;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Azure provider against the ARM emulator: gating, throttles, quotas, demand, verification, sweeps. */
class AzureProviderTest {

    private static final String SUB = ArmEmulator.DEFAULT_SUBSCRIPTION;
    private static final String REGION = "westeurope";
    private static final Target TARGET = new Target("azure", SUB, REGION, Map.of("resource_group", "images"));

    private final List<String> acquired = new CopyOnWriteArrayList<>();
    private final List<String> remaining = new CopyOnWriteArrayList<>();
    private final List<String> throttles = new CopyOnWriteArrayList<>();
    private ArmEmulator arm;
    private AzureProvider provider;
    private Arm fixtures;

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.close();
        }
        if (arm != null) {
            arm.close();
        }
    }

    private void start(ArmEmulator.Builder emulator, TimeSource time) {
        arm = emulator.timeSource(time).start();
        fixtures = new Arm(arm, SUB);
        fixtures.resourceGroup("images", REGION, Map.of());
        provider = AzureProvider.builder().endpoint(arm.endpoint()).build();
        provider.start(new ProviderContext() {
            @Override
            public ApiGate gate(Target target) {
                return new ApiGate() {
                    @Override
                    public void acquire(String api) {
                        acquired.add(api);
                    }

                    @Override
                    public void throttled(String api, Duration retryAfter) {
                        throttles.add(api + " " + retryAfter);
                    }

                    @Override
                    public void remaining(String limit, long left) {
                        remaining.add(limit + "=" + left);
                    }
                };
            }

            @Override
            public TimeSource time() {
                return time;
            }
        });
    }

    private void start() {
        start(ArmEmulator.builder().delays(fast()), TimeSource.system());
    }

    private static ArmDelays fast() {
        return new ArmDelays(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(100),
                Duration.ofMillis(100), Duration.ofMillis(100), Duration.ZERO);
    }

    private static BuildJob job(String size, Integer vcpus, String name, String buildId) {
        ImageSpec.Builder image = ImageSpec.builder("base", Path.of("/t.json"), "azure-arm");
        if (size != null) {
            image.instanceSize(size);
        }
        if (vcpus != null) {
            image.vcpus(vcpus);
        }
        return new BuildJob(JobId.of("base", TARGET, "dev"), image.build(), TARGET, "dev", name, buildId, Set.of(),
                Demand.of(1, 1, 8, 0));
    }

    @Test
    void every_request_is_gated_by_its_api_class_and_its_rate_limit_headers_reach_the_gate() {
        start();
        fixtures.vmWithNetwork("images", REGION, "vm1", "Standard_D2s_v3", Map.of(AzureProvider.BUILD_TAG, "b-1"));

        provider.probeQuotas(TARGET);
        assertThat(acquired).containsExactly("resource.read");
        assertThat(remaining).singleElement().asString().startsWith("arm.reads=");

        provider.sweep(TARGET, "b-1");
        assertThat(acquired).contains("vm.get", "vm.delete", "operation.get", "resource.delete");
        assertThat(remaining).anyMatch(r -> r.startsWith("compute.LowCostGet="))
                .anyMatch(r -> r.startsWith("compute.PutVM=")).anyMatch(r -> r.startsWith("arm.deletes="))
                .anyMatch(r -> r.startsWith("compute.GetOperation="));
        long armCalls = arm.calls().stream().filter(c -> !c.action().equals("ResourceGroups.CreateOrUpdate")
                && !c.action().endsWith(".CreateOrUpdate")).count();
        assertThat(acquired).as("one acquire per ARM request").hasSize((int) armCalls);
    }

    @Test
    void a_429_is_reported_with_its_retry_after_and_retried_on_kilns_clock() {
        VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
        start(ArmEmulator.builder().limit("arm.reads", LimitSpec.tokenBucket(1, 0.25)), time);
        Instant before = time.now();

        provider.probeQuotas(TARGET);
        QuotaSnapshot snapshot = provider.probeQuotas(TARGET);

        assertThat(snapshot.quota("vcpus")).isPresent();
        assertThat(throttles).containsExactly("resource.read PT4S");
        assertThat(arm.counters().of("Usage.List").throttled()).isEqualTo(1);
        assertThat(Duration.between(before, time.now())).as("waited on Kiln's clock").isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void quotas_come_from_compute_usages_with_cores_as_vcpus_and_families_by_name() {
        start();
        fixtures.vmWithNetwork("images", REGION, "vm1", "Standard_D4s_v3", Map.of());

        QuotaSnapshot q = provider.probeQuotas(TARGET);

        assertThat(q.quota("vcpus")).hasValueSatisfying(v -> {
            assertThat(v.usage()).isEqualTo(4);
            assertThat(v.limit()).isEqualTo(100);
        });
        assertThat(q.quota("standardDSv3Family")).hasValueSatisfying(v -> assertThat(v.usage()).isEqualTo(4));
        assertThat(q.quota("instances")).hasValueSatisfying(v -> assertThat(v.usage()).isEqualTo(1));
    }

    @Test
    void a_jobs_demand_is_its_vm_sizes_vcpus_in_total_and_in_its_family() {
        start();
        assertThat(provider.demandOf(job("Standard_D4s_v3", null, "n", "b")).amounts())
                .containsExactlyInAnyOrderEntriesOf(Map.of("vcpus", 4L, "standardDSv3Family", 4L, "instances", 1L));
        assertThat(provider.demandOf(job("Standard_B2s", 3, "n", "b")).amounts())
                .containsEntry("vcpus", 3L).containsEntry("standardBSFamily", 3L);
        // A size the region does not list still has a family and, by its name, vCPUs.
        assertThat(provider.demandOf(job("Standard_E16s_v5", null, "n", "b")).amounts())
                .containsEntry("vcpus", 16L).containsEntry("standardESv5Family", 16L);
        assertThat(provider.demandOf(job(null, null, "n", "b"))).isEqualTo(Demand.of(1, 1, 8, 0));
    }

    @Test
    void verification_says_what_is_wrong_with_an_image() {
        // In virtual time, so the image still baking stays Creating however slow the machine is
        VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
        start(ArmEmulator.builder().delays(fast()), time);
        fixtures.putImage("images", REGION, "untagged", Map.of());
        fixtures.putImage("images", REGION, "other", Map.of(AzureProvider.BUILD_TAG, "b-9"));
        time.advance(Duration.ofMinutes(1));
        fixtures.putImage("images", REGION, "baking", Map.of(AzureProvider.BUILD_TAG, "b-1"));

        assertThat(provider.verifyArtifact(job("Standard_B2s", null, "untagged", "b-1"), List.of()).problems())
                .containsExactly("managed image untagged in resource group images of subscription " + SUB
                        + " has no tag kiln-build-id (expected b-1)");
        assertThat(provider.verifyArtifact(job("Standard_B2s", null, "other", "b-1"), List.of()).problems())
                .containsExactly("managed image other in resource group images of subscription " + SUB
                        + " is tagged kiln-build-id=b-9, expected b-1");
        assertThat(provider.verifyArtifact(job("Standard_B2s", null, "baking", "b-1"), List.of()).problems())
                .containsExactly("managed image baking in resource group images of subscription " + SUB
                        + " is in provisioning state Creating, not Succeeded");
        assertThat(provider.verifyArtifact(job("Standard_B2s", null, "never", "b-1"), List.of()).problems())
                .containsExactly("managed image never in resource group images of subscription " + SUB
                        + " does not exist");
    }

    @Test
    void a_gallery_target_builds_and_checks_image_versions() {
        start();
        Target gallery = new Target("azure", SUB, REGION, Map.of("resource_group", "images", "gallery", "kiln",
                "gallery_image", "ubuntu"));
        String base = fixtures.group("images") + "/providers/Microsoft.Compute/galleries/kiln";
        fixtures.put(base, "{\"location\":\"" + REGION + "\"}");
        fixtures.put(base + "/images/ubuntu", "{\"properties\":{\"osType\":\"Linux\",\"osState\":\"Generalized\","
                + "\"identifier\":{\"publisher\":\"kiln\",\"offer\":\"base\",\"sku\":\"22\"}}}");
        fixtures.image("images", REGION, "src", Map.of());
        assertThat(provider.imageExists(gallery, "1.0.0")).isFalse();
        fixtures.put(base + "/images/ubuntu/versions/1.0.0", "{\"location\":\"" + REGION + "\",\"tags\":"
                + "{\"kiln-build-id\":\"b-7\"},\"properties\":{\"storageProfile\":{\"source\":{\"id\":\""
                + fixtures.group("images") + "/providers/Microsoft.Compute/images/src\"}}}}");
        fixtures.awaitSucceeded(base + "/images/ubuntu/versions/1.0.0");

        assertThat(provider.imageExists(gallery, "1.0.0")).isTrue();
        BuildJob job = new BuildJob(JobId.of("base", gallery, "dev"), ImageSpec.builder("base", Path.of("/t.json"),
                "azure-arm").build(), gallery, "dev", "1.0.0", "b-7", Set.of(), Demand.NONE);
        ArtifactCheck check = provider.verifyArtifact(job, List.of());
        assertThat(check.ok()).as("%s", check.problems()).isTrue();
        assertThat(check.verified()).singleElement().asString().endsWith("/galleries/kiln/images/ubuntu/versions/1.0.0");
    }

    @Test
    void a_sweep_deletes_vms_then_nics_then_public_ips_then_disks_and_the_os_disk_azure_did_not_tag() {
        start();
        Map<String, String> tags = Map.of(AzureProvider.BUILD_TAG, "b-3");
        fixtures.resourceGroup("pkr-Resource-Group-b3", REGION, tags);
        fixtures.vmWithNetwork("images", REGION, "vm3", "Standard_D2s_v3", tags);
        fixtures.disk("images", REGION, "data3", tags);
        String osDisk = fixtures.get(fixtures.group("images") + "/providers/Microsoft.Compute/virtualMachines/vm3")
                .at("/properties/storageProfile/osDisk/name").asText();

        SweepReport report = provider.sweep(TARGET, "b-3");

        assertThat(report.failed()).isEmpty();
        assertThat(report.deleted()).containsExactly("resourceGroup/pkr-Resource-Group-b3", "virtualMachine/vm3",
                "networkInterface/vm3-nic", "publicIPAddress/vm3-ip", "disk/data3", "disk/" + osDisk,
                "virtualNetwork/vm3-vnet");
        List<String> deletes = arm.calls().stream().map(ApiCall::action).filter(a -> a.endsWith(".Delete")).toList();
        assertThat(deletes).containsSubsequence("VirtualMachines.Delete", "NetworkInterfaces.Delete",
                "PublicIPAddresses.Delete", "Disks.Delete");
        assertThat(arm.counters().total().otherErrors()).as("no delete was refused for a dependency").isZero();
        assertThat(arm.resourcesTagged(AzureProvider.BUILD_TAG, "b-3")).isEmpty();
        assertThat(provider.sweep(TARGET, "b-3").deleted()).isEmpty();
    }

    @Test
    void an_expired_sweep_takes_what_expired_in_dependency_order_and_keeps_images_and_the_targets_group() {
        // Given, at 09:00, a killed build's temporary group, VM (with NIC, IP, network, OS disk) and data disk
        // that expired at 08:00; a running build's VM that expires at 10:00; an untagged disk; a managed
        // image and the target's own resource group whose tags say they expired too
        start();
        Instant now = Instant.parse("2026-01-05T09:00:00Z");
        Map<String, String> expired = Map.of(AzureProvider.BUILD_TAG, "b-old", AzureProvider.EXPIRY_TAG,
                Long.toString(now.getEpochSecond() - 3600));
        Map<String, String> fresh = Map.of(AzureProvider.BUILD_TAG, "b-new", AzureProvider.EXPIRY_TAG,
                Long.toString(now.getEpochSecond() + 3600));
        fixtures.resourceGroup("pkr-Resource-Group-old", REGION, expired);
        fixtures.vmWithNetwork("images", REGION, "vmold", "Standard_D2s_v3", expired);
        fixtures.disk("images", REGION, "dataold", expired);
        fixtures.vmWithNetwork("images", REGION, "vmnew", "Standard_D2s_v3", fresh);
        fixtures.disk("images", REGION, "untagged", Map.of());
        fixtures.image("images", REGION, "finished", expired);
        fixtures.resourceGroup("images", REGION, Map.of(AzureProvider.EXPIRY_TAG, "1"));
        String osDisk = fixtures.get(fixtures.group("images") + "/providers/Microsoft.Compute/virtualMachines/vmold")
                .at("/properties/storageProfile/osDisk/name").asText();

        // When
        SweepReport first = provider.sweepExpired(TARGET, now);
        SweepReport second = provider.sweepExpired(TARGET, now);

        // Then
        assertThat(first.failed()).isEmpty();
        assertThat(first.deleted()).containsExactly("resourceGroup/pkr-Resource-Group-old", "virtualMachine/vmold",
                "networkInterface/vmold-nic", "publicIPAddress/vmold-ip", "disk/dataold", "disk/" + osDisk,
                "virtualNetwork/vmold-vnet");
        assertThat(second.deleted()).isEmpty();
        assertThat(second.clean()).isTrue();
        assertThat(arm.resourcesTagged(AzureProvider.BUILD_TAG, "b-old")).extracting(r -> r.type())
                .containsExactly("Microsoft.Compute/images");
        assertThat(arm.resourcesTagged(AzureProvider.BUILD_TAG, "b-new")).hasSize(4);
        assertThat(fixtures.status("GET", fixtures.group("images") + "/providers/Microsoft.Compute/disks/untagged"))
                .isEqualTo(200);
        assertThat(fixtures.status("GET", fixtures.group("images"))).isEqualTo(200);
    }

    @Test
    void an_expired_sweep_reports_an_expiry_that_is_not_epoch_seconds_and_deletes_nothing() {
        start();
        fixtures.resourceGroup("pkr-Resource-Group-odd", REGION, Map.of(AzureProvider.EXPIRY_TAG, "next week"));

        SweepReport report = provider.sweepExpired(TARGET, Instant.parse("2026-01-05T09:00:00Z"));

        assertThat(report.deleted()).isEmpty();
        assertThat(report.failed()).containsExactly("resourceGroup/pkr-Resource-Group-odd: kiln-expires-at="
                + "'next week' is not an expiry (epoch seconds, such as 1767225600); left in place");
        assertThat(fixtures.status("GET", fixtures.group("pkr-Resource-Group-odd"))).isEqualTo(200);
    }

    @Test
    void targets_without_a_resource_group_or_with_a_bad_subscription_are_refused_with_the_option_named() {
        start();
        assertThatThrownBy(() -> provider.probeQuotas(Target.of("azure", SUB, REGION)))
                .isInstanceOf(KilnException.class).hasMessage("azure target azure/" + SUB + "/westeurope: option"
                        + " 'resource_group' is required: the resource group images are created in (and checked for"
                        + " name collisions)");
        assertThatThrownBy(() -> provider.imageExists(new Target("azure", "my-sub", REGION,
                Map.of("resource_group", "images")), "x")).isInstanceOf(KilnException.class)
                .hasMessageContaining("the account must be a subscription id");
        assertThatThrownBy(() -> provider.imageExists(new Target("azure", SUB, REGION,
                Map.of("resource_group", "images", "gallery", "g")), "x")).hasMessageContaining(
                        "options 'gallery' and 'gallery_image' go together");
    }

    @Test
    void packer_gets_where_to_build_and_how_fast_to_poll_and_no_secret() {
        start();
        Map<String, String> env = provider.packerEnv(TARGET, Budget.UNLIMITED);
        assertThat(env).containsEntry("KILN_AZURE_SUBSCRIPTION", SUB).containsEntry("KILN_AZURE_REGION", REGION)
                .containsEntry("KILN_AZURE_RESOURCE_GROUP", "images").containsEntry("KILN_AZURE_POLL_SECONDS", "0")
                .containsEntry("KILN_AZURE_ENDPOINT", arm.endpoint().toString());
        assertThat(env.keySet()).noneMatch(k -> k.contains("SECRET") || k.contains("TOKEN") || k.contains("PASSWORD"));
        assertThat(provider.packerEnv(TARGET, new Budget(4, 0.5))).containsEntry("KILN_AZURE_POLL_SECONDS", "30");
        assertThat(provider.packerEnv(TARGET, new Budget(4, 1.0))).containsEntry("KILN_AZURE_POLL_SECONDS", "0");
    }

    @Test
    void calls_before_start_say_how_to_start_the_provider() {
        AzureProvider unstarted = AzureProvider.builder().endpoint(java.net.URI.create("http://127.0.0.1:9")).build();
        assertThatThrownBy(() -> unstarted.probeQuotas(TARGET)).isInstanceOf(KilnException.class)
                .hasMessageContaining("was not started");
    }
}
