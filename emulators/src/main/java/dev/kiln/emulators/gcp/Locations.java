package dev.kiln.emulators.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where resources can go and what they can be: the project with its quotas, its regions (with
 * theirs) and zones, and the machine types of a zone. Called under the world's lock.
 */
final class Locations {

    private final GceWorld world;
    private final GceConfig config;
    private final Quotas quotas;
    private final ObjectMapper json;

    Locations(GceWorld world, Quotas quotas) {
        this.world = world;
        this.config = world.config;
        this.quotas = quotas;
        this.json = world.json;
    }

    ObjectNode project(String project) {
        long number = GceWorld.projectNumber(project);
        ObjectNode n = json.createObjectNode()
                .put("kind", "compute#project")
                .put("id", Long.toString(number))
                .put("creationTimestamp", "2024-01-01T00:00:00.000+00:00")
                .put("name", project)
                .put("selfLink", GceWorld.BASE + project)
                .put("defaultServiceAccount", number + "-compute@developer.gserviceaccount.com")
                .put("xpnProjectStatus", "UNSPECIFIED_XPN_PROJECT_STATUS")
                .put("defaultNetworkTier", "PREMIUM");
        n.set("commonInstanceMetadata", Metadata.render(json, world.project(project).metadata));
        quotas(n.putArray("quotas"), quotas.projectQuotas(project));
        return n;
    }

    /** {@code projects.setCommonInstanceMetadata}: replaces the project's metadata, given its current fingerprint. */
    GceResources.Operation setCommonInstanceMetadata(String project, JsonNode body) {
        GceResources.Project p = world.writable(project);
        p.metadata = Metadata.replace(p.metadata, body);
        return world.operation(p, "global", "", "compute.projects.setCommonInstanceMetadata", GceWorld.BASE + project,
                p.number, world.changeDone(config.delays().otherChange()));
    }

    List<ObjectNode> regions(String project) {
        List<ObjectNode> out = new ArrayList<>();
        for (String region : config.zonesByRegion().keySet()) {
            out.add(region(project, region));
        }
        return out;
    }

    ObjectNode region(String project, String region) {
        ObjectNode n = json.createObjectNode()
                .put("kind", "compute#region")
                .put("id", Long.toString(1000 + Math.floorMod(region.hashCode(), 9000)))
                .put("creationTimestamp", "1969-12-31T16:00:00.000-08:00")
                .put("name", region)
                .put("description", region)
                .put("status", "UP")
                .put("selfLink", GceWorld.regionUrl(project, region))
                .put("supportsPzs", false);
        ArrayNode zones = n.putArray("zones");
        for (String zone : config.zonesByRegion().get(region)) {
            zones.add(GceWorld.zoneUrl(project, zone));
        }
        quotas(n.putArray("quotas"), quotas.regionQuotas(project, region));
        return n;
    }

    private static void quotas(ArrayNode out, Map<String, double[]> quotas) {
        quotas.forEach((metric, lu) -> out.addObject().put("metric", metric).put("limit", lu[0]).put("usage", lu[1]));
    }

    List<ObjectNode> zones(String project) {
        List<ObjectNode> out = new ArrayList<>();
        config.zonesByRegion().values().forEach(zs -> zs.forEach(z -> out.add(zone(project, z))));
        return out;
    }

    ObjectNode zone(String project, String zone) {
        ObjectNode n = json.createObjectNode()
                .put("kind", "compute#zone")
                .put("id", Long.toString(2000 + Math.floorMod(zone.hashCode(), 9000)))
                .put("creationTimestamp", "1969-12-31T16:00:00.000-08:00")
                .put("name", zone)
                .put("description", zone)
                .put("status", "UP")
                .put("region", GceWorld.regionUrl(project, GceConfig.regionOf(zone)))
                .put("selfLink", GceWorld.zoneUrl(project, zone))
                .put("supportsPzs", false);
        n.putArray("availableCpuPlatforms").add("Intel Broadwell").add("Intel Cascade Lake").add("AMD Milan");
        return n;
    }

    /** Every machine type of {@code zone}, or of every zone when it is null. */
    List<ObjectNode> machineTypes(String project, String zone) {
        List<ObjectNode> out = new ArrayList<>();
        config.zonesByRegion().values().forEach(zs -> zs.forEach(z -> {
            if (zone == null || zone.equals(z)) {
                MachineTypes.all().forEach(t -> out.add(machineType(project, z, t)));
            }
        }));
        return out;
    }

    ObjectNode machineType(String project, String zone, MachineTypes.Type t) {
        return json.createObjectNode()
                .put("kind", "compute#machineType")
                .put("id", Long.toString(3000 + Math.floorMod(t.name().hashCode(), 900000)))
                .put("creationTimestamp", "1969-12-31T16:00:00.000-08:00")
                .put("name", t.name())
                .put("description", t.guestCpus() + " vCPU" + (t.guestCpus() == 1 ? "" : "s") + ", "
                        + (t.memoryMb() / 1024.0) + " GB RAM")
                .put("guestCpus", t.guestCpus())
                .put("memoryMb", t.memoryMb())
                .put("imageSpaceGb", 0)
                .put("maximumPersistentDisks", 128)
                .put("maximumPersistentDisksSizeGb", "263168")
                .put("zone", zone)
                .put("isSharedCpu", t.sharedCpu())
                .put("selfLink", GceWorld.machineTypeUrl(project, zone, t.name()));
    }
}
