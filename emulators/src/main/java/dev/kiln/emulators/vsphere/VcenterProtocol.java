package dev.kiln.emulators.vsphere;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.Faults;
import dev.kiln.emulators.spi.Answer;
import dev.kiln.emulators.spi.ApiError;
import dev.kiln.emulators.spi.ApiLimits;
import dev.kiln.emulators.spi.Call;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import dev.kiln.emulators.spi.Exchange;
import dev.kiln.emulators.spi.Protocol;
import dev.kiln.emulators.spi.RouteTable;
import dev.kiln.emulators.spi.RouteTable.Params;
import dev.kiln.emulators.vsphere.VapiError.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vSphere Automation REST API: the /api form (vSphere 7.0 U2 and later) and the legacy /rest
 * form (6.5 to 7.0, answers wrapped in {@code {"value": ...}}), which is translated into the /api
 * form on the way in and back on the way out. Routes are the /api form's method (with its
 * {@code ?action=}) and path. Per call: the route, fault injection, authentication, the operation;
 * provisioning operations wait for a slot under the host and datastore cost limits instead of
 * failing. vCenter has no documented API rate limit, so no call charges one.
 */
final class VcenterProtocol implements Protocol<VcenterProtocol.VcenterExchange> {

    static final String SESSION_HEADER = "vmware-api-session-id";

    private static final Logger LOG = LoggerFactory.getLogger(VcenterEmulator.class);
    private static final String TYPE = "application/json";

    private enum Auth { BASIC, SESSION }

    /** What a call does for the user it authenticated as (null in a session); null answers no body. */
    @FunctionalInterface
    private interface UserOperation {
        JsonNode run(String user) throws InterruptedException;
    }

    /** A request in the /api form. */
    private record ApiRequest(String method, List<String> segments, Map<String, List<String>> query, JsonNode body) {
        String action() {
            List<String> a = query.get("action");
            return a == null || a.isEmpty() ? null : a.get(0);
        }
    }

    /** A vCenter request, in whichever form it came, and once routed in the /api form. */
    static final class VcenterExchange extends Exchange {
        final boolean legacy;
        private ApiRequest api;

        VcenterExchange(Request request, boolean legacy, String vcenter) {
            super(request, vcenter, "", "unknown");
            this.legacy = legacy;
        }
    }

    private final VcenterConfig config;
    private final Inventory inventory;
    private final Sessions sessions;
    private final Clones clones;
    private final Predicate<String> firstUnknown;
    private final RouteTable<VcenterExchange> routes;

    /** {@code firstUnknown} notes a request no route answers and tells whether it is new. */
    VcenterProtocol(VcenterConfig config, Inventory inventory, Sessions sessions, Clones clones,
            Predicate<String> firstUnknown) {
        this.config = config;
        this.inventory = inventory;
        this.sessions = sessions;
        this.clones = clones;
        this.firstUnknown = firstUnknown;
        VmService vms = new VmService(inventory);
        Infrastructure infra = new Infrastructure(inventory);
        Tagging tagging = new Tagging(inventory);
        ContentLibrary library = new ContentLibrary(inventory);
        String vm = "/vcenter/vm/{vm}";
        String category = "/cis/tagging/category";
        String tag = "/cis/tagging/tag";
        String association = "/cis/tagging/tag-association";
        this.routes = RouteTable.<VcenterExchange>builder()
                .route("POST", "/session", (x, p) -> call(x, "session.create", 201, Auth.BASIC,
                        user -> new TextNode(sessions.create(user))))
                .route("GET", "/session", (x, p) -> call(x, "session.get", 200, Auth.SESSION,
                        user -> sessionInfo(x.request().header(SESSION_HEADER))))
                .route("DELETE", "/session", (x, p) -> call(x, "session.delete", 204, Auth.SESSION, user -> {
                    sessions.delete(x.request().header(SESSION_HEADER));
                    return null;
                }))
                .route("GET", "/vcenter/vm", (x, p) -> service(x, "vcenter.vm.list", 200,
                        () -> vms.list(x.api.query())))
                .route("POST?action=clone", "/vcenter/vm", (x, p) -> call(x, "vcenter.vm.clone", 200, Auth.SESSION,
                        user -> new TextNode(clones.cloneVm(x.api.body()))))
                .route("GET", "/vcenter/datastore", (x, p) -> service(x, "vcenter.datastore.list", 200,
                        () -> infra.listDatastores(x.api.query())))
                .route("GET", "/vcenter/host", (x, p) -> service(x, "vcenter.host.list", 200,
                        () -> infra.listHosts(x.api.query())))
                .route("GET", "/vcenter/cluster", (x, p) -> service(x, "vcenter.cluster.list", 200,
                        () -> infra.listClusters(x.api.query())))
                .route("GET", "/vcenter/folder", (x, p) -> service(x, "vcenter.folder.list", 200,
                        () -> infra.listFolders(x.api.query())))
                .route("GET", "/vcenter/datacenter", (x, p) -> service(x, "vcenter.datacenter.list", 200,
                        () -> infra.listDatacenters(x.api.query())))
                .route("GET", "/vcenter/datacenter/{id}", (x, p) -> service(x, "vcenter.datacenter.get", 200,
                        () -> infra.getDatacenter(p.get("id"))))
                .route("GET", "/vcenter/cluster/{id}", (x, p) -> service(x, "vcenter.cluster.get", 200,
                        () -> infra.getCluster(p.get("id"))))
                .route("GET", "/vcenter/resource-pool", (x, p) -> service(x, "vcenter.resource_pool.list", 200,
                        () -> infra.listResourcePools(x.api.query())))
                .route("GET", "/vcenter/resource-pool/{id}", (x, p) -> service(x, "vcenter.resource_pool.get", 200,
                        () -> infra.getResourcePool(p.get("id"))))
                .route("GET", "/vcenter/network", (x, p) -> service(x, "vcenter.network.list", 200,
                        () -> infra.listNetworks(x.api.query())))
                .route("POST", "/vcenter/ovf/library-item", (x, p) -> call(x, "vcenter.ovf.library_item.create", 200,
                        Auth.SESSION, user -> clones.ovf(x.api.body())))
                .route("GET", vm, (x, p) -> service(x, "vcenter.vm.get", 200, () -> vms.get(p.get("vm"))))
                .route("DELETE", vm, (x, p) -> service(x, "vcenter.vm.delete", 204, () -> {
                    vms.delete(p.get("vm"));
                    return null;
                }))
                .route("GET", vm + "/power", (x, p) -> service(x, "vcenter.vm.power.get", 200,
                        () -> vms.powerGet(p.get("vm"))))
                .route("POST?action=start", vm + "/power", (x, p) -> power(x, p, vms, "start"))
                .route("POST?action=stop", vm + "/power", (x, p) -> power(x, p, vms, "stop"))
                .route("POST?action=suspend", vm + "/power", (x, p) -> power(x, p, vms, "suspend"))
                .route("POST?action=reset", vm + "/power", (x, p) -> power(x, p, vms, "reset"))
                .route("GET", vm + "/guest/identity", (x, p) -> service(x, "vcenter.vm.guest.identity.get", 200,
                        () -> vms.guestIdentity(p.get("vm"))))
                .route("GET", vm + "/guest/power", (x, p) -> service(x, "vcenter.vm.guest.power.get", 200,
                        () -> vms.guestPowerGet(p.get("vm"))))
                .route("POST?action=shutdown", vm + "/guest/power", (x, p) -> guestPower(x, p, vms, "shutdown"))
                .route("POST?action=reboot", vm + "/guest/power", (x, p) -> guestPower(x, p, vms, "reboot"))
                .route("POST?action=standby", vm + "/guest/power", (x, p) -> guestPower(x, p, vms, "standby"))
                .route("GET", "/vcenter/datastore/{id}", (x, p) -> service(x, "vcenter.datastore.get", 200,
                        () -> infra.getDatastore(p.get("id"))))
                .route("POST", "/vcenter/vm-template/library-items", (x, p) -> call(x,
                        "vcenter.vm_template.library_items.create", 201, Auth.SESSION,
                        user -> new TextNode(clones.template(x.api.body()))))
                .route("GET", "/vcenter/vm-template/library-items/{id}", (x, p) -> service(x,
                        "vcenter.vm_template.library_items.get", 200, () -> clones.getTemplateItem(p.get("id"))))
                .route("GET", category, (x, p) -> service(x, "cis.tagging.category.list", 200,
                        tagging::listCategories))
                .route("POST", category, (x, p) -> service(x, "cis.tagging.category.create", 201,
                        () -> new TextNode(tagging.createCategory(x.api.body()))))
                .route("GET", category + "/{id}", (x, p) -> service(x, "cis.tagging.category.get", 200,
                        () -> tagging.getCategory(p.get("id"))))
                .route("DELETE", category + "/{id}", (x, p) -> service(x, "cis.tagging.category.delete", 204, () -> {
                    tagging.deleteCategory(p.get("id"));
                    return null;
                }))
                .route("GET", tag, (x, p) -> service(x, "cis.tagging.tag.list", 200, tagging::listTags))
                .route("POST", tag, (x, p) -> service(x, "cis.tagging.tag.create", 201,
                        () -> new TextNode(tagging.createTag(x.api.body()))))
                .route("POST?action=list-tags-for-category", tag, (x, p) -> service(x,
                        "cis.tagging.tag.list-tags-for-category", 200,
                        () -> tagging.tagsForCategory(Inventory.text(x.api.body(), "category_id"))))
                .route("GET", tag + "/{id}", (x, p) -> service(x, "cis.tagging.tag.get", 200,
                        () -> tagging.getTag(p.get("id"))))
                .route("DELETE", tag + "/{id}", (x, p) -> service(x, "cis.tagging.tag.delete", 204, () -> {
                    tagging.deleteTag(p.get("id"));
                    return null;
                }))
                .route("POST?action=attach", association + "/{id}", (x, p) -> service(x,
                        "cis.tagging.tag_association.attach", 204, () -> {
                            tagging.attach(p.get("id"), x.api.body());
                            return null;
                        }))
                .route("POST?action=detach", association + "/{id}", (x, p) -> service(x,
                        "cis.tagging.tag_association.detach", 204, () -> {
                            tagging.detach(p.get("id"), x.api.body());
                            return null;
                        }))
                .route("POST?action=list-attached-objects", association + "/{id}", (x, p) -> service(x,
                        "cis.tagging.tag_association.list-attached-objects", 200,
                        () -> tagging.attachedObjects(p.get("id"))))
                .route("POST?action=list-attached-tags", association, (x, p) -> service(x,
                        "cis.tagging.tag_association.list-attached-tags", 200,
                        () -> tagging.attachedTags(x.api.body())))
                .route("GET", "/content/library", (x, p) -> service(x, "content.library.list", 200,
                        library::listLibraries))
                .route("POST?action=find", "/content/library", (x, p) -> service(x, "content.library.find", 200,
                        () -> library.findLibraries(x.api.body())))
                .route("GET", "/content/library/item", (x, p) -> service(x, "content.library.item.list", 200,
                        () -> library.listItems(first(x.api.query(), "library_id"))))
                .route("POST?action=find", "/content/library/item", (x, p) -> service(x, "content.library.item.find",
                        200, () -> library.findItems(x.api.body())))
                .route("GET", "/content/library/item/{id}", (x, p) -> service(x, "content.library.item.get", 200,
                        () -> library.getItem(p.get("id"))))
                .route("DELETE", "/content/library/item/{id}", (x, p) -> service(x, "content.library.item.delete",
                        204, () -> {
                            library.deleteItem(p.get("id"));
                            return null;
                        }))
                .route("GET", "/content/library/{id}", (x, p) -> service(x, "content.library.get", 200,
                        () -> library.getLibrary(p.get("id"))))
                .build();
    }

    /** Whether {@code request} is one of this protocol's: the /api or the legacy /rest form. */
    static boolean accepts(Request request) {
        return isApi(request.path()) || request.path().startsWith("/rest/");
    }

    static boolean isApi(String path) {
        return path.equals("/api") || path.startsWith("/api/");
    }

    // ------------------------------------------------------------------ the pipeline's steps

    @Override
    public VcenterExchange open(Request request) {
        return new VcenterExchange(request, !isApi(request.path()), config.name());
    }

    @Override
    public Call route(VcenterExchange x) {
        Request request = x.request();
        String path = request.path();
        Map<String, List<String>> query = x.query().asMap();
        JsonNode body = body(request);
        ApiRequest api = x.legacy ? fromLegacy(request.method(), path.substring("/rest".length()), query, body)
                : new ApiRequest(request.method(), RouteTable.segments(path.substring("/api".length())), query, body);
        x.api = api;
        Call call = api == null ? null : routes.route(x, api.action() == null ? api.method()
                : api.method() + "?action=" + api.action(), api.segments()).orElse(null);
        if (call == null) {
            if (firstUnknown.test(request.method() + " " + path)) {
                LOG.warn("vCenter emulator: no operation {} {} (answered NOT_FOUND)", request.method(), path);
            }
            throw new VapiError(Type.NOT_FOUND, "com.vmware.vapi.rest.httpNotFound", "Not found.");
        }
        return call;
    }

    @Override
    public ApiError injected(Faults.Effect effect, VcenterExchange x) {
        return switch (effect) {
            case OUTAGE -> new VapiError(Type.SERVICE_UNAVAILABLE, "com.vmware.vapi.endpoint.unavailable",
                    "The service is unavailable.", Outcome.INJECTED_FAULT);
            case THROTTLE -> new VapiError(Type.SERVICE_UNAVAILABLE, "com.vmware.vapi.endpoint.throttled",
                    "The service is busy; too many requests.", Outcome.INJECTED_FAULT);
            default -> new VapiError(Type.ERROR, "com.vmware.vapi.std.errors.error", "An internal error occurred.",
                    Outcome.INJECTED_FAULT);
        };
    }

    /** Never asked: no vCenter call charges a limit. vCenter's answer to too many requests is a 503. */
    @Override
    public ApiError throttled(ApiLimits.Refusal refusal, VcenterExchange x) {
        return new VapiError(Type.SERVICE_UNAVAILABLE, "com.vmware.vapi.endpoint.throttled",
                "The service is busy; too many requests.");
    }

    /** Both forms of vCenter's standard error body, by the form the request came in. */
    @Override
    public Response render(ApiError error, VcenterExchange x) {
        VapiError e = error instanceof VapiError v ? v : new VapiError(Type.ERROR, "com.vmware.vapi.std.errors.error",
                error.getMessage(), error.outcome());
        ArrayNode messages = JsonNodeFactory.instance.arrayNode();
        ObjectNode message = messages.addObject();
        ArrayNode args = message.putArray("args");
        e.args.forEach(args::add);
        message.put("default_message", e.getMessage()).put("id", e.messageId);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        if (x.legacy) {
            body.put("type", e.type.legacyName());
            body.putObject("value").set("messages", messages);
        } else {
            body.put("error_type", e.type.name());
            body.set("messages", messages);
        }
        return json(e.type.status, body);
    }

    // ------------------------------------------------------------------ calls

    /** A call answered by {@code op} once the caller authenticated as {@code auth} asks. */
    private Call call(VcenterExchange x, String action, int okStatus, Auth auth, UserOperation op) {
        return new Call(action, x.account(), regionOf(x.api), null, () -> {
            String user = authenticate(auth, x.request());
            return Answer.ok(ok(x.legacy, okStatus, op.run(user)));
        });
    }

    /** A call of a session holder answered by an inventory service, under the inventory's lock. */
    private Call service(VcenterExchange x, String action, int okStatus, Supplier<JsonNode> op) {
        return call(x, action, okStatus, Auth.SESSION, user -> inventory.locked(op));
    }

    private Call power(VcenterExchange x, Params p, VmService vms, String act) {
        return service(x, "vcenter.vm.power." + act, 204, () -> {
            vms.power(p.get("vm"), act);
            return null;
        });
    }

    private Call guestPower(VcenterExchange x, Params p, VmService vms, String act) {
        return service(x, "vcenter.vm.guest.power." + act, 204, () -> {
            vms.guestPower(p.get("vm"), act);
            return null;
        });
    }

    /** Where a call is journaled: the host of the VM it names, or nowhere in particular. */
    private String regionOf(ApiRequest r) {
        List<String> s = r.segments();
        if (s.size() >= 3 && s.get(0).equals("vcenter") && s.get(1).equals("vm")) {
            return inventory.hostOfVm(s.get(2));
        }
        return "";
    }

    private JsonNode sessionInfo(String token) {
        Sessions.Session session = sessions.touch(token);
        return JsonNodeFactory.instance.objectNode().put("user", session.user())
                .put("created_time", session.created().toString())
                .put("last_accessed_time", session.lastAccessed().toString());
    }

    /** The user of a basic-authenticated call; null for a call in a session, which must be open. */
    private String authenticate(Auth auth, Request request) {
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

    // ------------------------------------------------------------------ the legacy /rest form

    /** Translates a legacy request into the /api form; null when there is no such legacy operation. */
    private static ApiRequest fromLegacy(String method, String path, Map<String, List<String>> rawQuery,
            JsonNode body) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        rawQuery.forEach((k, v) -> {
            String key = k.equals("~action") ? "action" : k.replaceFirst("^filter\\.", "").replaceFirst("\\.\\d+$", "");
            q.computeIfAbsent(key, x -> new ArrayList<>()).addAll(v);
        });
        List<String> raw = RouteTable.segments(path);
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
        if (s.size() >= 3 && s.subList(0, 3).equals(List.of("com", "vmware", "vcenter"))) {
            List<String> api = new ArrayList<>(List.of("vcenter"));
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

    private static String first(Map<String, List<String>> q, String key) {
        List<String> v = q.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static JsonNode body(Request request) {
        byte[] bytes = request.body();
        if (bytes.length == 0) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            JsonNode node = Inventory.JSON.readTree(bytes);
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

    private static Response json(int status, JsonNode node) {
        try {
            return new Response(status, TYPE, Inventory.JSON.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
