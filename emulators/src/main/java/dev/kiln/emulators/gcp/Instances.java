package dev.kiln.emulators.gcp;

import static dev.kiln.emulators.gcp.GceWorld.BASE;
import static dev.kiln.emulators.gcp.GceWorld.diskKey;
import static dev.kiln.emulators.gcp.GceWorld.diskUrl;
import static dev.kiln.emulators.gcp.GceWorld.fields;
import static dev.kiln.emulators.gcp.GceWorld.fingerprint;
import static dev.kiln.emulators.gcp.GceWorld.imageUrl;
import static dev.kiln.emulators.gcp.GceWorld.instanceKey;
import static dev.kiln.emulators.gcp.GceWorld.instanceUrl;
import static dev.kiln.emulators.gcp.GceWorld.labels;
import static dev.kiln.emulators.gcp.GceWorld.lastSegment;
import static dev.kiln.emulators.gcp.GceWorld.machineTypeUrl;
import static dev.kiln.emulators.gcp.GceWorld.path;
import static dev.kiln.emulators.gcp.GceWorld.regionUrl;
import static dev.kiln.emulators.gcp.GceWorld.requireName;
import static dev.kiln.emulators.gcp.GceWorld.zoneUrl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.gcp.GceResources.Attached;
import dev.kiln.emulators.gcp.GceResources.Disk;
import dev.kiln.emulators.gcp.GceResources.Image;
import dev.kiln.emulators.gcp.GceResources.Instance;
import dev.kiln.emulators.gcp.GceResources.Operation;
import dev.kiln.emulators.gcp.GceResources.Project;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Compute Engine's instances: inserted with their boot and data disks under the CPU, instance,
 * disk and address quotas, moving PROVISIONING, STAGING, RUNNING on the world's time source,
 * stopped, relabelled and deleted (their auto-delete disks with them). Called under the world's lock.
 */
final class Instances {

    private final GceWorld world;
    private final Quotas quotas;
    private final Images images;

    Instances(GceWorld world, Quotas quotas, Images images) {
        this.world = world;
        this.quotas = quotas;
        this.images = images;
    }

    GceWorld.Inserted insert(String project, String zone, JsonNode body) {
        world.tick();
        Project p = world.writable(project);
        String name = requireName(body, "resource.name");
        String key = instanceKey(zone, name);
        if (p.instances.containsKey(key)) {
            throw GceError.alreadyExists(path(project, "zones/" + zone + "/instances/" + name));
        }
        String typeRef = body.path("machineType").asText("");
        if (typeRef.isEmpty()) {
            throw GceError.invalid("Invalid value for field 'resource.machineType': ''. Machine type must be set.");
        }
        MachineTypes.Type type = MachineTypes.named(lastSegment(typeRef)).orElseThrow(() -> GceError.invalid(
                "Invalid value for field 'resource.machineType': '" + typeRef + "'. Machine type with name '"
                        + lastSegment(typeRef) + "' does not exist in zone '" + zone + "'."));
        Map<String, String> labels = labels(body.path("labels"), "resource.labels");
        JsonNode disksNode = body.path("disks");
        if (!disksNode.isArray() || disksNode.isEmpty()) {
            throw GceError.invalid("Invalid value for field 'resource.disks': ''. Boot disk must be specified.");
        }
        List<Disk> newDisks = new ArrayList<>();
        List<Attached> attached = new ArrayList<>();
        Map<String, Double> adding = new LinkedHashMap<>();
        adding.put("CPUS", (double) type.guestCpus());
        if (type.familyMetric() != null) {
            adding.put(type.familyMetric(), (double) type.guestCpus());
        }
        adding.put("INSTANCES", 1.0);
        long now = world.nanos();
        long startAt = now + world.config.delays().operationPending().toNanos();
        long runningAt = startAt + world.config.delays().instanceStart().toNanos();
        for (JsonNode dn : disksNode) {
            boolean boot = dn.path("boot").asBoolean(false);
            boolean autoDelete = dn.path("autoDelete").asBoolean(false);
            if (dn.hasNonNull("source")) {
                String diskName = lastSegment(dn.get("source").asText());
                Disk d = p.disks.get(diskKey(zone, diskName));
                if (d == null) {
                    throw GceError.notFound(path(project, "zones/" + zone + "/disks/" + diskName));
                }
                if (d.user != null) {
                    throw GceError.inUse(path(project, "zones/" + zone + "/disks/" + diskName),
                            path(project, "zones/" + zone + "/instances/" + d.user));
                }
                attached.add(new Attached(diskName, dn.path("deviceName").asText(diskName), boot, autoDelete));
                continue;
            }
            JsonNode init = dn.path("initializeParams");
            String diskName = init.path("diskName").asText(boot ? name : name + "-" + attached.size());
            if (p.disks.containsKey(diskKey(zone, diskName))) {
                throw GceError.alreadyExists(path(project, "zones/" + zone + "/disks/" + diskName));
            }
            String sourceImage = init.path("sourceImage").asText(null);
            Image image = sourceImage == null ? null : images.resolve(project, sourceImage);
            long size = init.hasNonNull("diskSizeGb") ? init.get("diskSizeGb").asLong()
                    : image != null ? image.diskSizeGb : 10;
            if (image != null && size < image.diskSizeGb) {
                throw GceError.invalid("Invalid value for field 'resource.disks[0].initializeParams.diskSizeGb': '"
                        + size + "'. Requested disk size cannot be smaller than the image size (" + image.diskSizeGb
                        + " GB)");
            }
            String diskType = lastSegment(init.path("diskType").asText("pd-standard"));
            Disk d = new Disk(project, zone, diskName, world.newId(), size, diskType,
                    image == null ? null : imageUrl(image.project, image.name), world.now(), runningAt,
                    labels(init.path("labels"), "resource.disks[].initializeParams.labels"));
            newDisks.add(d);
            adding.merge(d.ssd() ? "SSD_TOTAL_GB" : "DISKS_TOTAL_GB", (double) size, Double::sum);
            attached.add(new Attached(diskName, dn.path("deviceName").asText(diskName), boot, autoDelete));
        }
        boolean externalIp = false;
        for (JsonNode nic : body.path("networkInterfaces")) {
            if (nic.path("accessConfigs").isArray() && !nic.path("accessConfigs").isEmpty()) {
                externalIp = true;
            }
        }
        if (externalIp) {
            adding.put("IN_USE_ADDRESSES", 1.0);
        }
        adding.put("CPUS_ALL_REGIONS", (double) type.guestCpus());
        String region = GceConfig.regionOf(zone);
        String problem = quotas.problem(p, region, adding);
        String link = instanceUrl(project, zone, name);
        if (problem != null) {
            return new GceWorld.Inserted(world.failed(p, "zones", zone, "insert", link, problem, region), true);
        }
        Instance i = new Instance(project, zone, name, world.newId(), type, world.now(), externalIp, world.nextNatIp(),
                "10.128.0." + (2 + p.instances.size() % 250),
                body.path("description").asText(""), Metadata.read(body.path("metadata"), "resource.metadata"),
                labels);
        i.provisionedAt = startAt + world.config.delays().instanceStart().toNanos() / 2;
        i.runningAt = runningAt;
        i.disks.addAll(attached);
        for (Disk d : newDisks) {
            d.user = name;
            p.disks.put(diskKey(zone, d.name), d);
        }
        for (Attached a : attached) {
            Disk d = p.disks.get(diskKey(zone, a.disk()));
            if (d != null) {
                d.user = name;
            }
        }
        p.instances.put(key, i);
        quotas.notePeaks(p, region);
        return new GceWorld.Inserted(world.operation(p, "zones", zone, "insert", link, i.id, runningAt), false);
    }

    List<ObjectNode> list(String project, String zone, Predicate<Function<String, String>> filter) {
        world.tick();
        List<ObjectNode> out = new ArrayList<>();
        for (Instance i : world.project(project).instances.values()) {
            if (zone == null || i.zone.equals(zone)) {
                ObjectNode n = render(i);
                if (filter.test(fields(n))) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    Operation delete(String project, String zone, String name) {
        Instance i = world.instance(project, zone, name);
        Project p = world.writable(project);
        long done = world.changeDone(world.config.delays().instanceStop());
        if (i.deleteAt < 0) {
            i.deleteAt = done;
        }
        return world.operation(p, "zones", zone, "delete", instanceUrl(project, zone, name), i.id, i.deleteAt);
    }

    Operation stop(String project, String zone, String name) {
        Instance i = world.instance(project, zone, name);
        Project p = world.writable(project);
        if (i.stopAt < 0 && i.deleteAt < 0) {
            i.stopAt = world.nanos();
            i.stoppedAt = world.changeDone(world.config.delays().instanceStop());
        }
        long done = i.deleteAt >= 0 ? i.deleteAt : i.stoppedAt;
        return world.operation(p, "zones", zone, "stop", instanceUrl(project, zone, name), i.id, done);
    }

    Operation setLabels(String project, String zone, String name, JsonNode body) {
        Instance i = world.instance(project, zone, name);
        Project p = world.writable(project);
        i.labels = GceWorld.relabel(i.labels, body);
        return world.operation(p, "zones", zone, "setLabels", instanceUrl(project, zone, name), i.id,
                world.changeDone(world.config.delays().otherChange()));
    }

    /** {@code instances.setMetadata}: the body's items replace the instance's, given its current fingerprint. */
    Operation setMetadata(String project, String zone, String name, JsonNode body) {
        Instance i = world.instance(project, zone, name);
        Project p = world.writable(project);
        i.metadata = Metadata.replace(i.metadata, body);
        return world.operation(p, "zones", zone, "setMetadata", instanceUrl(project, zone, name), i.id,
                world.changeDone(world.config.delays().otherChange()));
    }

    ObjectNode serialPort(String project, String zone, String name) {
        Instance i = world.instance(project, zone, name);
        String log = "Booting " + i.name + " (" + i.type.name() + ") in " + zone + "\nkiln-emulator: no guest runs here\n";
        return world.json.createObjectNode()
                .put("kind", "compute#serialPortOutput")
                .put("contents", log)
                .put("start", "0")
                .put("next", Integer.toString(log.length()))
                .put("selfLink", instanceUrl(project, zone, name) + "/serialPort");
    }

    ObjectNode render(Instance i) {
        long now = world.nanos();
        ObjectNode n = world.json.createObjectNode()
                .put("kind", "compute#instance")
                .put("id", Long.toString(i.id))
                .put("creationTimestamp", world.timestamp(i.created))
                .put("name", i.name)
                .put("description", i.description)
                .put("machineType", machineTypeUrl(i.project, i.zone, i.type.name()))
                .put("status", i.status(now))
                .put("zone", zoneUrl(i.project, i.zone))
                .put("cpuPlatform", "Intel Broadwell")
                .put("labelFingerprint", fingerprint(i.labels))
                .put("selfLink", instanceUrl(i.project, i.zone, i.name));
        n.set("labels", world.json.valueToTree(new TreeMap<>(i.labels)));
        ArrayNode disks = n.putArray("disks");
        int index = 0;
        Project p = world.known(i.project);
        for (Attached a : i.disks) {
            Disk d = p == null ? null : p.disks.get(diskKey(i.zone, a.disk()));
            ObjectNode dn = disks.addObject()
                    .put("kind", "compute#attachedDisk")
                    .put("type", "PERSISTENT")
                    .put("mode", "READ_WRITE")
                    .put("source", diskUrl(i.project, i.zone, a.disk()))
                    .put("deviceName", a.deviceName())
                    .put("index", index++)
                    .put("boot", a.boot())
                    .put("autoDelete", a.autoDelete())
                    .put("interface", "SCSI");
            if (d != null) {
                dn.put("diskSizeGb", Long.toString(d.sizeGb));
            }
        }
        ObjectNode nic = n.putArray("networkInterfaces").addObject()
                .put("kind", "compute#networkInterface")
                .put("network", BASE + i.project + "/global/networks/default")
                .put("subnetwork", regionUrl(i.project, GceConfig.regionOf(i.zone)) + "/subnetworks/default")
                .put("networkIP", i.internalIp)
                .put("name", "nic0");
        if (i.externalIp) {
            ObjectNode ac = nic.putArray("accessConfigs").addObject()
                    .put("kind", "compute#accessConfig")
                    .put("type", "ONE_TO_ONE_NAT")
                    .put("name", "External NAT")
                    .put("networkTier", "PREMIUM");
            if (i.status(now).equals("RUNNING")) {
                ac.put("natIP", i.natIp);
            }
        }
        n.set("metadata", Metadata.render(world.json, i.metadata));
        n.putObject("tags").put("fingerprint", GceWorld.fingerprintOf(List.of()));
        n.put("fingerprint", GceWorld.fingerprintOf(List.of(i.status(now), i.metadata, i.labels, i.type.name())));
        n.putObject("scheduling").put("onHostMaintenance", "MIGRATE").put("automaticRestart", true)
                .put("preemptible", false);
        return n;
    }
}
