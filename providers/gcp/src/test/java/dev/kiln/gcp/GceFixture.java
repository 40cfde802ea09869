package dev.kiln.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.cloud.compute.v1.AccessConfig;
import com.google.cloud.compute.v1.AttachedDisk;
import com.google.cloud.compute.v1.AttachedDiskInitializeParams;
import com.google.cloud.compute.v1.Disk;
import com.google.cloud.compute.v1.DisksClient;
import com.google.cloud.compute.v1.DisksScopedList;
import com.google.cloud.compute.v1.DisksSettings;
import com.google.cloud.compute.v1.GlobalOperationsClient;
import com.google.cloud.compute.v1.GlobalOperationsSettings;
import com.google.cloud.compute.v1.Image;
import com.google.cloud.compute.v1.ImagesClient;
import com.google.cloud.compute.v1.ImagesSettings;
import com.google.cloud.compute.v1.InsertDiskRequest;
import com.google.cloud.compute.v1.InsertImageRequest;
import com.google.cloud.compute.v1.InsertInstanceRequest;
import com.google.cloud.compute.v1.Instance;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.InstancesSettings;
import com.google.cloud.compute.v1.NetworkInterface;
import com.google.cloud.compute.v1.Operation;
import com.google.cloud.compute.v1.ZoneOperationsClient;
import com.google.cloud.compute.v1.ZoneOperationsSettings;
import dev.kiln.emulators.gcp.GceEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Test fixtures made through the official client against an emulator, the way packer's
 * googlecompute builder makes them: instances with a boot disk that outlives them, standalone
 * disks, images from a public image. Waits use the operations' {@code wait} method.
 */
final class GceFixture implements AutoCloseable {

    private final InstancesClient instances;
    private final DisksClient disks;
    private final ImagesClient images;
    private final ZoneOperationsClient zoneOps;
    private final GlobalOperationsClient globalOps;

    GceFixture(GceEmulator emulator) {
        String endpoint = emulator.endpoint().toString();
        try {
            instances = InstancesClient.create(InstancesSettings.newBuilder().setEndpoint(endpoint)
                    .setCredentialsProvider(NoCredentialsProvider.create()).build());
            disks = DisksClient.create(DisksSettings.newBuilder().setEndpoint(endpoint)
                    .setCredentialsProvider(NoCredentialsProvider.create()).build());
            images = ImagesClient.create(ImagesSettings.newBuilder().setEndpoint(endpoint)
                    .setCredentialsProvider(NoCredentialsProvider.create()).build());
            zoneOps = ZoneOperationsClient.create(ZoneOperationsSettings.newBuilder().setEndpoint(endpoint)
                    .setCredentialsProvider(NoCredentialsProvider.create()).build());
            globalOps = GlobalOperationsClient.create(GlobalOperationsSettings.newBuilder().setEndpoint(endpoint)
                    .setCredentialsProvider(NoCredentialsProvider.create()).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An instance as packer's googlecompute makes one: labelled, its boot disk unlabelled and kept on delete. */
    Operation instance(String project, String zone, String name, String machineType, String buildId) {
        return instance(project, zone, name, machineType, Map.of(GcpProvider.BUILD_ID_LABEL, buildId));
    }

    /** As {@link #instance(String, String, String, String, String)}, with these labels (a template's {@code labels}). */
    Operation instance(String project, String zone, String name, String machineType, Map<String, String> labels) {
        Instance instance = Instance.newBuilder()
                .setName(name)
                .setMachineType("zones/" + zone + "/machineTypes/" + machineType)
                .putAllLabels(labels)
                .addDisks(AttachedDisk.newBuilder().setBoot(true).setAutoDelete(false)
                        .setInitializeParams(AttachedDiskInitializeParams.newBuilder()
                                .setSourceImage("projects/debian-cloud/global/images/family/debian-12")))
                .addNetworkInterfaces(NetworkInterface.newBuilder().setNetwork("global/networks/default")
                        .addAccessConfigs(AccessConfig.newBuilder().setName("External NAT").setType("ONE_TO_ONE_NAT")))
                .build();
        return instances.insertCallable().call(InsertInstanceRequest.newBuilder().setProject(project).setZone(zone)
                .setInstanceResource(instance).build());
    }

    Operation disk(String project, String zone, String name, String buildId) {
        return disk(project, zone, name, Map.of(GcpProvider.BUILD_ID_LABEL, buildId));
    }

    Operation disk(String project, String zone, String name, Map<String, String> labels) {
        return disks.insertCallable().call(InsertDiskRequest.newBuilder().setProject(project).setZone(zone)
                .setDiskResource(Disk.newBuilder().setName(name).setSizeGb(10).putAllLabels(labels)).build());
    }

    /** Names ({@code zone/name}) of the project's disks whose name contains {@code part}, labelled or not. */
    Set<String> disksNamedLike(String project, String part) {
        Set<String> out = new TreeSet<>();
        for (Map.Entry<String, DisksScopedList> scope : disks.aggregatedList(project).iterateAll()) {
            for (Disk d : scope.getValue().getDisksList()) {
                if (d.getName().contains(part)) {
                    out.add(scope.getKey().substring(scope.getKey().lastIndexOf('/') + 1) + "/" + d.getName());
                }
            }
        }
        return out;
    }

    /** An image from Debian's public image, labelled with {@code buildId} (no label when null). */
    Operation image(String project, String name, String buildId) {
        return labelledImage(project, name, buildId == null ? Map.of() : Map.of(GcpProvider.BUILD_ID_LABEL, buildId));
    }

    /** An image from Debian's public image with these labels (a template's {@code image_labels}). */
    Operation labelledImage(String project, String name, Map<String, String> labels) {
        Image.Builder image = Image.newBuilder().setName(name)
                .setSourceImage("projects/debian-cloud/global/images/family/debian-12").putAllLabels(labels);
        return images.insertCallable().call(InsertImageRequest.newBuilder().setProject(project)
                .setImageResource(image).build());
    }

    /** Waits until {@code op} is DONE ({@code wait} answers after at most two minutes, so it may take several). */
    Operation await(String project, Operation op) {
        Operation now = op;
        while (now.getStatus() != Operation.Status.DONE) {
            if (!op.getZone().isEmpty()) {
                String zone = op.getZone().substring(op.getZone().lastIndexOf('/') + 1);
                now = zoneOps.wait(project, zone, op.getName());
            } else {
                now = globalOps.wait(project, op.getName());
            }
        }
        return now;
    }

    Image getImage(String project, String name) {
        return images.get(project, name);
    }

    @Override
    public void close() {
        instances.close();
        disks.close();
        images.close();
        zoneOps.close();
        globalOps.close();
    }
}
