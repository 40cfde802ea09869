package dev.kiln.testkit.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.testkit.ApiCall;
import dev.kiln.testkit.ApiCounters;
import dev.kiln.testkit.ApiCounters.Outcome;
import dev.kiln.testkit.Faults;
import dev.kiln.testkit.spi.CallJournal;
import dev.kiln.testkit.spi.EmulatorServer;
import dev.kiln.testkit.spi.EmulatorServer.Request;
import dev.kiln.testkit.spi.EmulatorServer.Response;
import dev.kiln.testkit.azure.ArmWorld.Group;
import dev.kiln.testkit.azure.ArmWorld.Op;
import dev.kiln.testkit.azure.ArmWorld.Res;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads ARM requests off the wire and answers them: the api-version first, then the route, then
 * fault injection, then the token buckets, then the operation itself. Every answer carries the
 * {@code x-ms-ratelimit-remaining-*} headers of the buckets the call drew from.
 */
final class ArmHandler implements EmulatorServer.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(ArmEmulator.class);
    private static final ObjectMapper JSON = ArmWorld.JSON;
    private static final String TYPE = "application/json; charset=utf-8";
    private static final Pattern API_VERSION = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})(-preview|-beta|-alpha)?");
    private static final LocalDate OLDEST_API = LocalDate.of(2014, 1, 1);
    private static final LocalDate NEWEST_API = LocalDate.of(2026, 12, 31);
    private static final Pattern TAG_FILTER = Pattern.compile(
            "(?i)\\s*tagname\\s+eq\\s+'([^']*)'(?:\\s+and\\s+tagvalue\\s+eq\\s+'([^']*)')?\\s*");
    private static final Pattern TYPE_FILTER = Pattern.compile("(?i)\\s*resourcetype\\s+eq\\s+'([^']*)'\\s*");
    private static final Pattern VERSION_NAME = Pattern.compile("\\d+\\.\\d+\\.\\d+");
    private static final Set<String> VM_ACTIONS = Set.of("deallocate", "generalize", "poweroff", "start", "restart",
            "instanceview");

    /** What a request was recognised as, before it is run. */
    private record Route(String action, String api, String subscription, String region, Run run) {
    }

    @FunctionalInterface
    private interface Run {
        Response run() throws IOException;
    }

    private final ArmConfig config;
    private final ArmWorld world;
    private final ArmLimits limits;
    private final Faults faults;
    private final ApiCounters counters;
    private final CallJournal journal;
    private final Set<String> unknown = ConcurrentHashMap.newKeySet();

    ArmHandler(ArmConfig config, ArmWorld world, ArmLimits limits, Faults faults, ApiCounters counters,
            CallJournal journal) {
        this.config = config;
        this.world = world;
        this.limits = limits;
        this.faults = faults;
        this.counters = counters;
        this.journal = journal;
    }

    Set<String> unknownRoutes() {
        return Set.copyOf(unknown);
    }

    void forgetUnknownRoutes() {
        unknown.clear();
    }

    @Override
    public Response handle(Request request) throws Exception {
        List<String> segs = segments(request.path());
        Map<String, String> query = query(request.rawQuery());
        if (isToken(segs)) {
            return token(request, segs);
        }
        String subscription = segs.size() >= 2 && segs.get(0).equalsIgnoreCase("subscriptions")
                ? segs.get(1).toLowerCase(Locale.ROOT) : "-";
        String action = request.method() + " " + request.path();
        String region = "global";
        String requestId = world.uuid();
        Map<String, String> headers = Map.of();
        try {
            checkApiVersion(query.get("api-version"));
            world.tick();
            Route route = route(request, segs, query);
            action = route.action;
            region = route.region;
            switch (faults.apply(action)) {
                case OUTAGE -> throw new ArmError(503, "ServiceUnavailable", "The service is temporarily unavailable."
                        + " Please try again later.", Outcome.INJECTED_FAULT, null, 10);
                case ERROR -> throw new ArmError(500, "InternalServerError", "Encountered internal server error."
                        + " Diagnostic information: timestamp '" + world.now() + "'.", Outcome.INJECTED_FAULT, null, -1);
                case THROTTLE -> throw new ArmError(429, "TooManyRequests", "The request is being throttled (injected by"
                        + " the emulator's fault injection).", Outcome.INJECTED_FAULT, null, 1);
                case RESET -> {
                    record(subscription, region, action, 0, "ConnectionReset", Outcome.INJECTED_FAULT);
                    throw new EmulatorServer.ConnectionReset();
                }
                case NONE -> { }
            }
            headers = limits.charge(route.subscription, route.region, route.api);
            Response response = route.run.run();
            for (Map.Entry<String, String> h : headers.entrySet()) {
                response = response.withHeader(h.getKey(), h.getValue());
            }
            record(subscription, region, action, response.status(), null, Outcome.OK);
            return ids(response, requestId);
        } catch (ArmError e) {
            record(subscription, region, action, e.status, e.code, e.outcome);
            Response r = error(e);
            for (Map.Entry<String, String> h : headers.entrySet()) {
                r = r.withHeader(h.getKey(), h.getValue());
            }
            if ("SubscriptionRequestsThrottled".equals(e.code)) {
                r = r.withHeader("x-ms-ratelimit-remaining-subscription-" + switch (request.method()) {
                    case "GET", "HEAD" -> "reads";
                    case "DELETE" -> "deletes";
                    default -> "writes";
                }, "0");
            }
            if (e.retryAfterSeconds >= 0) {
                r = r.withHeader("Retry-After", Long.toString(e.retryAfterSeconds));
            }
            return ids(r, requestId);
        }
    }

    private Response ids(Response r, String requestId) {
        return r.withHeader("x-ms-request-id", requestId).withHeader("x-ms-correlation-request-id", requestId);
    }

    private void record(String subscription, String region, String action, int status, String code, Outcome outcome) {
        counters.record(action, outcome);
        journal.add(new ApiCall(world.now(), ArmEmulator.PROVIDER, subscription, region, action, status, code));
    }

    // --- routing

    private Route route(Request request, List<String> segs, Map<String, String> query) {
        String method = request.method();
        int n = segs.size();
        if (n == 0 || !segs.get(0).equalsIgnoreCase("subscriptions")) {
            throw unknownRoute(method, request.path());
        }
        if (n == 1 && method.equals("GET")) {
            return new Route("Subscriptions.List", "resource.read", "-", "global", this::listSubscriptions);
        }
        String sub = segs.get(1).toLowerCase(Locale.ROOT);
        world.touchSubscription(sub);
        if (n == 2 && method.equals("GET")) {
            return new Route("Subscriptions.Get", "resource.read", sub, "global", () -> ok(subscription(sub)));
        }
        String third = segs.get(2).toLowerCase(Locale.ROOT);
        String v = query.get("api-version");
        if (third.equals("locations") && n == 3 && method.equals("GET")) {
            return new Route("Subscriptions.ListLocations", "resource.read", sub, "global", () -> locations(sub));
        }
        if (third.equals("resourcegroups")) {
            if (n == 3 && method.equals("GET")) {
                return new Route("ResourceGroups.List", "resource.read", sub, "global",
                        () -> listGroups(sub, query.get("$filter")));
            }
            String rg = segs.get(3);
            if (n == 4) {
                return groupRoute(request, sub, rg, v);
            }
            Group g = world.group(sub, rg);
            String region = g == null ? "global" : g.location.toLowerCase(Locale.ROOT);
            if (n == 5 && segs.get(4).equalsIgnoreCase("resources") && method.equals("GET")) {
                return new Route("Resources.ListByResourceGroup", "resource.read", sub, region,
                        () -> listResources(sub, requireGroup(sub, rg).name, query.get("$filter")));
            }
            if (n >= 7 && segs.get(4).equalsIgnoreCase("providers")) {
                return resourceRoute(request, sub, rg, region, segs.subList(5, n), query);
            }
        }
        if (third.equals("resources") && n == 3 && method.equals("GET")) {
            return new Route("Resources.List", "resource.read", sub, "global",
                    () -> listResources(sub, null, query.get("$filter")));
        }
        if (third.equals("operationresults") && n == 4 && method.equals("GET")) {
            Op op = world.operation(segs.get(3));
            String region = op == null ? "global" : op.location();
            return new Route("OperationResults.Get", "resource.read", sub, region, () -> operationResult(segs.get(3), v,
                    request));
        }
        if (third.equals("providers") && n >= 5) {
            String ns = segs.get(3);
            if (n == 5 && ns.equalsIgnoreCase("Microsoft.Compute") && segs.get(4).equalsIgnoreCase("virtualMachines")
                    && method.equals("GET")) {
                return new Route("VirtualMachines.ListAll", "vm.list", sub, "global", () -> listTyped(sub, null,
                        ArmTypes.VM, null, query.get("$filter")));
            }
            if (n >= 7 && segs.get(4).equalsIgnoreCase("locations") && method.equals("GET")) {
                String loc = segs.get(5).toLowerCase(Locale.ROOT);
                String what = segs.get(6).toLowerCase(Locale.ROOT);
                boolean compute = ns.equalsIgnoreCase("Microsoft.Compute");
                if (n == 7 && compute && what.equals("usages")) {
                    return new Route("Usage.List", "resource.read", sub, loc, () -> usages(sub, loc));
                }
                if (n == 7 && compute && what.equals("vmsizes")) {
                    return new Route("VirtualMachineSizes.List", "resource.read", sub, loc, this::vmSizes);
                }
                if (n == 8 && (what.equals("operations") || what.equals("operationresults"))) {
                    String id = segs.get(7);
                    return new Route("Operations.Get", compute ? "operation.get" : "resource.read", sub, loc,
                            () -> operationStatus(id, request));
                }
            }
        }
        throw unknownRoute(method, request.path());
    }

    private Route groupRoute(Request request, String sub, String rg, String v) {
        Group existing = world.group(sub, rg);
        String region = existing == null ? "global" : existing.location.toLowerCase(Locale.ROOT);
        switch (request.method()) {
            case "HEAD":
                return new Route("ResourceGroups.CheckExistence", "resource.read", sub, region,
                        () -> new Response(world.group(sub, rg) == null ? 404 : 204, null, new byte[0]));
            case "GET":
                return new Route("ResourceGroups.Get", "resource.read", sub, region, () -> ok(render(requireGroup(sub,
                        rg))));
            case "PUT":
            case "PATCH": {
                JsonNode body = body(request);
                String location = body.path("location").asText(existing == null ? "" : existing.location);
                if (location.isEmpty()) {
                    throw ArmError.badRequest("LocationRequired", "The location property is required for this"
                            + " definition.");
                }
                String where = location.toLowerCase(Locale.ROOT).replace(" ", "");
                boolean patch = request.method().equals("PATCH");
                return new Route(patch ? "ResourceGroups.Update" : "ResourceGroups.CreateOrUpdate", "resource.write",
                        sub, where, () -> {
                            if (patch) {
                                requireGroup(sub, rg);
                            }
                            checkName(rg, "resource group", 90);
                            boolean[] created = new boolean[1];
                            Group g = world.putGroup(sub, rg, where, tags(body), created);
                            return json(created[0] ? 201 : 200, render(g));
                        });
            }
            case "DELETE":
                return new Route("ResourceGroups.Delete", "resource.delete", sub, region, () -> {
                    Group g = world.group(sub, rg);
                    if (g == null) {
                        throw ArmError.groupNotFound(rg);
                    }
                    Op op = world.startOperation(sub, g.location, "Microsoft.Resources", config.delays().groupDelete(),
                            null);
                    world.deleteGroup(g, config.delays().groupDelete());
                    String location = base(request) + "/subscriptions/" + sub + "/operationresults/" + op.id()
                            + "?api-version=" + v;
                    return accepted(location, null);
                });
            default:
                throw unknownRoute(request.method(), request.path());
        }
    }

    private Route resourceRoute(Request request, String sub, String rg, String region, List<String> rest,
            Map<String, String> query) {
        String method = request.method();
        String v = query.get("api-version");
        String ns = rest.get(0);
        List<String> parts = rest.subList(1, rest.size());
        // deployments/{name}/operations and deployments/{name}/operationStatuses/{id}
        if (ns.equalsIgnoreCase("Microsoft.Resources") && parts.size() >= 3
                && parts.get(0).equalsIgnoreCase("deployments")) {
            String deployment = parts.get(1);
            String tail = parts.get(2).toLowerCase(Locale.ROOT);
            if (parts.size() == 3 && tail.equals("operations") && method.equals("GET")) {
                return new Route("DeploymentOperations.List", "resource.read", sub, region,
                        () -> deploymentOperations(sub, rg, deployment));
            }
            if (parts.size() == 3 && tail.equals("validate") && method.equals("POST")) {
                JsonNode body = body(request);
                return new Route("Deployments.Validate", "resource.write", sub, region,
                        () -> validateDeployment(sub, rg, deployment, body));
            }
            if (parts.size() == 4 && tail.equals("operationstatuses") && method.equals("GET")) {
                return new Route("Deployments.GetOperationStatus", "resource.read", sub, region,
                        () -> operationStatus(parts.get(3), request));
            }
        }
        boolean action = parts.size() % 2 == 1 && parts.size() >= 3
                && VM_ACTIONS.contains(parts.get(parts.size() - 1).toLowerCase(Locale.ROOT));
        List<String> path = action ? parts.subList(0, parts.size() - 1) : parts;
        StringBuilder rawType = new StringBuilder(ns);
        for (int i = 0; i < path.size(); i += 2) {
            rawType.append('/').append(path.get(i));
        }
        String type = ArmTypes.canonical(rawType.toString());
        if (type == null) {
            throw ArmError.badRequest("InvalidResourceType", "The resource type '" + rawType.substring(ns.length() + 1)
                    + "' could not be found in the namespace '" + ns + "' for api version '" + v
                    + "'. The emulator serves: " + ArmTypes.known());
        }
        String group = ArmTypes.operationGroup(type);
        boolean vm = type.equals(ArmTypes.VM);
        if (path.size() % 2 == 1) {
            // A collection: list by resource group (or under a parent).
            if (!method.equals("GET")) {
                throw unknownRoute(method, request.path());
            }
            String parentId = path.size() > 1 ? id(sub, rg, ns, path.subList(0, path.size() - 1)) : null;
            return new Route(group + ".List", vm ? "vm.list" : "resource.read", sub, region,
                    () -> listTyped(sub, requireGroup(sub, rg).name, type, parentId, query.get("$filter")));
        }
        String id = id(sub, rg, ns, path);
        String name = path.get(path.size() - 1);
        if (action) {
            String verb = parts.get(parts.size() - 1).toLowerCase(Locale.ROOT);
            if (!vm) {
                throw unknownRoute(method, request.path());
            }
            if (verb.equals("instanceview") && method.equals("GET")) {
                return new Route("VirtualMachines.InstanceView", "vm.get", sub, region,
                        () -> ok(instanceView(requireResource(id, type, name, rg))));
            }
            if (!method.equals("POST")) {
                throw unknownRoute(method, request.path());
            }
            String label = switch (verb) {
                case "deallocate" -> "Deallocate";
                case "generalize" -> "Generalize";
                case "poweroff" -> "PowerOff";
                case "start" -> "Start";
                default -> "Restart";
            };
            return new Route("VirtualMachines." + label, "vm.put", sub, region,
                    () -> vmAction(request, requireResource(id, type, name, rg), verb, v));
        }
        switch (method) {
            case "GET":
                return new Route(group + ".Get", vm ? "vm.get" : "resource.read", sub, region,
                        () -> ok(render(requireResource(id, type, name, rg), "instanceView".equalsIgnoreCase(
                                query.get("$expand")))));
            case "PUT":
            case "PATCH": {
                JsonNode body = body(request);
                return new Route(group + (method.equals("PUT") ? ".CreateOrUpdate" : ".Update"),
                        vm ? "vm.put" : "resource.write", sub, region,
                        () -> put(request, sub, requireGroup(sub, rg), type, id, name, body, method.equals("PATCH"),
                                v));
            }
            case "DELETE":
                return new Route(group + ".Delete", vm ? "vm.delete" : "resource.delete", sub, region,
                        () -> delete(request, sub, type, id, v));
            default:
                throw unknownRoute(method, request.path());
        }
    }

    private ArmError unknownRoute(String method, String path) {
        if (unknown.add(method + " " + path)) {
            LOG.warn("ARM emulator: no route for {} {}", method, path);
        }
        return ArmError.of(404, "NotFound", "The emulator serves no " + method + " " + path);
    }

    // --- api-version

    private static void checkApiVersion(String version) {
        if (version == null || version.isBlank()) {
            throw ArmError.badRequest("MissingApiVersionParameter",
                    "The api-version query parameter (?api-version=) is required for all requests.");
        }
        Matcher m = API_VERSION.matcher(version);
        boolean ok = false;
        if (m.matches()) {
            try {
                LocalDate d = LocalDate.parse(m.group(1));
                ok = !d.isBefore(OLDEST_API) && !d.isAfter(NEWEST_API);
            } catch (DateTimeParseException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw ArmError.badRequest("InvalidApiVersionParameter", "The api-version '" + version
                    + "' is invalid. The supported versions are dated between " + OLDEST_API + " and " + NEWEST_API
                    + ", e.g. '2024-07-01', '2024-11-01'.");
        }
    }

    // --- subscriptions and groups

    private ObjectNode subscription(String sub) {
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

    private Response listSubscriptions() {
        ArrayNode value = JSON.createArrayNode();
        world.subscriptions().forEach(s -> value.add(subscription(s)));
        return ok(JSON.createObjectNode().set("value", value));
    }

    private Response locations(String sub) {
        ArrayNode value = JSON.createArrayNode();
        for (String region : config.regions()) {
            value.addObject().put("id", "/subscriptions/" + sub + "/locations/" + region).put("name", region)
                    .put("displayName", region).put("regionalDisplayName", region);
        }
        return ok(JSON.createObjectNode().set("value", value));
    }

    private Group requireGroup(String sub, String rg) {
        Group g = world.group(sub, rg);
        if (g == null) {
            throw ArmError.groupNotFound(rg);
        }
        return g;
    }

    private static ObjectNode render(Group g) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", g.id());
        o.put("name", g.name);
        o.put("type", "Microsoft.Resources/resourceGroups");
        o.put("location", g.location);
        o.set("tags", JSON.valueToTree(g.tags));
        o.putObject("properties").put("provisioningState", g.state);
        return o;
    }

    private Response listGroups(String sub, String filter) {
        Tag tag = tagFilter(filter);
        ArrayNode value = JSON.createArrayNode();
        for (Group g : world.groups(sub)) {
            if (tag == null || tag.matches(g.tags)) {
                value.add(render(g));
            }
        }
        return ok(JSON.createObjectNode().set("value", value));
    }

    // --- generic resources

    private record Tag(String key, String value) {
        boolean matches(Map<String, String> tags) {
            for (Map.Entry<String, String> e : tags.entrySet()) {
                if (e.getKey().equalsIgnoreCase(key) && (value == null || e.getValue().equals(value))) {
                    return true;
                }
            }
            return false;
        }
    }

    private static Tag tagFilter(String filter) {
        if (filter == null || filter.isBlank()) {
            return null;
        }
        Matcher m = TAG_FILTER.matcher(filter);
        if (m.matches()) {
            return new Tag(m.group(1), m.group(2));
        }
        if (TYPE_FILTER.matcher(filter).matches()) {
            return null;
        }
        throw ArmError.badRequest("InvalidFilterInQueryString", "Invalid $filter '" + filter + "'. The emulator"
                + " understands \"tagName eq 'k' and tagValue eq 'v'\", \"tagName eq 'k'\" and"
                + " \"resourceType eq 'Namespace/type'\".");
    }

    private Response listResources(String sub, String rg, String filter) {
        Tag tag = tagFilter(filter);
        Matcher typeFilter = filter == null ? null : TYPE_FILTER.matcher(filter);
        String type = typeFilter != null && typeFilter.matches() ? typeFilter.group(1) : null;
        ArrayNode value = JSON.createArrayNode();
        for (Res r : world.resources(sub, rg)) {
            if ((tag == null || tag.matches(r.tags)) && (type == null || r.type.equalsIgnoreCase(type))
                    && !r.type.equals(ArmTypes.DEPLOYMENT)) {
                ObjectNode o = value.addObject();
                o.put("id", r.id);
                o.put("name", r.name.substring(r.name.lastIndexOf('/') + 1));
                o.put("type", r.type);
                o.put("location", r.location);
                o.set("tags", JSON.valueToTree(r.tags));
            }
        }
        return ok(JSON.createObjectNode().set("value", value));
    }

    private Response listTyped(String sub, String rg, String type, String parentId, String filter) {
        Tag tag = tagFilter(filter);
        ArrayNode value = JSON.createArrayNode();
        for (Res r : world.resources(sub, rg)) {
            if (r.type.equals(type) && (tag == null || tag.matches(r.tags))
                    && (parentId == null || r.id.toLowerCase(Locale.ROOT).startsWith(
                            parentId.toLowerCase(Locale.ROOT) + "/"))) {
                value.add(render(r, false));
            }
        }
        return ok(JSON.createObjectNode().set("value", value));
    }

    private Res requireResource(String id, String type, String name, String rg) {
        Res r = world.resource(id);
        if (r == null) {
            throw ArmError.notFound(type, name, rg);
        }
        return r;
    }

    private static String id(String sub, String rg, String ns, List<String> path) {
        StringBuilder b = new StringBuilder("/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/");
        String type = ArmTypes.canonical(typeOf(ns, path));
        String[] typeParts = type.split("/");
        b.append(typeParts[0]);
        for (int i = 0; i < path.size(); i += 2) {
            b.append('/').append(typeParts[1 + i / 2]).append('/').append(path.get(i + 1));
        }
        return b.toString();
    }

    private static String typeOf(String ns, List<String> path) {
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
            props.set("instanceView", instanceView(r));
        }
        if (r.type.equals(ArmTypes.DEPLOYMENT)) {
            props.remove("kilnOperations");
        }
        return o;
    }

    private ObjectNode render(Res r) {
        return render(r, false);
    }

    private ObjectNode instanceView(Res r) {
        ObjectNode iv = JSON.createObjectNode();
        iv.put("computerName", r.name);
        ArrayNode statuses = iv.putArray("statuses");
        statuses.addObject().put("code", "ProvisioningState/" + r.state.toLowerCase(Locale.ROOT))
                .put("level", "Info").put("displayStatus", "Provisioning " + r.state.toLowerCase(Locale.ROOT));
        String power = r.pendingPower != null && !r.pendingPower.equals(r.power) ? transitional(r.pendingPower)
                : r.power;
        statuses.addObject().put("code", "PowerState/" + power).put("level", "Info")
                .put("displayStatus", "VM " + power);
        return iv;
    }

    private static String transitional(String target) {
        return switch (target) {
            case "deallocated" -> "deallocating";
            case "stopped" -> "stopping";
            default -> "starting";
        };
    }

    // --- create, update, delete

    private Response put(Request request, String sub, Group g, String type, String id, String name, JsonNode body,
            boolean patch, String v) {
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
        Res r = type.equals(ArmTypes.DEPLOYMENT) ? deploy(sub, g, name, body)
                : create(sub, g, type, id, name, body, existing);
        Duration delay = type.equals(ArmTypes.IMAGE) || type.equals(ArmTypes.GALLERY_VERSION)
                ? config.delays().capture() : config.delays().create();
        Op op = world.startOperation(sub, r.location, ArmTypes.namespace(type), delay, null);
        r.readyAt = op.doneNanos();
        r.state = existing == null ? "Creating" : "Updating";
        if (delay.isZero()) {
            r.state = "Succeeded";
        }
        String status = asyncUrl(request, sub, r, op, v);
        return json(existing == null ? 201 : 200, render(r)).withHeader("Azure-AsyncOperation", status)
                .withHeader("Retry-After", Long.toString(config.delays().retryAfter().toSeconds()));
    }

    private String asyncUrl(Request request, String sub, Res r, Op op, String v) {
        if (r.type.equals(ArmTypes.DEPLOYMENT)) {
            return base(request) + r.id + "/operationStatuses/" + op.id() + "?api-version=" + v;
        }
        return base(request) + "/subscriptions/" + sub + "/providers/" + ArmTypes.namespace(r.type) + "/locations/"
                + r.location + "/operations/" + op.id() + "?api-version=" + v;
    }

    /** Creates or updates one resource, from a request or a deployment; checks quota and references. */
    private Res create(String sub, Group g, String type, String id, String name, JsonNode body, Res existing) {
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
        checkName(name, type, type.equals(ArmTypes.VM) ? 64 : 80);
        String fullName = child ? parent.name + "/" + name : name;
        Res r = existing != null ? existing : new Res(id, sub, g.name, type, fullName, location);
        ObjectNode props = body.path("properties").isObject() ? (ObjectNode) body.get("properties").deepCopy()
                : JSON.createObjectNode();
        props.remove("provisioningState");
        switch (type) {
            case ArmTypes.VM -> vm(sub, g, r, props, existing);
            case ArmTypes.IMAGE -> image(r, props, existing);
            case ArmTypes.GALLERY_VERSION -> galleryVersion(r, name, props);
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
        Map<String, String> tags = tags(body);
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

    private void vm(String sub, Group g, Res r, ObjectNode props, Res existing) {
        String sizeName = props.path("hardwareProfile").path("vmSize").asText(
                existing != null && existing.size != null ? existing.size.name() : "");
        VmSizes.Size size = VmSizes.of(sizeName).orElseThrow(() -> ArmError.badRequest("InvalidParameter",
                "The requested VM size '" + sizeName + "' is not available in location '" + r.location
                        + "'. Sizes the emulator knows: " + String.join(", ", names())));
        int oldCores = existing != null && existing.size != null && !"deallocated".equals(existing.power)
                ? existing.size.cores() : 0;
        String oldFamily = existing != null && existing.size != null ? existing.size.family() : null;
        checkQuota(sub, r.location, size.cores() - oldCores,
                size.family().equals(oldFamily) ? size.cores() - oldCores : size.cores(), size.family());
        r.size = size;
        props.withObjectProperty("hardwareProfile").put("vmSize", size.name());
        if (existing == null) {
            props.put("vmId", world.uuid());
            ObjectNode osDisk = props.withObjectProperty("storageProfile").withObjectProperty("osDisk");
            String diskName = osDisk.path("name").asText(r.name + "_OsDisk_1_" + world.hex(16) + world.hex(16));
            String diskId = "/subscriptions/" + sub + "/resourceGroups/" + g.name + "/providers/Microsoft.Compute/disks/"
                    + diskName;
            ObjectNode diskBody = JSON.createObjectNode().put("location", r.location);
            diskBody.putObject("properties").put("diskSizeGB", osDisk.path("diskSizeGB").asInt(30))
                    .put("osType", osDisk.path("osType").asText("Linux")).put("diskState", "Attached")
                    .putObject("creationData").put("createOption", "FromImage");
            Res disk = create(sub, g, ArmTypes.DISK, diskId, diskName, diskBody, null);
            disk.body.put("managedBy", r.id);
            disk.properties().put("diskState", "Attached");
            osDisk.put("name", diskName).put("osType", osDisk.path("osType").asText("Linux"))
                    .put("createOption", osDisk.path("createOption").asText("FromImage"))
                    .put("diskSizeGB", osDisk.path("diskSizeGB").asInt(30));
            osDisk.withObjectProperty("managedDisk").put("id", diskId);
            r.power = "running";
        }
    }

    private static List<String> names() {
        List<String> out = new ArrayList<>();
        VmSizes.all().forEach(s -> out.add(s.name()));
        return out;
    }

    private void checkQuota(String sub, String region, int cores, int familyCores, String family) {
        if (cores <= 0 && familyCores <= 0) {
            return;
        }
        int limit = config.coresLimit(sub, region);
        int usage = world.coresInUse(sub, region, null);
        if (usage + cores > limit) {
            throw quota("Total Regional Cores", region, limit, usage, cores);
        }
        int familyLimit = config.familyLimit(sub, region, family);
        int familyUsage = world.coresInUse(sub, region, family);
        if (familyUsage + familyCores > familyLimit) {
            throw quota(family + " Cores", region, familyLimit, familyUsage, familyCores);
        }
    }

    private static ArmError quota(String what, String region, int limit, int usage, int required) {
        return new ArmError(409, "OperationNotAllowed", "Operation could not be completed as it results in exceeding"
                + " approved " + what + " quota. Additional details - Deployment Model: Resource Manager, Location: "
                + region + ", Current Limit: " + limit + ", Current Usage: " + usage + ", Additional Required: "
                + required + ", (Minimum) New Limit Required: " + (usage + required) + ". Submit a request for Quota"
                + " increase at https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView"
                + " by specifying parameters listed in the 'Details' section for deployment to succeed. Please read"
                + " more about quota limits at https://docs.microsoft.com/en-us/azure/azure-supportability/"
                + "regional-quota-requests.", Outcome.QUOTA, null, -1);
    }

    private void image(Res r, ObjectNode props, Res existing) {
        String source = props.path("sourceVirtualMachine").path("id").asText("");
        if (existing != null) {
            String was = existing.properties().path("sourceVirtualMachine").path("id").asText("");
            if (!was.equalsIgnoreCase(source)) {
                throw ArmError.of(409, "PropertyChangeNotAllowed", "Changing property 'sourceVirtualMachine' is not"
                        + " allowed.");
            }
        }
        if (!source.isEmpty()) {
            Res vm = world.resource(source);
            if (vm == null || !vm.isVm()) {
                throw ArmError.badRequest("InvalidParameter", "The source virtual machine '" + source
                        + "' was not found.");
            }
            if (!vm.generalized) {
                throw ArmError.of(409, "OperationNotAllowed", "The source virtual machine '" + source
                        + "' must be generalized to create an image.");
            }
            JsonNode vmDisk = vm.properties().path("storageProfile").path("osDisk");
            ObjectNode os = props.withObjectProperty("storageProfile").withObjectProperty("osDisk");
            os.put("osType", vmDisk.path("osType").asText("Linux")).put("osState", "Generalized")
                    .put("diskSizeGB", vmDisk.path("diskSizeGB").asInt(30)).put("caching", "ReadWrite")
                    .put("storageAccountType", "Standard_LRS");
            os.withObjectProperty("managedDisk").put("id", vmDisk.path("managedDisk").path("id").asText(""));
        } else if (!props.path("storageProfile").path("osDisk").isObject()) {
            throw ArmError.badRequest("InvalidParameter", "An image needs properties.sourceVirtualMachine.id or"
                    + " properties.storageProfile.osDisk.");
        }
        if (!props.has("hyperVGeneration")) {
            props.put("hyperVGeneration", "V1");
        }
    }

    private void galleryVersion(Res r, String name, ObjectNode props) {
        if (!VERSION_NAME.matcher(name).matches()) {
            throw ArmError.badRequest("InvalidParameter", "The gallery image version name '" + name + "' is invalid."
                    + " It must be of the form <MajorVersion>.<MinorVersion>.<Patch>, e.g. 1.0.0.");
        }
        String source = props.path("storageProfile").path("source").path("id").asText(
                props.path("publishingProfile").path("source").path("managedImage").path("id").asText(""));
        if (source.isEmpty()) {
            throw ArmError.badRequest("InvalidParameter", "A gallery image version needs"
                    + " properties.storageProfile.source.id naming a managed image.");
        }
        Res image = world.resource(source);
        if (image == null || image.deleting()) {
            throw ArmError.of(404, "NotFound", "The source image '" + source + "' was not found.");
        }
        ObjectNode publishing = props.withObjectProperty("publishingProfile");
        publishing.put("publishedDate", world.now().toString());
        if (!publishing.path("targetRegions").isArray()) {
            publishing.putArray("targetRegions").addObject().put("name", r.location).put("regionalReplicaCount", 1);
        }
        props.withObjectProperty("storageProfile").withObjectProperty("source").put("id", source);
    }

    private Response delete(Request request, String sub, String type, String id, String v) {
        Res r = world.resource(id);
        if (r == null) {
            return new Response(204, null, new byte[0]);
        }
        if (r.deleting()) {
            Op op = world.startOperation(sub, r.location, ArmTypes.namespace(type), Duration.ofNanos(
                    Math.max(0, r.goneAt - world.nanos())), null);
            return accepted(location(request, sub, op, v), asyncStatus(request, sub, r, op, v));
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
            return accepted(location(request, sub, op, v), null);
        }
        return accepted(location(request, sub, op, v), asyncStatus(request, sub, r, op, v));
    }

    private String location(Request request, String sub, Op op, String v) {
        return base(request) + "/subscriptions/" + sub + "/operationresults/" + op.id() + "?api-version=" + v;
    }

    private String asyncStatus(Request request, String sub, Res r, Op op, String v) {
        return base(request) + "/subscriptions/" + sub + "/providers/" + ArmTypes.namespace(r.type) + "/locations/"
                + r.location + "/operations/" + op.id() + "?api-version=" + v;
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

    private Response vmAction(Request request, Res vm, String verb, String v) {
        if (vm.deleting()) {
            throw ArmError.of(409, "OperationNotAllowed", "The VM '" + vm.name + "' is being deleted.");
        }
        switch (verb) {
            case "generalize": {
                if (!"deallocated".equals(vm.power) && !"stopped".equals(vm.power)) {
                    throw ArmError.of(409, "OperationNotAllowed", "Operation 'generalize' is not allowed on VM '"
                            + vm.name + "' since the VM is running. Please power off explicitly in case you"
                            + " shut down the VM from inside the guest operating system.");
                }
                vm.generalized = true;
                return new Response(200, null, new byte[0]);
            }
            case "start":
            case "restart":
                if ("deallocated".equals(vm.power)) {
                    checkQuota(vm.subscription, vm.location, vm.size.cores(), vm.size.cores(), vm.size.family());
                }
                return power(request, vm, "running", config.delays().create(), v);
            case "poweroff":
                return power(request, vm, "stopped", config.delays().deallocate(), v);
            default:
                return power(request, vm, "deallocated", config.delays().deallocate(), v);
        }
    }

    private Response power(Request request, Res vm, String target, Duration delay, String v) {
        Op op = world.startOperation(vm.subscription, vm.location, "Microsoft.Compute", delay, null);
        if (delay.isZero()) {
            vm.power = target;
            world.notePeak(vm.subscription, vm.location);
        } else {
            // The cores stay in use until the VM is deallocated, as Compute counts them.
            vm.pendingPower = target;
            vm.powerAt = op.doneNanos();
        }
        return accepted(location(request, vm.subscription, op, v), asyncStatus(request, vm.subscription, vm, op, v));
    }

    // --- operations

    private Response operationStatus(String id, Request request) {
        Op op = world.operation(id);
        if (op == null) {
            throw ArmError.of(404, "NotFound", "The operation '" + id + "' was not found.");
        }
        boolean done = world.nanos() >= op.doneNanos();
        ObjectNode o = JSON.createObjectNode();
        o.put("name", op.id());
        o.put("startTime", op.started().toString());
        o.put("status", !done ? "InProgress" : op.failure() == null ? "Succeeded" : "Failed");
        if (done) {
            o.put("endTime", world.now().toString());
        }
        if (done && op.failure() != null) {
            o.putObject("error").put("code", op.failure().code).put("message", op.failure().getMessage());
        }
        Response r = ok(o);
        if (!done) {
            r = r.withHeader("Retry-After", Long.toString(config.delays().retryAfter().toSeconds()));
        }
        return r;
    }

    private Response operationResult(String id, String v, Request request) {
        Op op = world.operation(id);
        if (op == null) {
            throw ArmError.of(404, "NotFound", "The operation '" + id + "' was not found.");
        }
        if (world.nanos() < op.doneNanos()) {
            return accepted(base(request) + "/subscriptions/" + op.subscription() + "/operationresults/" + id
                    + "?api-version=" + v, null);
        }
        if (op.failure() != null) {
            throw op.failure();
        }
        return new Response(200, null, new byte[0]);
    }

    private Response accepted(String location, String asyncOperation) {
        Response r = new Response(202, null, new byte[0]).withHeader("Location", location)
                .withHeader("Retry-After", Long.toString(config.delays().retryAfter().toSeconds()));
        return asyncOperation == null ? r : r.withHeader("Azure-AsyncOperation", asyncOperation);
    }

    // --- quotas and sizes

    private Response usages(String sub, String region) {
        ArrayNode value = JSON.createArrayNode();
        usage(value, "cores", "Total Regional vCPUs", world.coresInUse(sub, region, null),
                config.coresLimit(sub, region));
        usage(value, "virtualMachines", "Virtual Machines", world.vmCount(sub, region), 25_000);
        usage(value, "availabilitySets", "Availability Sets", 0, 2_500);
        for (String family : VmSizes.families()) {
            usage(value, family, VmSizes.localizedFamily(family), world.coresInUse(sub, region, family),
                    config.familyLimit(sub, region, family));
        }
        return ok(JSON.createObjectNode().set("value", value));
    }

    private static void usage(ArrayNode value, String name, String localized, long current, long limit) {
        ObjectNode u = value.addObject();
        u.put("unit", "Count");
        u.put("currentValue", current);
        u.put("limit", limit);
        u.putObject("name").put("value", name).put("localizedValue", localized);
    }

    private Response vmSizes() {
        ArrayNode value = JSON.createArrayNode();
        for (VmSizes.Size s : VmSizes.all()) {
            value.addObject().put("name", s.name()).put("numberOfCores", s.cores()).put("osDiskSizeInMB", 1_047_552)
                    .put("resourceDiskSizeInMB", s.cores() * 8192).put("memoryInMB", s.memoryMb())
                    .put("maxDataDiskCount", Math.max(2, s.cores() * 2));
        }
        return ok(JSON.createObjectNode().set("value", value));
    }

    // --- deployments

    private List<Templates.Resolved> resolve(String sub, Group g, JsonNode body) {
        JsonNode props = body.path("properties");
        if (!props.path("template").isObject()) {
            throw Templates.invalid("properties.template must be an inline template (templateLink is not served)");
        }
        return new Templates(props.get("template"), props.path("parameters"), sub, g).resources();
    }

    private Response validateDeployment(String sub, String rg, String name, JsonNode body) {
        Group g = requireGroup(sub, rg);
        List<Templates.Resolved> resources = resolve(sub, g, body);
        ObjectNode o = JSON.createObjectNode();
        o.put("id", g.id() + "/providers/Microsoft.Resources/deployments/" + name);
        o.put("name", name);
        ObjectNode props = o.putObject("properties");
        props.put("provisioningState", "Succeeded");
        props.put("mode", body.path("properties").path("mode").asText("Incremental"));
        ArrayNode validated = props.putArray("validatedResources");
        for (Templates.Resolved r : resources) {
            validated.addObject().put("id", resourceIdOf(sub, g, r));
        }
        return ok(o);
    }

    private static String resourceIdOf(String sub, Group g, Templates.Resolved r) {
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
        List<Templates.Resolved> resources = resolve(sub, g, body);
        int cores = 0;
        Map<String, Integer> families = new LinkedHashMap<>();
        String region = g.location;
        for (Templates.Resolved r : resources) {
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
            checkQuota(sub, region, cores, f.getValue(), f.getKey());
        }
        ArrayNode operations = JSON.createArrayNode();
        ArrayNode outputs = JSON.createArrayNode();
        for (Templates.Resolved r : resources) {
            String id = resourceIdOf(sub, g, r);
            String type = ArmTypes.canonical(r.type());
            String leaf = r.name().substring(r.name().lastIndexOf('/') + 1);
            ObjectNode b = (ObjectNode) r.body();
            if (!b.has("location")) {
                b.put("location", g.location);
            }
            Res created = create(sub, g, type, id, leaf, b, world.resource(id));
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
        Map<String, String> tags = tags(body);
        if (tags != null) {
            d.tags.clear();
            d.tags.putAll(tags);
        }
        return d;
    }

    private Response deploymentOperations(String sub, String rg, String name) {
        Group g = requireGroup(sub, rg);
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

    // --- token endpoint

    private static boolean isToken(List<String> segs) {
        int n = segs.size();
        return n >= 3 && segs.get(n - 1).equals("token") && (segs.get(1).equals("oauth2")
                && (n == 3 || n == 4 && segs.get(2).equals("v2.0")));
    }

    /** A client-credentials token: an unsigned JWT, enough for clients that read its claims. */
    private Response token(Request request, List<String> segs) throws JsonProcessingException {
        Map<String, String> form = query(request.bodyText());
        String tenant = segs.get(0);
        String client = form.getOrDefault("client_id", "kiln-emulator-client");
        String resource = form.getOrDefault("resource", form.getOrDefault("scope", "https://management.azure.com/"));
        long now = world.now().getEpochSecond();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        ObjectNode claims = JSON.createObjectNode().put("aud", resource).put("iss", "https://sts.windows.net/" + tenant
                + "/").put("iat", now).put("nbf", now).put("exp", now + 3600).put("appid", client)
                .put("oid", ArmEmulator.OBJECT_ID).put("sub", ArmEmulator.OBJECT_ID).put("tid", tenant);
        String jwt = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(JSON.writeValueAsBytes(claims)) + ".";
        ObjectNode o = JSON.createObjectNode().put("token_type", "Bearer").put("expires_in", "3599")
                .put("ext_expires_in", "3599").put("expires_on", Long.toString(now + 3599))
                .put("not_before", Long.toString(now)).put("resource", resource).put("access_token", jwt);
        record(tenant, "global", "Token.Acquire", 200, null, Outcome.OK);
        return ok(o);
    }

    // --- plumbing

    private static void checkName(String name, String what, int max) {
        if (name.isEmpty() || name.length() > max) {
            throw ArmError.badRequest("InvalidResourceName", "The name '" + name + "' of the " + what
                    + " must be 1 to " + max + " characters long.");
        }
    }

    private static Map<String, String> tags(JsonNode body) {
        JsonNode t = body.path("tags");
        if (!t.isObject()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        t.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static JsonNode body(Request request) {
        if (request.body().length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(request.body());
            if (n == null || !n.isObject()) {
                throw ArmError.badRequest("InvalidRequestContent", "The request content must be a JSON object.");
            }
            return n;
        } catch (IOException e) {
            throw ArmError.badRequest("InvalidRequestContent", "The request content was invalid and could not be"
                    + " deserialized: '" + e.getMessage() + "'.");
        }
    }

    private static String base(Request request) {
        String host = request.header("Host");
        return "http://" + (host == null ? "127.0.0.1" : host);
    }

    private static Response ok(JsonNode node) {
        return json(200, node);
    }

    private static Response json(int status, JsonNode node) {
        try {
            return new Response(status, TYPE, JSON.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Response error(ArmError e) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("code", e.code);
        err.put("message", e.getMessage());
        if (e.details != null) {
            err.set("details", e.details);
        }
        return json(e.status, root);
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }
}
