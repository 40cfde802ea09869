package dev.kiln.emulators.gcp;

import static dev.kiln.emulators.gcp.GceWorld.URL_PREFIX;
import static dev.kiln.emulators.gcp.GceWorld.diskUrl;
import static dev.kiln.emulators.gcp.GceWorld.fields;
import static dev.kiln.emulators.gcp.GceWorld.fingerprint;
import static dev.kiln.emulators.gcp.GceWorld.imageUrl;
import static dev.kiln.emulators.gcp.GceWorld.instanceKey;
import static dev.kiln.emulators.gcp.GceWorld.labels;
import static dev.kiln.emulators.gcp.GceWorld.path;
import static dev.kiln.emulators.gcp.GceWorld.requireName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.gcp.GceResources.Disk;
import dev.kiln.emulators.gcp.GceResources.Image;
import dev.kiln.emulators.gcp.GceResources.Instance;
import dev.kiln.emulators.gcp.GceResources.Operation;
import dev.kiln.emulators.gcp.GceResources.Project;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compute Engine's images: inserted from a disk or another image under the IMAGES quota,
 * PENDING until READY, found by family, relabelled, deleted; public images in
 * {@code debian-cloud} and {@code ubuntu-os-cloud}. Called under the world's lock.
 */
final class Images {

    private static final Pattern IMAGE_REF = Pattern.compile(URL_PREFIX
            + "(?:projects/([^/]+)/)?global/images/(family/)?([^/]+)");
    private static final Pattern FAMILY_VIEW_REF = Pattern.compile(URL_PREFIX
            + "projects/([^/]+)/zones/([^/]+)/imageFamilyViews/([^/]+)");

    private final GceWorld world;
    private final Quotas quotas;

    Images(GceWorld world, Quotas quotas) {
        this.world = world;
        this.quotas = quotas;
    }

    GceWorld.Inserted insert(String project, JsonNode body, boolean forceCreate) {
        world.tick();
        Project p = world.writable(project);
        String name = requireName(body, "resource.name");
        if (p.images.containsKey(name)) {
            throw GceError.alreadyExists(path(project, "global/images/" + name));
        }
        Map<String, String> labels = labels(body.path("labels"), "resource.labels");
        String sourceDisk = body.path("sourceDisk").asText(null);
        String sourceImage = body.path("sourceImage").asText(null);
        long size;
        String sourceLink = null;
        if (sourceDisk != null) {
            Matcher m = Pattern.compile(URL_PREFIX + "(?:projects/([^/]+)/)?zones/([^/]+)/disks/([^/]+)").matcher(sourceDisk);
            if (!m.matches()) {
                throw GceError.invalid("Invalid value for field 'resource.sourceDisk': '" + sourceDisk
                        + "'. The URL is malformed.");
            }
            String diskProject = m.group(1) == null ? project : m.group(1);
            Disk d = world.disk(diskProject, m.group(2), m.group(3));
            if (d.user != null && !forceCreate) {
                Instance user = world.project(diskProject).instances.get(instanceKey(d.zone, d.user));
                if (user != null && !user.status(world.nanos()).equals("TERMINATED")) {
                    throw GceError.inUse(path(diskProject, "zones/" + d.zone + "/disks/" + d.name),
                            path(diskProject, "zones/" + d.zone + "/instances/" + d.user));
                }
            }
            size = d.sizeGb;
            sourceLink = diskUrl(diskProject, d.zone, d.name);
        } else if (sourceImage != null) {
            Image src = resolve(project, sourceImage);
            size = src.diskSizeGb;
        } else {
            throw GceError.invalid("Invalid value for field 'resource': ''. Exactly one of sourceDisk, sourceImage,"
                    + " sourceSnapshot or rawDisk.source must be specified.");
        }
        String link = imageUrl(project, name);
        String problem = quotas.problem(p, null, Map.of("IMAGES", 1.0));
        if (problem != null) {
            return new GceWorld.Inserted(world.failed(p, "global", "", "insert", link, problem, null), true);
        }
        long done = world.changeDone(world.config.delays().imageCreate());
        Image img = new Image(project, name, world.newId(), body.path("family").asText(null), size, sourceLink,
                body.path("description").asText(""), world.now(), done, labels);
        p.images.put(name, img);
        quotas.notePeaks(p, null);
        return new GceWorld.Inserted(world.operation(p, "global", "", "insert", link, img.id, done), false);
    }

    /** The newest usable image of {@code family}, as {@code images.getFromFamily} answers. */
    Image fromFamily(String project, String family) {
        world.tick();
        long now = world.nanos();
        Image newest = null;
        for (Image img : world.project(project).images.values()) {
            if (family.equals(img.family) && img.status(now).equals("READY")
                    && (newest == null || !img.created.isBefore(newest.created))) {
                newest = img;
            }
        }
        if (newest == null) {
            throw GceError.notFound(path(project, "global/images/family/" + family));
        }
        return newest;
    }

    List<ObjectNode> list(String project, Predicate<Function<String, String>> filter) {
        world.tick();
        List<ObjectNode> out = new ArrayList<>();
        for (Image img : world.project(project).images.values()) {
            ObjectNode n = render(img);
            if (filter.test(fields(n))) {
                out.add(n);
            }
        }
        return out;
    }

    Operation delete(String project, String name) {
        Image img = world.image(project, name);
        Project p = world.writable(project);
        if (img.deleteAt < 0) {
            img.deleteAt = world.changeDone(world.config.delays().otherChange());
        }
        return world.operation(p, "global", "", "delete", imageUrl(project, name), img.id, img.deleteAt);
    }

    Operation setLabels(String project, String name, JsonNode body) {
        Image img = world.image(project, name);
        Project p = world.writable(project);
        img.labels = GceWorld.relabel(img.labels, body);
        return world.operation(p, "global", "", "setLabels", imageUrl(project, name), img.id,
                world.changeDone(world.config.delays().otherChange()));
    }

    /**
     * An image reference as {@code sourceImage} takes it: {@code projects/P/global/images/N},
     * {@code projects/P/global/images/family/F}, {@code projects/P/zones/Z/imageFamilyViews/F} (what
     * {@code gcloud --image-family} sends, Z may be {@code -}), each with or without a URL before
     * it, or {@code global/images/N} in the calling project.
     */
    Image resolve(String project, String ref) {
        Matcher m = IMAGE_REF.matcher(ref);
        if (m.matches()) {
            String imageProject = m.group(1) == null ? project : m.group(1);
            return m.group(2) != null ? fromFamily(imageProject, m.group(3)) : world.image(imageProject, m.group(3));
        }
        Matcher view = FAMILY_VIEW_REF.matcher(ref);
        if (view.matches()) {
            String zone = view.group(2);
            if (!zone.equals("-") && !world.config.knowsZone(zone)) {
                throw GceError.notFound(path(view.group(1), "zones/" + zone));
            }
            return fromFamily(view.group(1), view.group(3));
        }
        throw GceError.invalid("Invalid value for field 'sourceImage': '" + ref + "'. The URL is malformed.");
    }

    /** {@code imageFamilyViews.get}: the family's newest image, under {@code image}. */
    ObjectNode familyView(String project, String family) {
        ObjectNode n = world.json.createObjectNode();
        n.set("image", render(fromFamily(project, family)));
        return n;
    }

    ObjectNode render(Image img) {
        ObjectNode n = world.json.createObjectNode()
                .put("kind", "compute#image")
                .put("id", Long.toString(img.id))
                .put("creationTimestamp", world.timestamp(img.created))
                .put("name", img.name)
                .put("description", img.description == null ? "" : img.description)
                .put("sourceType", "RAW")
                .put("status", img.status(world.nanos()))
                .put("archiveSizeBytes", Long.toString(img.diskSizeGb * 300_000_000L))
                .put("diskSizeGb", Long.toString(img.diskSizeGb))
                .put("labelFingerprint", fingerprint(img.labels))
                .put("selfLink", imageUrl(img.project, img.name));
        if (img.family != null) {
            n.put("family", img.family);
        }
        if (img.sourceDisk != null) {
            n.put("sourceDisk", img.sourceDisk);
        }
        n.set("labels", world.json.valueToTree(new TreeMap<>(img.labels)));
        n.putArray("storageLocations").add("us");
        return n;
    }
}
