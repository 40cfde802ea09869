package dev.kiln.gcp.internal;

import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.compute.v1.AggregatedListDisksRequest;
import com.google.cloud.compute.v1.AggregatedListInstancesRequest;
import com.google.cloud.compute.v1.AttachedDisk;
import com.google.cloud.compute.v1.DeleteDiskRequest;
import com.google.cloud.compute.v1.DeleteImageRequest;
import com.google.cloud.compute.v1.DeleteInstanceRequest;
import com.google.cloud.compute.v1.Disk;
import com.google.cloud.compute.v1.DiskAggregatedList;
import com.google.cloud.compute.v1.DisksScopedList;
import com.google.cloud.compute.v1.Image;
import com.google.cloud.compute.v1.ImageList;
import com.google.cloud.compute.v1.Instance;
import com.google.cloud.compute.v1.InstanceAggregatedList;
import com.google.cloud.compute.v1.InstancesScopedList;
import com.google.cloud.compute.v1.ListImagesRequest;
import com.google.cloud.compute.v1.Operation;
import dev.kiln.KilnException;
import dev.kiln.plan.Target;
import dev.kiln.spi.Expiry;
import dev.kiln.spi.SweepReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what a build left behind, found by its {@code kiln-build-id} label anywhere in the
 * target's project (or what any build left, found by a {@code kiln-expires-at} label that has
 * passed): instances first (waiting on their zone operations), then disks, labelled ones and the
 * non-auto-delete disks those instances had attached (packer's googlecompute boot disk carries no
 * labels of its own), then images the build left {@code PENDING} or {@code FAILED} (waiting on
 * global operations). {@code READY} images are kept: a finished image is never thrown away by a
 * sweep; an expiry sweep keeps every image.
 */
public final class Sweeper {

    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

    private final ComputeClients clients;
    private final Calls calls;
    private final Operations operations;

    public Sweeper(ComputeClients clients, Calls calls, Operations operations) {
        this.clients = clients;
        this.calls = calls;
        this.operations = operations;
    }

    /** What one sweep takes: the list filter that finds candidates, and the judge of each one's labels. */
    private interface Selection {
        String filter();

        /** Whether the resource goes; a problem with it goes to {@code failed}. */
        boolean take(String resource, Map<String, String> labels, List<String> failed);

        boolean deletesImages();

        String describe();
    }

    public SweepReport sweep(Target target, String buildId) {
        String filter = "labels." + Labels.BUILD_ID + " = \"" + buildId + "\"";
        return sweep(target, new Selection() {
            @Override
            public String filter() {
                return filter;
            }

            @Override
            public boolean take(String resource, Map<String, String> labels, List<String> failed) {
                return true;
            }

            @Override
            public boolean deletesImages() {
                return true;
            }

            @Override
            public String describe() {
                return "build " + buildId;
            }
        });
    }

    /** As {@link #sweep(Target, String)}, for everything whose expiry label is before {@code now}; images stay. */
    public SweepReport sweepExpired(Target target, Instant now) {
        return sweep(target, new Selection() {
            @Override
            public String filter() {
                return "labels." + Labels.EXPIRES_AT + ":*";
            }

            @Override
            public boolean take(String resource, Map<String, String> labels, List<String> failed) {
                String value = labels.get(Labels.EXPIRES_AT);
                return switch (Expiry.judge(value, now)) {
                    case EXPIRED -> true;
                    case NOT_YET -> false;
                    case NOT_AN_EXPIRY -> {
                        failed.add(Expiry.notAnExpiry(resource, Labels.EXPIRES_AT, value));
                        yield false;
                    }
                };
            }

            @Override
            public boolean deletesImages() {
                return false;
            }

            @Override
            public String describe() {
                return "resources expired before " + now;
            }
        });
    }

    private SweepReport sweep(Target target, Selection selection) {
        String project = target.account();
        String filter = selection.filter();
        List<String> deleted = new ArrayList<>();
        List<String> failed = new ArrayList<>();

        Map<Operation, String> instanceOps = new LinkedHashMap<>();
        Set<String> attached = new LinkedHashSet<>();
        for (Instance i : instances(target, filter)) {
            String zone = Operations.lastSegment(i.getZone());
            String what = "instance/" + zone + "/" + i.getName();
            if (!selection.take(what, i.getLabelsMap(), failed)) {
                continue;
            }
            for (AttachedDisk d : i.getDisksList()) {
                if (!d.getAutoDelete() && !d.getSource().isEmpty()) {
                    attached.add(zone + "/" + Operations.lastSegment(d.getSource()));
                }
            }
            start(instanceOps, failed, what, () -> calls.call(target, "write", "instances.delete",
                    () -> clients.instances().deleteCallable().call(DeleteInstanceRequest.newBuilder()
                            .setProject(project).setZone(zone).setInstance(i.getName()).build())));
        }
        finish(target, instanceOps, deleted, failed);

        Map<Operation, String> diskOps = new LinkedHashMap<>();
        Set<String> disks = new LinkedHashSet<>();
        for (Disk d : disks(target, filter)) {
            String zoneAndName = Operations.lastSegment(d.getZone()) + "/" + d.getName();
            if (selection.take("disk/" + zoneAndName, d.getLabelsMap(), failed)) {
                disks.add(zoneAndName);
            }
        }
        disks.addAll(attached);
        for (String zoneAndName : disks) {
            String zone = zoneAndName.substring(0, zoneAndName.indexOf('/'));
            String name = zoneAndName.substring(zoneAndName.indexOf('/') + 1);
            start(diskOps, failed, "disk/" + zoneAndName, () -> calls.call(target, "write", "disks.delete",
                    () -> clients.disks().deleteCallable().call(DeleteDiskRequest.newBuilder()
                            .setProject(project).setZone(zone).setDisk(name).build())));
        }
        finish(target, diskOps, deleted, failed);

        Map<Operation, String> imageOps = new LinkedHashMap<>();
        List<Image> images = images(target, filter);
        if (!selection.deletesImages()) {
            if (!images.isEmpty()) {
                LOG.info("kept images {} of project {} although their {} label has passed or is unreadable: an"
                        + " expiry sweep never deletes images (put it in labels, not image_labels)",
                        images.stream().map(Image::getName).toList(), project, Labels.EXPIRES_AT);
            }
            images = List.of();
        }
        for (Image img : images) {
            if (img.getStatus().equals("READY")) {
                continue;
            }
            start(imageOps, failed, "image/" + img.getName(), () -> calls.call(target, "global.write",
                    "images.delete", () -> clients.images().deleteCallable().call(DeleteImageRequest.newBuilder()
                            .setProject(project).setImage(img.getName()).build())));
        }
        finish(target, imageOps, deleted, failed);
        if (!deleted.isEmpty() || !failed.isEmpty()) {
            LOG.info("swept {} in project {}: deleted {}{}", selection.describe(), project, deleted,
                    failed.isEmpty() ? "" : ", could not delete " + failed);
        }
        return new SweepReport(deleted, failed);
    }

    /** Starts one deletion; a resource already gone is no failure and nothing deleted. */
    private static void start(Map<Operation, String> ops, List<String> failed, String what,
            Supplier<Operation> delete) {
        try {
            ops.put(delete.get(), what);
        } catch (NotFoundException gone) {
            // Deleted meanwhile (by packer's own cleanup, or an earlier sweep): nothing to do.
        } catch (KilnException e) {
            failed.add(what + ": " + e.getMessage());
        }
    }

    private void finish(Target target, Map<Operation, String> ops, List<String> deleted, List<String> failed) {
        if (ops.isEmpty()) {
            return;
        }
        Map<Operation, String> outcome;
        try {
            outcome = operations.awaitAll(target, List.copyOf(ops.keySet()));
        } catch (KilnException e) {
            ops.values().forEach(what -> failed.add(what + ": " + e.getMessage()));
            return;
        }
        outcome.forEach((op, error) -> {
            String what = ops.get(op);
            if (error == null) {
                deleted.add(what);
            } else {
                failed.add(what + ": " + error);
            }
        });
    }

    private List<Instance> instances(Target target, String filter) {
        List<Instance> out = new ArrayList<>();
        String token = "";
        do {
            String page = token;
            InstanceAggregatedList list = calls.call(target, "aggregated.list", "instances.aggregatedList",
                    () -> clients.instances().aggregatedListCallable().call(AggregatedListInstancesRequest
                            .newBuilder().setProject(target.account()).setFilter(filter).setPageToken(page).build()));
            for (InstancesScopedList scope : list.getItemsMap().values()) {
                out.addAll(scope.getInstancesList());
            }
            token = list.getNextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    private List<Disk> disks(Target target, String filter) {
        List<Disk> out = new ArrayList<>();
        String token = "";
        do {
            String page = token;
            DiskAggregatedList list = calls.call(target, "aggregated.list", "disks.aggregatedList",
                    () -> clients.disks().aggregatedListCallable().call(AggregatedListDisksRequest.newBuilder()
                            .setProject(target.account()).setFilter(filter).setPageToken(page).build()));
            for (DisksScopedList scope : list.getItemsMap().values()) {
                out.addAll(scope.getDisksList());
            }
            token = list.getNextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    private List<Image> images(Target target, String filter) {
        List<Image> out = new ArrayList<>();
        String token = "";
        do {
            String page = token;
            ImageList list = calls.call(target, "read", "images.list", () -> clients.images().listCallable()
                    .call(ListImagesRequest.newBuilder().setProject(target.account()).setFilter(filter)
                            .setPageToken(page).build()));
            out.addAll(list.getItemsList());
            token = list.getNextPageToken();
        } while (!token.isEmpty());
        return out;
    }
}
