package dev.kiln.emulators.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.compute.v1.AccessConfig;
import com.google.cloud.compute.v1.AggregatedListInstancesRequest;
import com.google.cloud.compute.v1.AttachedDisk;
import com.google.cloud.compute.v1.AttachedDiskInitializeParams;
import com.google.cloud.compute.v1.Disk;
import com.google.cloud.compute.v1.Image;
import com.google.cloud.compute.v1.InsertImageRequest;
import com.google.cloud.compute.v1.InsertInstanceRequest;
import com.google.cloud.compute.v1.Instance;
import com.google.cloud.compute.v1.InstancesScopedList;
import com.google.cloud.compute.v1.ListInstancesRequest;
import com.google.cloud.compute.v1.NetworkInterface;
import com.google.cloud.compute.v1.Operation;
import com.google.cloud.compute.v1.Project;
import com.google.cloud.compute.v1.Quota;
import com.google.cloud.compute.v1.Region;
import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official google-cloud-compute client round-trips every resource the emulator keeps: quotas
 * from regions and the project, instances through their states, disks, images from a disk,
 * operations in every scope, label filters, aggregated lists and paging. Virtual time moves the
 * operations, so every state is seen on purpose.
 */
class GceRoundTripTest {

    private static final String P = "kiln-test";
    private static final String ZONE = "us-east1-b";

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
    private GceEmulator gce;
    private Sdk sdk;

    @BeforeEach
    void start() {
        gce = GceEmulator.builder().timeSource(time).regionQuota("CPUS", 8).start();
        sdk = new Sdk(gce);
    }

    @AfterEach
    void stop() {
        sdk.close();
        gce.close();
    }

    static Instance buildInstance(String name, String machineType, String buildId) {
        return Instance.newBuilder()
                .setName(name)
                .setMachineType("zones/" + ZONE + "/machineTypes/" + machineType)
                .putLabels("kiln-build-id", buildId)
                .addDisks(AttachedDisk.newBuilder().setBoot(true).setAutoDelete(false)
                        .setInitializeParams(AttachedDiskInitializeParams.newBuilder()
                                .setSourceImage("projects/debian-cloud/global/images/family/debian-12")
                                .setDiskSizeGb(10)
                                .putLabels("kiln-build-id", buildId)))
                .addNetworkInterfaces(NetworkInterface.newBuilder().setNetwork("global/networks/default")
                        .addAccessConfigs(AccessConfig.newBuilder().setName("External NAT").setType("ONE_TO_ONE_NAT")))
                .build();
    }

    private Operation insert(String name, String machineType, String buildId) {
        return sdk.instances.insertCallable().call(InsertInstanceRequest.newBuilder().setProject(P).setZone(ZONE)
                .setInstanceResource(buildInstance(name, machineType, buildId)).build());
    }

    private static double quota(List<Quota> quotas, String metric, boolean usage) {
        Quota q = quotas.stream().filter(x -> x.getMetric().equals(metric)).findFirst().orElseThrow();
        return usage ? q.getUsage() : q.getLimit();
    }

    @Test
    void regionsAndTheProjectAnswerTheirQuotasWithLiveUsage() {
        Region region = sdk.regions.get(P, "us-east1");
        assertThat(region.getName()).isEqualTo("us-east1");
        assertThat(region.getZonesList()).anyMatch(z -> z.endsWith("/zones/us-east1-b"));
        assertThat(region.getQuotasList()).extracting(Quota::getMetric)
                .contains("CPUS", "N2_CPUS", "E2_CPUS", "INSTANCES", "DISKS_TOTAL_GB", "SSD_TOTAL_GB",
                        "IN_USE_ADDRESSES");
        assertThat(quota(region.getQuotasList(), "CPUS", false)).isEqualTo(8.0);
        assertThat(quota(region.getQuotasList(), "CPUS", true)).isZero();

        insert("builder-1", "n2-standard-4", "b-1");
        List<Quota> after = sdk.regions.get(P, "us-east1").getQuotasList();
        assertThat(quota(after, "CPUS", true)).isEqualTo(4.0);
        assertThat(quota(after, "N2_CPUS", true)).isEqualTo(4.0);
        assertThat(quota(after, "E2_CPUS", true)).isZero();
        assertThat(quota(after, "INSTANCES", true)).isEqualTo(1.0);
        assertThat(quota(after, "DISKS_TOTAL_GB", true)).isEqualTo(10.0);
        assertThat(quota(after, "IN_USE_ADDRESSES", true)).isEqualTo(1.0);
        assertThat(quota(sdk.regions.get(P, "us-west1").getQuotasList(), "CPUS", true)).isZero();

        Project project = sdk.projects.get(P);
        assertThat(project.getName()).isEqualTo(P);
        assertThat(project.getQuotasList()).extracting(Quota::getMetric)
                .contains("IMAGES", "CPUS_ALL_REGIONS", "SNAPSHOTS");
        assertThat(quota(project.getQuotasList(), "CPUS_ALL_REGIONS", true)).isEqualTo(4.0);
    }

    @Test
    void anInstanceMovesThroughItsStatesAndItsOperationThroughPendingRunningDone() {
        Operation op = insert("builder-1", "e2-standard-2", "b-1");
        assertThat(op.getStatus()).isEqualTo(Operation.Status.PENDING);
        assertThat(op.getOperationType()).isEqualTo("insert");
        assertThat(op.getZone()).endsWith("/zones/" + ZONE);
        assertThat(op.getTargetLink()).endsWith("/projects/" + P + "/zones/" + ZONE + "/instances/builder-1");
        assertThat(sdk.instances.get(P, ZONE, "builder-1").getStatus()).isEqualTo("PROVISIONING");

        time.advance(Duration.ofMillis(200));
        assertThat(sdk.zoneOperations.get(P, ZONE, op.getName()).getStatus()).isEqualTo(Operation.Status.RUNNING);
        time.advance(Duration.ofMillis(500));
        assertThat(sdk.instances.get(P, ZONE, "builder-1").getStatus()).isEqualTo("STAGING");
        time.advance(Duration.ofMillis(500));
        Operation done = sdk.zoneOperations.get(P, ZONE, op.getName());
        assertThat(done.getStatus()).isEqualTo(Operation.Status.DONE);
        assertThat(done.hasError()).isFalse();

        Instance running = sdk.instances.get(P, ZONE, "builder-1");
        assertThat(running.getStatus()).isEqualTo("RUNNING");
        assertThat(running.getLabelsMap()).containsEntry("kiln-build-id", "b-1");
        assertThat(running.getMachineType()).endsWith("/machineTypes/e2-standard-2");
        assertThat(running.getDisks(0).getSource()).endsWith("/zones/" + ZONE + "/disks/builder-1");
        assertThat(running.getNetworkInterfaces(0).getAccessConfigs(0).getNatIP()).startsWith("34.");

        Operation stop = sdk.instances.stopCallable().call(com.google.cloud.compute.v1.StopInstanceRequest.newBuilder()
                .setProject(P).setZone(ZONE).setInstance("builder-1").build());
        assertThat(sdk.instances.get(P, ZONE, "builder-1").getStatus()).isEqualTo("STOPPING");
        time.advance(Duration.ofMillis(1200));
        assertThat(sdk.zoneOperations.get(P, ZONE, stop.getName()).getStatus()).isEqualTo(Operation.Status.DONE);
        assertThat(sdk.instances.get(P, ZONE, "builder-1").getStatus()).isEqualTo("TERMINATED");

        Operation delete = sdk.instances.deleteCallable().call(com.google.cloud.compute.v1.DeleteInstanceRequest
                .newBuilder().setProject(P).setZone(ZONE).setInstance("builder-1").build());
        assertThat(delete.getOperationType()).isEqualTo("delete");
        time.advance(Duration.ofMillis(1200));
        assertThatThrownBy(() -> sdk.instances.get(P, ZONE, "builder-1")).isInstanceOf(NotFoundException.class)
                .satisfies(e -> assertThat(Sdk.body(e)).contains("The resource"
                        + " 'projects/kiln-test/zones/us-east1-b/instances/builder-1' was not found"));
        Disk kept = sdk.disks.get(P, ZONE, "builder-1");
        assertThat(kept.getUsersList()).isEmpty();
        assertThat(kept.getLabelsMap()).containsEntry("kiln-build-id", "b-1");
    }

    @Test
    void anImageIsMadeFromAStoppedInstancesDiskAndIsPendingUntilItsGlobalOperationIsDone() {
        insert("builder-1", "e2-standard-2", "b-1");
        time.advance(Duration.ofSeconds(2));
        Image image = Image.newBuilder().setName("base-dev-1").setFamily("base")
                .setSourceDisk("projects/" + P + "/zones/" + ZONE + "/disks/builder-1")
                .putLabels("kiln-build-id", "b-1").build();
        assertThatThrownBy(() -> sdk.images.insertCallable().call(InsertImageRequest.newBuilder().setProject(P)
                .setImageResource(image).build())).isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(Sdk.body(e)).contains("\"reason\":\"resourceInUseByAnotherResource\"",
                        "The disk resource 'projects/kiln-test/zones/us-east1-b/disks/builder-1' is already being used"
                                + " by 'projects/kiln-test/zones/us-east1-b/instances/builder-1'"));

        sdk.instances.stopCallable().call(com.google.cloud.compute.v1.StopInstanceRequest.newBuilder()
                .setProject(P).setZone(ZONE).setInstance("builder-1").build());
        time.advance(Duration.ofSeconds(2));
        Operation op = sdk.images.insertCallable().call(InsertImageRequest.newBuilder().setProject(P)
                .setImageResource(image).build());
        assertThat(op.getZone()).isEmpty();
        assertThat(op.getSelfLink()).contains("/global/operations/");
        assertThat(sdk.images.get(P, "base-dev-1").getStatus()).isEqualTo("PENDING");
        time.advance(Duration.ofMillis(2300));
        assertThat(sdk.globalOperations.get(P, op.getName()).getStatus()).isEqualTo(Operation.Status.DONE);
        Image ready = sdk.images.get(P, "base-dev-1");
        assertThat(ready.getStatus()).isEqualTo("READY");
        assertThat(ready.getDiskSizeGb()).isEqualTo(10);
        assertThat(ready.getLabelsMap()).containsEntry("kiln-build-id", "b-1");
        assertThat(sdk.images.getFromFamily(P, "base").getName()).isEqualTo("base-dev-1");
        assertThat(sdk.images.getFromFamily("debian-cloud", "debian-12").getName())
                .isEqualTo("debian-12-bookworm-v20260114");
        assertThat(gce.projectQuotaUsage(P, "IMAGES")).isEqualTo(1.0);

        sdk.images.deleteCallable().call(com.google.cloud.compute.v1.DeleteImageRequest.newBuilder().setProject(P)
                .setImage("base-dev-1").build());
        assertThat(sdk.images.get(P, "base-dev-1").getStatus()).isEqualTo("DELETING");
        time.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> sdk.images.get(P, "base-dev-1")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void labelFiltersInEveryFormTheClientSendsAndAggregatedListsFindABuildsResources() {
        insert("builder-1", "e2-standard-2", "b-1");
        insert("builder-2", "e2-standard-2", "b-2");
        for (String filter : List.of("labels.kiln-build-id = \"b-1\"", "labels.kiln-build-id=b-1",
                "(labels.kiln-build-id = \"b-1\")", "labels.kiln-build-id eq 'b-1'",
                "labels.kiln-build-id:b-1 AND name != builder-2")) {
            List<Instance> found = new ArrayList<>();
            sdk.instances.list(ListInstancesRequest.newBuilder().setProject(P).setZone(ZONE).setFilter(filter).build())
                    .iterateAll().forEach(found::add);
            assertThat(found).as(filter).extracting(Instance::getName).containsExactly("builder-1");
        }

        var aggregated = sdk.instances.aggregatedList(AggregatedListInstancesRequest.newBuilder().setProject(P)
                .setFilter("labels.kiln-build-id = \"b-2\"").build());
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, InstancesScopedList> scope : aggregated.iterateAll()) {
            scope.getValue().getInstancesList().forEach(i -> names.add(scope.getKey() + "/" + i.getName()));
        }
        assertThat(names).containsExactly("zones/us-east1-b/builder-2");

        assertThat(gce.resourcesTagged("kiln-build-id", "b-1")).extracting(TaggedResource::type)
                .containsExactlyInAnyOrder("instance", "disk");
    }

    @Test
    void listsPageWithMaxResultsAndPageToken() {
        for (int i = 0; i < 5; i++) {
            insert("builder-" + i, "f1-micro", "b-" + i);
        }
        var page = sdk.instances.list(ListInstancesRequest.newBuilder().setProject(P).setZone(ZONE)
                .setMaxResults(2).build());
        assertThat(page.getPage().getResponse().getItemsCount()).isEqualTo(2);
        assertThat(page.getNextPageToken()).isNotEmpty();
        assertThat(StreamSupport.stream(page.iterateAll().spliterator(), false).map(Instance::getName))
                .containsExactly("builder-0", "builder-1", "builder-2", "builder-3", "builder-4");
    }

    @Test
    void anInsertOverTheCpuQuotaFailsItsOperationWithQuotaExceeded() {
        insert("builder-1", "e2-standard-4", "b-1");
        insert("builder-2", "e2-standard-4", "b-2");
        Operation op = insert("builder-3", "e2-standard-4", "b-3");
        time.advance(Duration.ofSeconds(1));
        Operation done = sdk.zoneOperations.get(P, ZONE, op.getName());
        assertThat(done.getStatus()).isEqualTo(Operation.Status.DONE);
        assertThat(done.getHttpErrorStatusCode()).isEqualTo(403);
        assertThat(done.getError().getErrors(0).getCode()).isEqualTo("QUOTA_EXCEEDED");
        assertThat(done.getError().getErrors(0).getMessage())
                .isEqualTo("Quota 'CPUS' exceeded. Limit: 8.0 in region us-east1.");
        assertThatThrownBy(() -> sdk.instances.get(P, ZONE, "builder-3")).isInstanceOf(NotFoundException.class);
        assertThat(gce.counters().of("instances.insert")).isEqualTo(new ActionCounts(3, 0, 1, 0, 0));
        assertThat(gce.peakQuotaUsage(P, "us-east1", "CPUS")).isEqualTo(8.0);
        assertThat(gce.calls()).extracting(ApiCall::errorCode).contains("QUOTA_EXCEEDED");
    }

    @Test
    void waitReturnsTheOperationOnceItIsDone() {
        try (GceEmulator real = GceEmulator.builder().delays(GceDelays.uniform(Duration.ofMillis(300))).start();
                Sdk client = new Sdk(real)) {
            Operation op = client.instances.insertCallable().call(InsertInstanceRequest.newBuilder().setProject(P)
                    .setZone(ZONE).setInstanceResource(buildInstance("builder-1", "e2-micro", "b-1")).build());
            Operation done = client.zoneOperations.wait(P, ZONE, op.getName());
            assertThat(done.getStatus()).isEqualTo(Operation.Status.DONE);
            assertThat(client.instances.get(P, ZONE, "builder-1").getStatus()).isEqualTo("RUNNING");
            assertThat(real.counters().of("zoneOperations.wait").calls()).isEqualTo(1);
        }
    }

    @Test
    void machineTypesAndZonesAreAnswered() {
        assertThat(sdk.machineTypes.get(P, ZONE, "n2-standard-8").getGuestCpus()).isEqualTo(8);
        assertThat(sdk.zones.get(P, ZONE).getRegion()).endsWith("/regions/us-east1");
        assertThatThrownBy(() -> sdk.machineTypes.get(P, ZONE, "n9-huge-1")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> sdk.zones.get(P, "mars-north1-a")).isInstanceOf(NotFoundException.class);
        assertThat(gce.unknownRoutes()).isEmpty();
    }
}
