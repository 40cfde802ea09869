package dev.kiln.emulators.azure;

import static dev.kiln.emulators.azure.ArmJson.JSON;
import static dev.kiln.emulators.azure.ArmJson.json;
import static dev.kiln.emulators.azure.ArmJson.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.azure.ArmWorld.Group;
import dev.kiln.emulators.azure.ArmWorld.Op;
import dev.kiln.emulators.azure.ArmWorld.Res;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What every resource type has in common under {@code .../providers/{namespace}/{type}/{name}}:
 * listing (filtered by {@link ArmFilter}, paged by {@link ArmPages}), reading, creating or updating as a long-running
 * operation (a VM with its OS disk, a virtual network with its subnets), and deleting what nothing
 * live refers to any more. Type-specific checks are the families' ({@link VirtualMachines},
 * {@link Images}, {@link Deployments}).
 */
final class GenericResources {

    /** Makes the resource a PUT creates or updates (a deployment deploys its template). */
    @FunctionalInterface
    interface Maker {
        Res make(Res existing);
    }

    private final ArmWorld world;
    private final ArmConfig config;
    private final VirtualMachines vms;
    private final Images images;
    private final LongRunning operations;

    GenericResources(ArmWorld world, ArmConfig config, VirtualMachines vms, Images images, LongRunning operations) {
        this.world = world;
        this.config = config;
        this.vms = vms;
        this.images = images;
        this.operations = operations;
    }

    /** What a {@code $filter} sees of a resource. */
    static ArmFilter.Subject subject(Res r) {
        return new ArmFilter.Subject() {
            @Override
            public String field(String name) {
                return switch (name) {
                    case "resourceType" -> r.type;
                    case "name" -> shortName(r);
                    case "location" -> r.location;
                    default -> r.group;
                };
            }

            @Override
            public Map<String, String> tags() {
                return r.tags;
            }
        };
    }

    private static String shortName(Res r) {
        return r.name.substring(r.name.lastIndexOf('/') + 1);
    }

    /**
     * {@code GET .../resources}: every resource but deployments and subnets (which ARM keeps as
     * parts of their network, not as resources of their own), in the subscription or the group
     * {@code rg}, filtered and paged; without tags when the filter names a tag's value, as ARM
     * documents ("When you filter by a tag name and value, the tags for each resource are not
     * returned in the results").
     */
    Response list(Request request, String sub, String rg) {
        ArmFilter filter = ArmFilter.parse(ArmProtocol.filter(request));
        List<ObjectNode> items = new ArrayList<>();
        for (Res r : world.resources(sub, rg)) {
            if (!r.type.equals(ArmTypes.DEPLOYMENT) && !r.type.equals(ArmTypes.SUBNET) && filter.test(subject(r))) {
                ObjectNode o = JSON.createObjectNode();
                o.put("id", r.id);
                o.put("name", shortName(r));
                o.put("type", r.type);
                o.put("location", r.location);
                if (!filter.omitsTags()) {
                    o.set("tags", JSON.valueToTree(r.tags));
                }
                items.add(o);
            }
        }
        return ok(ArmPages.page(request, items));
    }

    /** A collection of one type, in the subscription or group {@code rg}, under {@code parentId} when not null. */
    Response listTyped(Request request, String sub, String rg, String type, String parentId) {
        ArmFilter filter = ArmFilter.parse(ArmProtocol.filter(request));
        List<ObjectNode> items = new ArrayList<>();
        for (Res r : world.resources(sub, rg)) {
            if (r.type.equals(type) && filter.test(subject(r))
                    && (parentId == null || r.id.toLowerCase(Locale.ROOT).startsWith(
                            parentId.toLowerCase(Locale.ROOT) + "/"))) {
                items.add(render(r, false));
            }
        }
        return ok(ArmPages.page(request, items));
    }

    Res require(String id, String type, String name, String rg) {
        Res r = world.resource(id);
        if (r == null) {
            throw ArmError.notFound(type, name, rg);
        }
        return r;
    }

    /** The id of the resource {@code path} (type, name, subtype, subname...) names in namespace {@code ns}. */
    static String id(String sub, String rg, String ns, List<String> path) {
        StringBuilder b = new StringBuilder("/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/");
        String type = ArmTypes.canonical(typeOf(ns, path));
        String[] typeParts = type.split("/");
        b.append(typeParts[0]);
        for (int i = 0; i < path.size(); i += 2) {
            b.append('/').append(typeParts[1 + i / 2]).append('/').append(path.get(i + 1));
        }
        return b.toString();
    }

    /** The type {@code path} names in {@code ns}, as spelled in the request. */
    static String typeOf(String ns, List<String> path) {
        StringBuilder t = new StringBuilder(ns);
        for (int i = 0; i < path.size(); i += 2) {
            t.append('/').append(path.get(i));
        }
        return t.toString();
    }

    ObjectNode render(Res r, boolean instanceView) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", r.id);
        o.put("name", r.name.substring(r.name.lastIndexOf('/') + 1));
        o.put("type", r.type);
        o.put("location", r.location);
        if (!r.tags.isEmpty() || !r.type.equals(ArmTypes.SUBNET)) {
            o.set("tags", JSON.valueToTree(r.tags));
        }
        for (Map.Entry<String, JsonNode> e : r.body.properties()) {
            o.set(e.getKey(), e.getValue().deepCopy());
        }
        ObjectNode props = o.withObjectProperty("properties");
        props.put("provisioningState", r.state);
        if (r.isVm() && instanceView) {
            props.set("instanceView", vms.instanceView(r));
        }
        if (r.type.equals(ArmTypes.DEPLOYMENT)) {
            props.remove("kilnOperations");
        }
        return o;
    }

    /** {@code PUT} or {@code PATCH}: {@code maker} makes the resource, which comes up as a long-running operation. */
    Response put(Request request, String sub, Group g, String type, String id, String name, boolean patch, String v,
            Maker maker) {
        Res existing = world.resource(id);
        if (existing != null && existing.deleting()) {
            throw ArmError.of(409, "Conflict", "The resource '" + id + "' is being deleted.");
        }
        if (patch && existing == null) {
            throw ArmError.notFound(type, name, g.name);
        }
        if ("Deleting".equals(g.state)) {
            throw ArmError.of(409, "ResourceGroupBeingDeleted", "The resource group '" + g.name
                    + "' is in deprovisioning state and cannot perform this operation.");
        }
        Res r = maker.make(existing);
        Duration delay = type.equals(ArmTypes.IMAGE) || type.equals(ArmTypes.GALLERY_VERSION)
                ? config.delays().capture() : config.delays().create();
        Op op = world.startOperation(sub, r.location, ArmTypes.namespace(type), delay, null);
        r.readyAt = op.doneNanos();
        r.state = existing == null ? "Creating" : "Updating";
        if (delay.isZero()) {
            r.state = "Succeeded";
        }
        String status = operations.asyncUrl(request, sub, r, op, v);
        return json(existing == null ? 201 : 200, render(r, false)).withHeader("Azure-AsyncOperation", status)
                .withHeader("Retry-After", operations.retryAfter());
    }

    /** Creates or updates one resource, from a request or a deployment; checks quota and references. */
    Res create(String sub, Group g, String type, String id, String name, JsonNode body, Res existing) {
        String location = body.path("location").asText("");
        String parentId = id.substring(0, id.lastIndexOf('/', id.lastIndexOf('/') - 1));
        boolean child = type.split("/").length > 2;
        Res parent = null;
        if (child) {
            parent = world.resource(parentId);
            if (parent == null || parent.deleting()) {
                throw ArmError.of(404, "ParentResourceNotFound", "Can not perform requested operation on nested"
                        + " resource. Parent resource '" + parentId.substring(parentId.lastIndexOf('/') + 1)
                        + "' not found.");
            }
            if (location.isEmpty()) {
                location = parent.location;
            }
        }
        if (location.isEmpty()) {
            location = existing != null ? existing.location : "";
        }
        if (location.isEmpty()) {
            throw ArmError.badRequest("LocationRequired", "The location property is required for this definition.");
        }
        location = location.toLowerCase(Locale.ROOT).replace(" ", "");
        ArmJson.checkName(name, type, type.equals(ArmTypes.VM) ? 64 : 80);
        String fullName = child ? parent.name + "/" + name : name;
        Res r = existing != null ? existing : new Res(id, sub, g.name, type, fullName, location);
        ObjectNode props = body.path("properties").isObject() ? (ObjectNode) body.get("properties").deepCopy()
                : JSON.createObjectNode();
        props.remove("provisioningState");
        switch (type) {
            case ArmTypes.VM -> {
                vms.size(sub, r, props, existing);
                if (existing == null) {
                    attachOsDisk(sub, g, r, props);
                }
            }
            case ArmTypes.IMAGE -> images.image(props, existing);
            case ArmTypes.GALLERY_VERSION -> images.galleryVersion(r, name, props);
            case ArmTypes.DISK -> props.put("diskState", props.path("diskState").asText("Unattached"))
                    .put("diskSizeGB", props.path("diskSizeGB").asInt(30));
            case ArmTypes.PUBLIC_IP -> props.put("ipAddress", "20." + (40 + Math.abs(id.hashCode() % 50)) + "."
                    + Math.abs(id.hashCode() / 50 % 250) + "." + Math.abs(id.hashCode() / 12500 % 250));
            default -> { }
        }
        ObjectNode top = JSON.createObjectNode();
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            if (!Set.of("id", "name", "type", "location", "tags", "properties").contains(e.getKey())) {
                top.set(e.getKey(), e.getValue());
            }
        }
        top.set("properties", props);
        r.body = top;
        Map<String, String> tags = ArmJson.tags(body);
        if (tags != null) {
            r.tags.clear();
            r.tags.putAll(tags);
        }
        if (existing == null) {
            world.add(r);
        }
        if (r.isVm()) {
            world.notePeak(sub, r.location);
        }
        if (type.equals(ArmTypes.VNET) && props.path("subnets").isArray()) {
            for (JsonNode s : props.get("subnets")) {
                String subnetName = s.path("name").asText("default");
                String subnetId = id + "/subnets/" + subnetName;
                ObjectNode subnetBody = JSON.createObjectNode();
                subnetBody.set("properties", s.path("properties").deepCopy());
                Res subnet = create(sub, g, ArmTypes.SUBNET, subnetId, subnetName, subnetBody, world.resource(subnetId));
                ((ObjectNode) s).put("id", subnet.id);
            }
        }
        return r;
    }

    /** A new VM's managed OS disk, created with it and attached to it. */
    private void attachOsDisk(String sub, Group g, Res vm, ObjectNode props) {
        props.put("vmId", world.uuid());
        ObjectNode osDisk = props.withObjectProperty("storageProfile").withObjectProperty("osDisk");
        String diskName = osDisk.path("name").asText(vm.name + "_OsDisk_1_" + world.hex(16) + world.hex(16));
        String diskId = "/subscriptions/" + sub + "/resourceGroups/" + g.name + "/providers/Microsoft.Compute/disks/"
                + diskName;
        ObjectNode diskBody = JSON.createObjectNode().put("location", vm.location);
        diskBody.putObject("properties").put("diskSizeGB", osDisk.path("diskSizeGB").asInt(30))
                .put("osType", osDisk.path("osType").asText("Linux")).put("diskState", "Attached")
                .putObject("creationData").put("createOption", "FromImage");
        Res disk = create(sub, g, ArmTypes.DISK, diskId, diskName, diskBody, null);
        disk.body.put("managedBy", vm.id);
        disk.properties().put("diskState", "Attached");
        osDisk.put("name", diskName).put("osType", osDisk.path("osType").asText("Linux"))
                .put("createOption", osDisk.path("createOption").asText("FromImage"))
                .put("diskSizeGB", osDisk.path("diskSizeGB").asInt(30));
        osDisk.withObjectProperty("managedDisk").put("id", diskId);
        vm.power = "running";
    }

    /** {@code DELETE}: gone after the delete delay, children with it; refused while something live refers to it. */
    Response delete(Request request, String sub, String type, String id, String v) {
        Res r = world.resource(id);
        if (r == null) {
            return new Response(204, null, new byte[0]);
        }
        if (r.deleting()) {
            Op op = world.startOperation(sub, r.location, ArmTypes.namespace(type), Duration.ofNanos(
                    Math.max(0, r.goneAt - world.nanos())), null);
            return operations.accepted(operations.location(request, sub, op, v),
                    operations.asyncStatus(request, sub, r, op, v));
        }
        String inUse = inUse(r);
        if (inUse != null) {
            throw ArmError.of(type.equals(ArmTypes.DISK) ? 409 : 400, type.equals(ArmTypes.DISK) ? "OperationNotAllowed"
                    : type.equals(ArmTypes.NIC) ? "NicInUse" : type.equals(ArmTypes.PUBLIC_IP)
                    ? "PublicIPAddressInUse" : "InUseByOtherResource", inUse);
        }
        Op op = world.startOperation(sub, r.location, ArmTypes.namespace(type), config.delays().delete(), null);
        world.delete(r, config.delays().delete());
        for (Res child : world.children(r.id)) {
            world.delete(child, config.delays().delete());
        }
        if (type.equals(ArmTypes.DEPLOYMENT)) {
            return operations.accepted(operations.location(request, sub, op, v), null);
        }
        return operations.accepted(operations.location(request, sub, op, v),
                operations.asyncStatus(request, sub, r, op, v));
    }

    /** Why {@code r} cannot be deleted yet (something live refers to it), or null. */
    private String inUse(Res r) {
        for (Res other : world.resources(r.subscription, null)) {
            if (other == r) {
                continue;
            }
            if (r.type.equals(ArmTypes.NIC) && other.isVm() && refers(other.properties().path("networkProfile")
                    .path("networkInterfaces"), r.id)) {
                return "Network Interface " + r.id + " is used by existing resource " + other.id
                        + ". In order to delete the network interface, it must be dissociated from the resource.";
            }
            if (r.type.equals(ArmTypes.PUBLIC_IP) && other.type.equals(ArmTypes.NIC)) {
                for (JsonNode ip : other.properties().path("ipConfigurations")) {
                    if (ip.path("properties").path("publicIPAddress").path("id").asText("").equalsIgnoreCase(r.id)) {
                        return "Public IP address " + r.id + " can not be deleted since it is still allocated to"
                                + " resource " + other.id + "/ipConfigurations/" + ip.path("name").asText("ipconfig")
                                + ".";
                    }
                }
            }
            if (r.type.equals(ArmTypes.DISK) && other.isVm() && other.properties().path("storageProfile")
                    .path("osDisk").path("managedDisk").path("id").asText("").equalsIgnoreCase(r.id)) {
                return "Disk " + r.name + " is attached to VM " + other.id + ".";
            }
            if (r.type.equals(ArmTypes.VNET) && other.type.equals(ArmTypes.NIC)) {
                for (JsonNode ip : other.properties().path("ipConfigurations")) {
                    if (ip.path("properties").path("subnet").path("id").asText("").toLowerCase(Locale.ROOT)
                            .startsWith(r.id.toLowerCase(Locale.ROOT) + "/")) {
                        return "Subnet of virtual network " + r.id + " is in use by " + other.id
                                + " and cannot be deleted.";
                    }
                }
            }
        }
        return null;
    }

    private static boolean refers(JsonNode list, String id) {
        for (JsonNode n : list) {
            if (n.path("id").asText("").equalsIgnoreCase(id)) {
                return true;
            }
        }
        return false;
    }
}
