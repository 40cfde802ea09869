package dev.kiln.emulators.gcp;

import static dev.kiln.emulators.gcp.GceWorld.diskKey;
import static dev.kiln.emulators.gcp.GceWorld.diskUrl;
import static dev.kiln.emulators.gcp.GceWorld.fields;
import static dev.kiln.emulators.gcp.GceWorld.fingerprint;
import static dev.kiln.emulators.gcp.GceWorld.imageUrl;
import static dev.kiln.emulators.gcp.GceWorld.instanceUrl;
import static dev.kiln.emulators.gcp.GceWorld.labels;
import static dev.kiln.emulators.gcp.GceWorld.lastSegment;
import static dev.kiln.emulators.gcp.GceWorld.path;
import static dev.kiln.emulators.gcp.GceWorld.requireName;
import static dev.kiln.emulators.gcp.GceWorld.zoneUrl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.gcp.GceResources.Disk;
import dev.kiln.emulators.gcp.GceResources.Image;
import dev.kiln.emulators.gcp.GceResources.Operation;
import dev.kiln.emulators.gcp.GceResources.Project;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Compute Engine's persistent disks: inserted under the disk quotas, relabelled, deleted once no
 * instance uses them. Called under the world's lock.
 */
final class Disks {

    private final GceWorld world;
    private final Quotas quotas;
    private final Images images;

    Disks(GceWorld world, Quotas quotas, Images images) {
        this.world = world;
        this.quotas = quotas;
        this.images = images;
    }

    /** {@code disks.insert}: the image comes from the body's {@code sourceImage} or the query's, {@code queryImage}. */
    GceWorld.Inserted insert(String project, String zone, JsonNode body, String queryImage) {
        world.tick();
        Project p = world.writable(project);
        String name = requireName(body, "resource.name");
        if (p.disks.containsKey(diskKey(zone, name))) {
            throw GceError.alreadyExists(path(project, "zones/" + zone + "/disks/" + name));
        }
        String sourceImage = queryImage != null && !queryImage.isEmpty() ? queryImage
                : body.path("sourceImage").asText(null);
        Image image = sourceImage == null ? null : images.resolve(project, sourceImage);
        long size = body.hasNonNull("sizeGb") ? body.get("sizeGb").asLong() : image != null ? image.diskSizeGb : 500;
        String diskType = lastSegment(body.path("type").asText("pd-standard"));
        long done = world.changeDone(world.config.delays().otherChange());
        Disk d = new Disk(project, zone, name, world.newId(), size, diskType,
                image == null ? null : imageUrl(image.project, image.name), world.now(), done,
                labels(body.path("labels"), "resource.labels"));
        String region = GceConfig.regionOf(zone);
        String problem = quotas.problem(p, region, Map.of(d.ssd() ? "SSD_TOTAL_GB" : "DISKS_TOTAL_GB", (double) size));
        String link = diskUrl(project, zone, name);
        if (problem != null) {
            return new GceWorld.Inserted(world.failed(p, "zones", zone, "insert", link, problem, region), true);
        }
        p.disks.put(diskKey(zone, name), d);
        quotas.notePeaks(p, region);
        return new GceWorld.Inserted(world.operation(p, "zones", zone, "insert", link, d.id, done), false);
    }

    List<ObjectNode> list(String project, String zone, Predicate<Function<String, String>> filter) {
        world.tick();
        List<ObjectNode> out = new ArrayList<>();
        for (Disk d : world.project(project).disks.values()) {
            if (zone == null || d.zone.equals(zone)) {
                ObjectNode n = render(d);
                if (filter.test(fields(n))) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    Operation delete(String project, String zone, String name) {
        Disk d = world.disk(project, zone, name);
        Project p = world.writable(project);
        if (d.user != null) {
            throw GceError.inUse(path(project, "zones/" + zone + "/disks/" + name),
                    path(project, "zones/" + zone + "/instances/" + d.user));
        }
        if (d.deleteAt < 0) {
            d.deleteAt = world.changeDone(world.config.delays().otherChange());
        }
        return world.operation(p, "zones", zone, "delete", diskUrl(project, zone, name), d.id, d.deleteAt);
    }

    Operation setLabels(String project, String zone, String name, JsonNode body) {
        Disk d = world.disk(project, zone, name);
        Project p = world.writable(project);
        d.labels = GceWorld.relabel(d.labels, body);
        return world.operation(p, "zones", zone, "setLabels", diskUrl(project, zone, name), d.id,
                world.changeDone(world.config.delays().otherChange()));
    }

    ObjectNode render(Disk d) {
        ObjectNode n = world.json.createObjectNode()
                .put("kind", "compute#disk")
                .put("id", Long.toString(d.id))
                .put("creationTimestamp", world.timestamp(d.created))
                .put("name", d.name)
                .put("sizeGb", Long.toString(d.sizeGb))
                .put("zone", zoneUrl(d.project, d.zone))
                .put("status", d.status(world.nanos()))
                .put("type", zoneUrl(d.project, d.zone) + "/diskTypes/" + d.type)
                .put("labelFingerprint", fingerprint(d.labels))
                .put("selfLink", diskUrl(d.project, d.zone, d.name));
        if (d.sourceImage != null) {
            n.put("sourceImage", d.sourceImage);
        }
        n.set("labels", world.json.valueToTree(new TreeMap<>(d.labels)));
        if (d.user != null) {
            n.putArray("users").add(instanceUrl(d.project, d.zone, d.user));
        }
        return n;
    }
}
