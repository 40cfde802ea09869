package dev.kiln.testkit.vsphere;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.kiln.testkit.ApiCall;
import dev.kiln.testkit.ApiCounters;
import dev.kiln.testkit.ApiCounters.Outcome;
import dev.kiln.testkit.Faults;
import dev.kiln.testkit.spi.CallJournal;
import dev.kiln.testkit.spi.EmulatorServer;
import dev.kiln.testkit.spi.EmulatorServer.Request;
import dev.kiln.testkit.spi.EmulatorServer.Response;
import dev.kiln.testkit.vsphere.VapiError.Type;
import dev.kiln.time.TimeSource;
import dev.kiln.time.Wakeup;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the vSphere Automation REST API: the /api form (vSphere 7.0 U2 and later) and the legacy
 * /rest form (6.5 to 7.0, answers wrapped in {@code {"value": ...}}), which is translated into the
 * /api form on the way in and back on the way out. Order per call: route, fault injection,
 * authentication, the operation; provisioning operations (clone, VM template export) wait for a
 * slot under the host and datastore cost limits instead of failing.
 */
final class VcenterHandler implements EmulatorServer.Handler {

    static final String SESSION_HEADER = "vmware-api-session-id";

    private static final Logger LOG = LoggerFactory.getLogger(VcenterEmulator.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "application/json";

    /** One operation, resolved from a request. */
    private record Route(String action, int okStatus, Auth auth, Op op) {
    }

    private enum Auth { BASIC, SESSION }

    @FunctionalInterface
    private interface Op {
        JsonNode run() throws VapiError, InterruptedException;
    }

    /** A request in the /api form. */
    private record ApiRequest(String method, List<String> segments, Map<String, List<String>> query, JsonNode body) {
        String action() {
            List<String> a = query.get("action");
            return a == null || a.isEmpty() ? null : a.get(0);
        }
    }

    private final VcenterConfig config;
    private final Inventory inventory;
    private final Sessions sessions;
    private final Provisioning provisioning;
    private final Faults faults;
    private final ApiCounters counters;
    private final CallJournal journal;
    private final TimeSource time;
    private final Set<String> unknown = ConcurrentHashMap.newKeySet();

    VcenterHandler(VcenterConfig config, Inventory inventory, Sessions sessions, Provisioning provisioning,
            Faults faults, ApiCounters counters, CallJournal journal) {
        this.config = config;
        this.inventory = inventory;
        this.sessions = sessions;
        this.provisioning = provisioning;
        this.faults = faults;
        this.counters = counters;
        this.journal = journal;
        this.time = config.time();
    }

    Set<String> unknownOperations() {
        return Set.copyOf(unknown);
    }

    void forgetUnknown() {
        unknown.clear();
    }

    @Override
    public Response handle(Request request) throws InterruptedException {
        String path = request.path();
        boolean legacy;
        if (path.equals("/api") || path.startsWith("/api/")) {
            if (config.legacyOnly()) {
                // vCenter 6.7 has no /api: its web server answers 404 there.
                return Response.of(404, "text/html", "<html><body><h1>404 Not Found</h1></body></html>");
            }
            legacy = false;
        } else if (path.startsWith("/rest/")) {
            legacy = true;
        } else {
            return Response.of(404, "text/plain", "the vCenter emulator answers the Automation REST API under /api"
                    + " and /rest; the SOAP API (/sdk) is not emulated");
        }
        Map<String, List<String>> query = query(request.rawQuery());
        JsonNode body;
        String action = "unknown";
        String region = "";
        try {
            body = body(request);
            ApiRequest api = legacy ? fromLegacy(request.method(), path.substring("/rest".length()), query, body)
                    : new ApiRequest(request.method(), segments(path.substring("/api".length())), query, body);
            Route route = api == null ? null : route(api);
            if (route == null) {
                if (unknown.add(request.method() + " " + path)) {
                    LOG.warn("vCenter emulator: no operation {} {} (answered NOT_FOUND)", request.method(), path);
                }
                throw new VapiError(Type.NOT_FOUND, "com.vmware.vapi.rest.httpNotFound", "Not found.");
            }
            action = route.action();
            region = regionOf(api);
            switch (faults.apply(action)) {
                case OUTAGE -> throw new VapiError(Type.SERVICE_UNAVAILABLE, "com.vmware.vapi.endpoint.unavailable",
                        "The service is unavailable.", Outcome.INJECTED_FAULT);
                case ERROR -> throw new VapiError(Type.ERROR, "com.vmware.vapi.std.errors.error",
                        "An internal error occurred.", Outcome.INJECTED_FAULT);
                case THROTTLE -> throw new VapiError(Type.SERVICE_UNAVAILABLE, "com.vmware.vapi.endpoint.throttled",
                        "The service is busy; too many requests.", Outcome.INJECTED_FAULT);
                case RESET -> {
                    record(action, region, 0, "ConnectionReset", Outcome.INJECTED_FAULT);
                    throw new EmulatorServer.ConnectionReset();
                }
                case NONE -> { }
            }
            String user = authenticate(route.auth(), request);
            JsonNode result = switch (action) {
                case "session.create" -> new TextNode(sessions.create(user));
                case "session.get" -> sessionInfo(request.header(SESSION_HEADER));
                case "session.delete" -> {
                    sessions.delete(request.header(SESSION_HEADER));
                    yield null;
                }
                default -> route.op().run();
            };
            record(action, region, legacy ? 200 : route.okStatus(), null, Outcome.OK);
            return ok(legacy, route.okStatus(), result);
        } catch (VapiError e) {
            record(action, region, e.type.status, e.type.name(), e.outcome);
            return error(legacy, e);
        }
    }

    private JsonNode sessionInfo(String token) {
        Sessions.Session session = sessions.touch(token);
        return JsonNodeFactory.instance.objectNode().put("user", session.user())
                .put("created_time", session.created().toString())
                .put("last_accessed_time", session.lastAccessed().toString());
    }

    private String authenticate(Auth auth, Request request) throws VapiError {
        if (auth == Auth.BASIC) {
            String header = request.header("Authorization");
            if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    decoded = "";
                }
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    String user = decoded.substring(0, colon);
                    String password = config.users().get(user);
                    if (password != null && password.equals(decoded.substring(colon + 1))) {
                        return user;
                    }
                }
            }
            throw new VapiError(Type.UNAUTHENTICATED, "com.vmware.vapi.endpoint.method.authentication.required",
                    "Authentication required.");
        }
        if (sessions.touch(request.header(SESSION_HEADER)) == null) {
            throw new VapiError(Type.UNAUTHENTICATED, "vapi.authentication.session.invalid",
                    "This method requires authentication.");
        }
        return null;
    }

    private void record(String action, String region, int status, String errorType, Outcome outcome) {
        counters.record(action, outcome);
        journal.add(new ApiCall(time.now(), VcenterEmulator.PROVIDER, config.name(), region, action, status,
                errorType));
    }

    private String regionOf(ApiRequest r) {
        List<String> s = r.segments();
        if (s.size() >= 3 && s.get(0).equals("vcenter") && s.get(1).equals("vm")) {
            return inventory.hostOfVm(s.get(2));
        }
        return "";
    }

    // ------------------------------------------------------------------ routes (/api form)

    private Route route(ApiRequest r) {
        List<String> s = r.segments();
        String m = r.method();
        String act = r.action();
        JsonNode body = r.body();
        Map<String, List<String>> q = r.query();
        if (s.equals(List.of("session"))) {
            return switch (m) {
                case "POST" -> new Route("session.create", 201, Auth.BASIC, null);
                case "GET" -> new Route("session.get", 200, Auth.SESSION, null);
                case "DELETE" -> new Route("session.delete", 204, Auth.SESSION, null);
                default -> null;
            };
        }
        if (s.isEmpty()) {
            return null;
        }
        return switch (s.get(0)) {
            case "vcenter" -> vcenter(s, m, act, body, q);
            case "cis" -> tagging(s, m, act, body);
            case "content" -> content(s, m, act, body, q);
            default -> null;
        };
    }

    private Route vcenter(List<String> s, String m, String act, JsonNode body, Map<String, List<String>> q) {
        if (s.size() == 2) {
            return switch (s.get(1) + " " + m + (act == null ? "" : " " + act)) {
                case "vm GET" -> new Route("vcenter.vm.list", 200, Auth.SESSION, () -> inventory.listVms(q));
                case "vm POST clone" -> new Route("vcenter.vm.clone", 200, Auth.SESSION, () -> clone(body));
                case "datastore GET" -> new Route("vcenter.datastore.list", 200, Auth.SESSION,
                        () -> inventory.listDatastores(q));
                case "host GET" -> new Route("vcenter.host.list", 200, Auth.SESSION, () -> inventory.listHosts(q));
                case "cluster GET" -> new Route("vcenter.cluster.list", 200, Auth.SESSION,
                        () -> inventory.listClusters(q));
                case "folder GET" -> new Route("vcenter.folder.list", 200, Auth.SESSION,
                        () -> inventory.listFolders(q));
                case "datacenter GET" -> new Route("vcenter.datacenter.list", 200, Auth.SESSION,
                        () -> inventory.listDatacenters(q));
                default -> null;
            };
        }
        if (s.get(1).equals("vm") && s.size() >= 3) {
            String vm = s.get(2);
            String rest = String.join("/", s.subList(3, s.size()));
            return switch (rest + " " + m + (act == null ? "" : " " + act)) {
                case " GET" -> new Route("vcenter.vm.get", 200, Auth.SESSION, () -> inventory.getVm(vm));
                case " DELETE" -> new Route("vcenter.vm.delete", 204, Auth.SESSION, () -> {
                    inventory.deleteVm(vm);
                    return null;
                });
                case "power GET" -> new Route("vcenter.vm.power.get", 200, Auth.SESSION, () -> inventory.powerGet(vm));
                case "power POST start", "power POST stop", "power POST suspend", "power POST reset" ->
                        new Route("vcenter.vm.power." + act, 204, Auth.SESSION, () -> {
                            inventory.power(vm, act);
                            return null;
                        });
                case "guest/identity GET" -> new Route("vcenter.vm.guest.identity.get", 200, Auth.SESSION,
                        () -> inventory.guestIdentity(vm));
                case "guest/power GET" -> new Route("vcenter.vm.guest.power.get", 200, Auth.SESSION,
                        () -> inventory.guestPowerGet(vm));
                case "guest/power POST shutdown", "guest/power POST reboot", "guest/power POST standby" ->
                        new Route("vcenter.vm.guest.power." + act, 204, Auth.SESSION, () -> {
                            inventory.guestPower(vm, act);
                            return null;
                        });
                default -> null;
            };
        }
        if (s.get(1).equals("datastore") && s.size() == 3 && m.equals("GET")) {
            return new Route("vcenter.datastore.get", 200, Auth.SESSION, () -> inventory.getDatastore(s.get(2)));
        }
        if (s.size() >= 3 && s.get(1).equals("vm-template") && s.get(2).equals("library-items")) {
            if (s.size() == 3 && m.equals("POST") && act == null) {
                return new Route("vcenter.vm_template.library_items.create", 201, Auth.SESSION,
                        () -> templateItem(body));
            }
            if (s.size() == 4 && m.equals("GET")) {
                return new Route("vcenter.vm_template.library_items.get", 200, Auth.SESSION,
                        () -> inventory.getTemplateItem(s.get(3)));
            }
        }
        return null;
    }

    private Route tagging(List<String> s, String m, String act, JsonNode body) {
        if (s.size() < 3 || !s.get(1).equals("tagging")) {
            return null;
        }
        String kind = s.get(2);
        String key = String.join("/", s.subList(3, s.size())).isEmpty() ? "" : "{id}";
        String id = s.size() > 3 ? s.get(3) : null;
        if (s.size() > 4) {
            return null;
        }
        return switch (kind + " " + key + " " + m + (act == null ? "" : " " + act)) {
            case "category  GET" -> new Route("cis.tagging.category.list", 200, Auth.SESSION,
                    inventory::listCategories);
            case "category  POST" -> new Route("cis.tagging.category.create", 201, Auth.SESSION,
                    () -> new TextNode(inventory.createCategory(body)));
            case "category {id} GET" -> new Route("cis.tagging.category.get", 200, Auth.SESSION,
                    () -> inventory.getCategory(id));
            case "category {id} DELETE" -> new Route("cis.tagging.category.delete", 204, Auth.SESSION, () -> {
                inventory.deleteCategory(id);
                return null;
            });
            case "tag  GET" -> new Route("cis.tagging.tag.list", 200, Auth.SESSION, inventory::listTags);
            case "tag  POST" -> new Route("cis.tagging.tag.create", 201, Auth.SESSION,
                    () -> new TextNode(inventory.createTag(body)));
            case "tag  POST list-tags-for-category" -> new Route("cis.tagging.tag.list-tags-for-category", 200,
                    Auth.SESSION, () -> inventory.tagsForCategory(Inventory.text(body, "category_id")));
            case "tag {id} GET" -> new Route("cis.tagging.tag.get", 200, Auth.SESSION, () -> inventory.getTag(id));
            case "tag {id} DELETE" -> new Route("cis.tagging.tag.delete", 204, Auth.SESSION, () -> {
                inventory.deleteTag(id);
                return null;
            });
            case "tag-association {id} POST attach" -> new Route("cis.tagging.tag_association.attach", 204,
                    Auth.SESSION, () -> {
                        inventory.attach(id, body);
                        return null;
                    });
            case "tag-association {id} POST detach" -> new Route("cis.tagging.tag_association.detach", 204,
                    Auth.SESSION, () -> {
                        inventory.detach(id, body);
                        return null;
                    });
            case "tag-association {id} POST list-attached-objects" -> new Route(
                    "cis.tagging.tag_association.list-attached-objects", 200, Auth.SESSION,
                    () -> inventory.attachedObjects(id));
            case "tag-association  POST list-attached-tags" -> new Route(
                    "cis.tagging.tag_association.list-attached-tags", 200, Auth.SESSION,
                    () -> inventory.attachedTags(body));
            default -> null;
        };
    }

    private Route content(List<String> s, String m, String act, JsonNode body, Map<String, List<String>> q) {
        if (s.size() < 2 || !s.get(1).equals("library")) {
            return null;
        }
        List<String> rest = s.subList(2, s.size());
        String shape = rest.isEmpty() ? "library" : rest.get(0).equals("item") ? (rest.size() == 1 ? "items" : "item")
                : "one";
        if ((shape.equals("one") && rest.size() != 1) || (shape.equals("item") && rest.size() != 2)) {
            return null;
        }
        String id = shape.equals("one") ? rest.get(0) : shape.equals("item") ? rest.get(1) : null;
        return switch (shape + " " + m + (act == null ? "" : " " + act)) {
            case "library GET" -> new Route("content.library.list", 200, Auth.SESSION, inventory::listLibraries);
            case "library POST find" -> new Route("content.library.find", 200, Auth.SESSION,
                    () -> inventory.findLibraries(body));
            case "one GET" -> new Route("content.library.get", 200, Auth.SESSION, () -> inventory.getLibrary(id));
            case "items GET" -> new Route("content.library.item.list", 200, Auth.SESSION,
                    () -> inventory.listItems(first(q, "library_id")));
            case "items POST find" -> new Route("content.library.item.find", 200, Auth.SESSION,
                    () -> inventory.findItems(body));
            case "item GET" -> new Route("content.library.item.get", 200, Auth.SESSION, () -> inventory.getItem(id));
            case "item DELETE" -> new Route("content.library.item.delete", 204, Auth.SESSION, () -> {
                inventory.deleteItem(id);
                return null;
            });
            default -> null;
        };
    }

    // ------------------------------------------------------------------ provisioning

    private JsonNode clone(JsonNode body) throws VapiError, InterruptedException {
        Inventory.Pending p = inventory.prepareClone(body);
        waitForSlot("vcenter.vm.clone", p, config.cloneTime().toNanos());
        return new TextNode(inventory.completeClone(p));
    }

    private JsonNode templateItem(JsonNode body) throws VapiError, InterruptedException {
        Inventory.Pending p = inventory.prepareTemplate(body);
        waitForSlot("vcenter.vm_template.library_items.create", p, config.templateTime().toNanos());
        return new TextNode(inventory.completeTemplate(p));
    }

    /** Holds the operation's cost from its slot's start to its end; waits for both, like vCenter's queue. */
    private void waitForSlot(String action, Inventory.Pending p, long durationNanos) throws InterruptedException {
        Provisioning.Slot slot = provisioning.admit(p.hostName(), p.datastoreName(), config.cloneCost(),
                time.nanoTime(), durationNanos);
        if (slot.queued()) {
            counters.recordQueued(action);
        }
        try {
            Wakeup never = new Wakeup();
            while (time.nanoTime() < slot.endNanos()) {
                time.await(never, slot.endNanos());
            }
        } catch (InterruptedException e) {
            inventory.abandon(p);
            throw e;
        }
    }

    // ------------------------------------------------------------------ the legacy /rest form

    /** Translates a legacy request into the /api form; null when there is no such legacy operation. */
    private static ApiRequest fromLegacy(String method, String path, Map<String, List<String>> rawQuery,
            JsonNode body) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        rawQuery.forEach((k, v) -> {
            String key = k.equals("~action") ? "action" : k.replaceFirst("^filter\\.", "").replaceFirst("\\.\\d+$", "");
            q.computeIfAbsent(key, x -> new ArrayList<>()).addAll(v);
        });
        List<String> raw = segments(path);
        List<String> s = new ArrayList<>();
        for (String seg : raw) {
            s.add(seg.startsWith("id:") ? seg.substring(3) : seg);
        }
        JsonNode inner = unwrap(body);
        String action = q.containsKey("action") ? q.get("action").get(0) : null;
        if (s.size() >= 3 && s.subList(0, 3).equals(List.of("com", "vmware", "cis"))) {
            List<String> tail = s.subList(3, s.size());
            if (tail.equals(List.of("session"))) {
                String m = "POST".equals(method) && "get".equals(action) ? "GET" : method;
                return new ApiRequest(m, List.of("session"), Map.of(), inner);
            }
            if (tail.size() == 3 && tail.get(0).equals("tagging") && tail.get(1).equals("tag")
                    && "list-tags-for-category".equals(action)) {
                ObjectNode b = JsonNodeFactory.instance.objectNode().put("category_id", tail.get(2));
                return new ApiRequest(method, List.of("cis", "tagging", "tag"), q, b);
            }
            List<String> api = new ArrayList<>(List.of("cis"));
            api.addAll(tail);
            return new ApiRequest(method, api, q, inner);
        }
        if (s.size() >= 3 && s.subList(0, 3).equals(List.of("com", "vmware", "content"))) {
            List<String> api = new ArrayList<>(List.of("content"));
            api.addAll(s.subList(3, s.size()));
            return new ApiRequest(method, api, q, inner);
        }
        if (!s.isEmpty() && s.get(0).equals("vcenter")) {
            if (s.size() == 5 && s.get(1).equals("vm") && s.get(3).equals("power") && "POST".equals(method)) {
                Map<String, List<String>> withAction = new LinkedHashMap<>(q);
                withAction.put("action", List.of(s.get(4)));
                return new ApiRequest(method, s.subList(0, 4), withAction, inner);
            }
            return new ApiRequest(method, s, q, inner);
        }
        return null;
    }

    /** Legacy bodies wrap the spec: {@code {"spec": {...}}} or {@code {"create_spec": {...}}}. */
    private static JsonNode unwrap(JsonNode body) {
        if (body != null && body.isObject() && body.size() == 1) {
            for (String key : List.of("spec", "create_spec")) {
                if (body.has(key)) {
                    return body.get(key);
                }
            }
        }
        return body;
    }

    // ------------------------------------------------------------------ parsing and answers

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String seg : path.split("/")) {
            if (!seg.isEmpty()) {
                out.add(seg);
            }
        }
        return out;
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String first(Map<String, List<String>> q, String key) {
        List<String> v = q.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static JsonNode body(Request request) throws VapiError {
        byte[] bytes = request.body();
        if (bytes.length == 0) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            return node == null ? JsonNodeFactory.instance.objectNode() : node;
        } catch (JsonProcessingException e) {
            throw new VapiError(Type.INVALID_REQUEST, "vapi.bind.json.parse.error",
                    "The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new VapiError(Type.INVALID_REQUEST, "vapi.bind.json.parse.error",
                    "The request body could not be read: " + e.getMessage());
        }
    }

    private static Response ok(boolean legacy, int status, JsonNode result) {
        if (legacy) {
            if (result == null) {
                return new Response(200, TYPE, new byte[0]);
            }
            ObjectNode wrapped = JsonNodeFactory.instance.objectNode();
            wrapped.set("value", result);
            return json(200, wrapped);
        }
        if (result == null) {
            return new Response(status == 200 ? 204 : status, TYPE, new byte[0]);
        }
        return json(status, result);
    }

    private static Response error(boolean legacy, VapiError e) {
        ArrayNode messages = JsonNodeFactory.instance.arrayNode();
        ObjectNode message = messages.addObject();
        ArrayNode args = message.putArray("args");
        e.args.forEach(args::add);
        message.put("default_message", e.getMessage()).put("id", e.messageId);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        if (legacy) {
            body.put("type", e.type.legacyName());
            body.putObject("value").set("messages", messages);
        } else {
            body.put("error_type", e.type.name());
            body.set("messages", messages);
        }
        return json(e.type.status, body);
    }

    private static Response json(int status, JsonNode node) {
        try {
            return new Response(status, TYPE, JSON.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
