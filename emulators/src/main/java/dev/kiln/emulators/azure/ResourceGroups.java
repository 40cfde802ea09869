package dev.kiln.emulators.azure;

import static dev.kiln.emulators.azure.ArmJson.JSON;
import static dev.kiln.emulators.azure.ArmJson.json;
import static dev.kiln.emulators.azure.ArmJson.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.azure.ArmWorld.Group;
import dev.kiln.emulators.azure.ArmWorld.Op;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Subscriptions, their locations, and resource groups. */
final class ResourceGroups {

    private final ArmWorld world;
    private final ArmConfig config;
    private final LongRunning operations;

    ResourceGroups(ArmWorld world, ArmConfig config, LongRunning operations) {
        this.world = world;
        this.config = config;
        this.operations = operations;
    }

    Response listSubscriptions() {
        ArrayNode value = JSON.createArrayNode();
        world.subscriptions().forEach(s -> value.add(subscription(s)));
        return ok(JSON.createObjectNode().set("value", value));
    }

    ObjectNode subscription(String sub) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", "/subscriptions/" + sub);
        o.put("authorizationSource", "RoleBased");
        o.put("subscriptionId", sub);
        o.put("tenantId", config.tenant());
        o.put("displayName", "Kiln emulator " + sub.substring(0, Math.min(8, sub.length())));
        o.put("state", "Enabled");
        o.putObject("subscriptionPolicies").put("locationPlacementId", "Public_2014-09-01")
                .put("quotaId", "PayAsYouGo_2014-09-01").put("spendingLimit", "Off");
        return o;
    }

    Response locations(String sub) {
        ArrayNode value = JSON.createArrayNode();
        for (String region : config.regions()) {
            value.addObject().put("id", "/subscriptions/" + sub + "/locations/" + region).put("name", region)
                    .put("displayName", region).put("regionalDisplayName", region);
        }
        return ok(JSON.createObjectNode().set("value", value));
    }

    Group require(String sub, String rg) {
        Group g = world.group(sub, rg);
        if (g == null) {
            throw ArmError.groupNotFound(rg);
        }
        return g;
    }

    /** Where a group's calls are journaled and limited: its location, or {@code global} when there is none. */
    String regionOf(String sub, String rg) {
        Group g = world.group(sub, rg);
        return g == null ? "global" : g.location.toLowerCase(Locale.ROOT);
    }

    static ObjectNode render(Group g) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", g.id());
        o.put("name", g.name);
        o.put("type", "Microsoft.Resources/resourceGroups");
        o.put("location", g.location);
        o.set("tags", JSON.valueToTree(g.tags));
        o.putObject("properties").put("provisioningState", g.state);
        return o;
    }

    /** Resource groups, filtered by tag (their tags are kept, as ARM keeps them) and paged. */
    Response list(Request request, String sub) {
        ArmFilter filter = ArmFilter.parse(ArmProtocol.filter(request));
        List<ObjectNode> items = new ArrayList<>();
        for (Group g : world.groups(sub)) {
            if (filter.test(subject(g))) {
                items.add(render(g));
            }
        }
        return ok(ArmPages.page(request, items));
    }

    private static ArmFilter.Subject subject(Group g) {
        return new ArmFilter.Subject() {
            @Override
            public String field(String name) {
                return switch (name) {
                    case "name", "resourceGroup" -> g.name;
                    case "location" -> g.location;
                    default -> "Microsoft.Resources/resourceGroups";
                };
            }

            @Override
            public Map<String, String> tags() {
                return g.tags;
            }
        };
    }

    Response checkExistence(String sub, String rg) {
        return new Response(world.group(sub, rg) == null ? 404 : 204, null, new byte[0]);
    }

    Response get(String sub, String rg) {
        return ok(render(require(sub, rg)));
    }

    /** The location a PUT or PATCH gives the group (the existing one's when the body names none), or ARM's refusal. */
    static String location(JsonNode body, Group existing) {
        String location = body.path("location").asText(existing == null ? "" : existing.location);
        if (location.isEmpty()) {
            throw ArmError.badRequest("LocationRequired", "The location property is required for this definition.");
        }
        return location.toLowerCase(Locale.ROOT).replace(" ", "");
    }

    Response put(String sub, String rg, String where, JsonNode body, boolean patch) {
        if (patch) {
            require(sub, rg);
        }
        ArmJson.checkName(rg, "resource group", 90);
        boolean[] created = new boolean[1];
        Group g = world.putGroup(sub, rg, where, ArmJson.tags(body), created);
        return json(created[0] ? 201 : 200, render(g));
    }

    Response delete(Request request, String sub, String rg, String v) {
        Group g = world.group(sub, rg);
        if (g == null) {
            throw ArmError.groupNotFound(rg);
        }
        Op op = world.startOperation(sub, g.location, "Microsoft.Resources", config.delays().groupDelete(), null);
        world.deleteGroup(g, config.delays().groupDelete());
        return operations.accepted(operations.location(request, sub, op, v), null);
    }
}
