package dev.kiln.emulators.azure;

import static dev.kiln.emulators.azure.ArmJson.JSON;
import static dev.kiln.emulators.azure.ArmJson.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.azure.ArmWorld.Group;
import dev.kiln.emulators.azure.ArmWorld.Res;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Template deployments ({@code Microsoft.Resources/deployments}): validated, then deployed by
 * creating every resource of the inline template at once, held to the cores quota as a whole,
 * finishing when the create delay is over; their operations list what they created.
 */
final class Deployments {

    private final ArmWorld world;
    private final ArmConfig config;
    private final GenericResources resources;
    private final VirtualMachines vms;

    Deployments(ArmWorld world, ArmConfig config, GenericResources resources, VirtualMachines vms) {
        this.world = world;
        this.config = config;
        this.resources = resources;
        this.vms = vms;
    }

    private List<Templates.Resolved> resolve(String sub, Group g, JsonNode body) {
        JsonNode props = body.path("properties");
        if (!props.path("template").isObject()) {
            throw Templates.invalid("properties.template must be an inline template (templateLink is not served)");
        }
        return new Templates(props.get("template"), props.path("parameters"), sub, g).resources();
    }

    /** {@code POST .../deployments/{name}/validate}. */
    Response validate(Group g, String sub, String name, JsonNode body) {
        List<Templates.Resolved> resolved = resolve(sub, g, body);
        ObjectNode o = JSON.createObjectNode();
        o.put("id", g.id() + "/providers/Microsoft.Resources/deployments/" + name);
        o.put("name", name);
        ObjectNode props = o.putObject("properties");
        props.put("provisioningState", "Succeeded");
        props.put("mode", body.path("properties").path("mode").asText("Incremental"));
        ArrayNode validated = props.putArray("validatedResources");
        for (Templates.Resolved r : resolved) {
            validated.addObject().put("id", resourceIdOf(g, r));
        }
        return ok(o);
    }

    private static String resourceIdOf(Group g, Templates.Resolved r) {
        String type = ArmTypes.canonical(r.type());
        if (type == null) {
            throw Templates.invalid("the resource type '" + r.type() + "' is not served by the emulator; it serves "
                    + ArmTypes.known());
        }
        String[] t = type.split("/");
        String[] names = r.name().split("/");
        if (names.length != t.length - 1) {
            throw Templates.invalid("the resource name '" + r.name() + "' does not fit type " + type);
        }
        StringBuilder id = new StringBuilder(g.id() + "/providers/" + t[0]);
        for (int i = 1; i < t.length; i++) {
            id.append('/').append(t[i]).append('/').append(names[i - 1]);
        }
        return id.toString();
    }

    /** A deployment creates its template's resources at once and finishes when the create delay is over. */
    Res deploy(String sub, Group g, String name, JsonNode body) {
        List<Templates.Resolved> resolved = resolve(sub, g, body);
        int cores = 0;
        Map<String, Integer> families = new LinkedHashMap<>();
        String region = g.location;
        for (Templates.Resolved r : resolved) {
            String type = ArmTypes.canonical(r.type());
            if (ArmTypes.VM.equals(type)) {
                String size = r.body().path("properties").path("hardwareProfile").path("vmSize").asText("");
                VmSizes.Size s = VmSizes.of(size).orElse(null);
                if (s != null) {
                    cores += s.cores();
                    families.merge(s.family(), s.cores(), Integer::sum);
                    region = r.body().path("location").asText(region).toLowerCase(Locale.ROOT);
                }
            }
        }
        for (Map.Entry<String, Integer> f : families.entrySet()) {
            vms.checkQuota(sub, region, cores, f.getValue(), f.getKey());
        }
        ArrayNode operations = JSON.createArrayNode();
        ArrayNode outputs = JSON.createArrayNode();
        for (Templates.Resolved r : resolved) {
            String id = resourceIdOf(g, r);
            String type = ArmTypes.canonical(r.type());
            String leaf = r.name().substring(r.name().lastIndexOf('/') + 1);
            ObjectNode b = (ObjectNode) r.body();
            if (!b.has("location")) {
                b.put("location", g.location);
            }
            Res created = resources.create(sub, g, type, id, leaf, b, world.resource(id));
            created.readyAt = world.after(config.delays().create());
            created.state = config.delays().create().isZero() ? "Succeeded" : "Creating";
            ObjectNode op = operations.addObject();
            op.put("operationId", world.hex(16).toUpperCase(Locale.ROOT));
            op.putObject("targetResource").put("id", created.id).put("resourceType", type)
                    .put("resourceName", r.name());
            outputs.addObject().put("id", created.id);
        }
        String id = g.id() + "/providers/Microsoft.Resources/deployments/" + name;
        Res d = world.resource(id);
        if (d == null) {
            d = new Res(id, sub, g.name, ArmTypes.DEPLOYMENT, name, g.location);
            world.add(d);
        }
        ObjectNode props = JSON.createObjectNode();
        props.put("mode", body.path("properties").path("mode").asText("Incremental"));
        props.put("timestamp", world.now().toString());
        props.put("correlationId", world.uuid());
        props.set("outputResources", outputs);
        props.set("kilnOperations", operations);
        d.body = JSON.createObjectNode();
        d.body.set("properties", props);
        Map<String, String> tags = ArmJson.tags(body);
        if (tags != null) {
            d.tags.clear();
            d.tags.putAll(tags);
        }
        return d;
    }

    /** {@code GET .../deployments/{name}/operations}. */
    Response operations(Group g, String name) {
        String id = g.id() + "/providers/Microsoft.Resources/deployments/" + name;
        Res d = world.resource(id);
        if (d == null) {
            throw ArmError.of(404, "DeploymentNotFound", "Deployment '" + name + "' could not be found.");
        }
        ArrayNode value = JSON.createArrayNode();
        for (JsonNode op : d.properties().path("kilnOperations")) {
            ObjectNode o = value.addObject();
            o.put("id", id + "/operations/" + op.path("operationId").asText());
            o.put("operationId", op.path("operationId").asText());
            ObjectNode p = o.putObject("properties");
            p.put("provisioningOperation", "Create");
            p.put("provisioningState", d.state.equals("Succeeded") ? "Succeeded" : "Running");
            p.put("timestamp", world.now().toString());
            p.put("statusCode", "OK");
            p.set("targetResource", op.path("targetResource").deepCopy());
        }
        return ok(JSON.createObjectNode().set("value", value));
    }
}
