package dev.kiln.emulators.gcp;

import static dev.kiln.emulators.gcp.GceWorld.fields;
import static dev.kiln.emulators.gcp.GceWorld.path;
import static dev.kiln.emulators.gcp.GceWorld.regionUrl;
import static dev.kiln.emulators.gcp.GceWorld.requireName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.gcp.GceResources.Address;
import dev.kiln.emulators.gcp.GceResources.Operation;
import dev.kiln.emulators.gcp.GceResources.Project;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Compute Engine's static external addresses, per region, under the STATIC_ADDRESSES quota. Called
 * under the world's lock.
 */
final class Addresses {

    private final GceWorld world;
    private final Quotas quotas;

    Addresses(GceWorld world, Quotas quotas) {
        this.world = world;
        this.quotas = quotas;
    }

    Operation insert(String project, String region, JsonNode body) {
        world.tick();
        Project p = world.writable(project);
        String name = requireName(body, "resource.name");
        String key = region + "/" + name;
        if (p.addresses.containsKey(key)) {
            throw GceError.alreadyExists(path(project, "regions/" + region + "/addresses/" + name));
        }
        String link = regionUrl(project, region) + "/addresses/" + name;
        String problem = quotas.problem(p, region, Map.of("STATIC_ADDRESSES", 1.0));
        if (problem != null) {
            return world.failed(p, "regions", region, "insert", link, problem, region);
        }
        Address a = new Address(project, region, name, world.newId(), world.nextNatIp(), world.now());
        p.addresses.put(key, a);
        return world.operation(p, "regions", region, "insert", link, a.id, world.changeDone(world.config.delays().otherChange()));
    }

    List<ObjectNode> list(String project, String region, Predicate<Function<String, String>> filter) {
        world.tick();
        List<ObjectNode> out = new ArrayList<>();
        for (Address a : world.project(project).addresses.values()) {
            if (region == null || a.region.equals(region)) {
                ObjectNode n = render(a);
                if (filter.test(fields(n))) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    Operation delete(String project, String region, String name) {
        Address a = world.address(project, region, name);
        Project p = world.writable(project);
        if (a.deleteAt < 0) {
            a.deleteAt = world.changeDone(world.config.delays().otherChange());
        }
        return world.operation(p, "regions", region, "delete", regionUrl(project, region) + "/addresses/" + name, a.id,
                a.deleteAt);
    }

    ObjectNode render(Address a) {
        return world.json.createObjectNode()
                .put("kind", "compute#address")
                .put("id", Long.toString(a.id))
                .put("creationTimestamp", world.timestamp(a.created))
                .put("name", a.name)
                .put("address", a.address)
                .put("status", "RESERVED")
                .put("addressType", "EXTERNAL")
                .put("networkTier", "PREMIUM")
                .put("region", regionUrl(a.project, a.region))
                .put("labelFingerprint", GceWorld.fingerprint(java.util.Map.of()))
                .put("selfLink", regionUrl(a.project, a.region) + "/addresses/" + a.name);
    }
}
