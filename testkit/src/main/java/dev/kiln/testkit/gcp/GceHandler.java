package dev.kiln.testkit.gcp;

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
import dev.kiln.time.Wakeup;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Compute Engine REST requests ({@code /compute/v1/projects/{project}/...}) off the wire and
 * answers them: the route must be known, then fault injection, then the project must be one the
 * caller may use, then the rate quotas, then the method itself. Methods are named as Compute
 * Engine names them ({@code instances.insert}, {@code zoneOperations.get}); those names are what
 * the counters, the journal and fault injection use.
 */
final class GceHandler implements EmulatorServer.Handler {

    static final String PREFIX = "/compute/v1/projects/";
    /** Where the emulator answers OAuth 2.0 token requests (a credentials file's {@code token_uri}). */
    static final String TOKEN_PATH = "/token";
    private static final Logger LOG = LoggerFactory.getLogger(GceEmulator.class);
    private static final String JSON_TYPE = "application/json; charset=UTF-8";
    private static final int MAX_RESULTS = 500;
    private static final Duration MAX_WAIT = Duration.ofMinutes(2);

    private final GceConfig config;
    private final GceWorld world;
    private final GceLimits limits;
    private final Faults faults;
    private final ApiCounters counters;
    private final CallJournal journal;
    private final ObjectMapper json;
    private final Set<String> unknown = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong withBearer = new java.util.concurrent.atomic.AtomicLong();

    GceHandler(GceConfig config, GceWorld world, GceLimits limits, Faults faults, ApiCounters counters,
            CallJournal journal) {
        this.config = config;
        this.world = world;
        this.limits = limits;
        this.faults = faults;
        this.counters = counters;
        this.journal = journal;
        this.json = world.json;
    }

    long callsWithBearerToken() {
        return withBearer.get();
    }

    Set<String> unknownRoutes() {
        return Set.copyOf(unknown);
    }

    void forgetUnknownRoutes() {
        unknown.clear();
        withBearer.set(0);
    }

    /** One routed call: its method name, Kiln's API class, where it acts, and what it does. */
    private record Route(String action, String api, String region, String zone, Action run) {
    }

    @FunctionalInterface
    private interface Action {
        Answer run() throws InterruptedException;
    }

    /** A success answer, and the outcome the counters record for it (a quota-refused insert still answers 200). */
    private record Answer(JsonNode body, Outcome outcome, String errorCode) {
        static Answer ok(JsonNode body) {
            return new Answer(body, Outcome.OK, null);
        }
    }

    @Override
    public Response handle(Request request) throws InterruptedException {
        String path = request.path();
        String project = "";
        String action = request.method() + " " + path;
        String where = "global";
        Map<String, String> query = query(request.rawQuery());
        if (path.equals(TOKEN_PATH) && request.method().equals("POST")) {
            return token(request);
        }
        String authorization = request.header("Authorization");
        if (authorization != null && authorization.startsWith("Bearer ")) {
            withBearer.incrementAndGet();
        }
        try {
            if (!path.startsWith(PREFIX)) {
                throw unknownRoute(request.method(), path);
            }
            List<String> seg = new ArrayList<>(Arrays.asList(path.substring(PREFIX.length()).split("/")));
            seg.removeIf(String::isEmpty);
            if (seg.isEmpty()) {
                throw unknownRoute(request.method(), path);
            }
            project = seg.remove(0);
            Route route = route(request, project, seg, query);
            action = route.action();
            where = route.region() != null ? route.region() : "global";
            switch (faults.apply(action)) {
                case OUTAGE -> throw new GceError(503, "global", "backendError", "UNAVAILABLE",
                        "The service is currently unavailable.", Outcome.INJECTED_FAULT, null);
                case ERROR -> throw new GceError(500, "global", "backendError", "INTERNAL",
                        "Internal error. Please try again or contact Google Support. (Code: 'kiln-injected')",
                        Outcome.INJECTED_FAULT, null);
                case THROTTLE -> throw new GceError(403, "usageLimits", "rateLimitExceeded", "PERMISSION_DENIED",
                        "Rate Limit Exceeded (injected by the emulator's fault injection)", Outcome.INJECTED_FAULT,
                        null);
                case RESET -> {
                    record(project, where, action, 0, "connectionReset", Outcome.INJECTED_FAULT);
                    throw new EmulatorServer.ConnectionReset();
                }
                case NONE -> { }
            }
            if (config.deniedProjects().contains(project)) {
                throw GceError.forbidden("compute." + action, GceWorld.path(project, resourcePath(seg)));
            }
            GceWorld.Project p = world.project(project);
            limits.charge(project, p.number, route.region(), route.api());
            if (route.zone() != null && !config.knowsZone(route.zone())) {
                throw GceError.notFound(GceWorld.path(project, "zones/" + route.zone()));
            }
            if (route.zone() == null && route.region() != null && !config.knowsRegion(route.region())) {
                throw GceError.notFound(GceWorld.path(project, "regions/" + route.region()));
            }
            Answer answer = route.run().run();
            record(project, where, action, 200, answer.errorCode(), answer.outcome());
            return Response.of(200, JSON_TYPE, write(answer.body()));
        } catch (GceError e) {
            record(project, where, action, e.status, e.reason, e.outcome);
            return Response.of(e.status, JSON_TYPE, errorBody(e));
        }
    }

    private GceError unknownRoute(String method, String path) {
        if (unknown.add(method + " " + path)) {
            LOG.warn("GCE emulator: no method answers {} {}", method, path);
        }
        return GceError.unknownUrl(method, path);
    }

    private void record(String project, String where, String action, int status, String errorCode, Outcome outcome) {
        counters.record(action, outcome);
        journal.add(new ApiCall(world.now(), GceEmulator.PROVIDER, project, where, action, status, errorCode));
    }

    /**
     * Answers any token request (service-account JWT bearer, refresh token) with a token that is
     * not checked anywhere, so real Google credentials, pointed here by their {@code token_uri},
     * work against the emulator. Counted as {@code oauth2.token}; not rate-limited.
     */
    private Response token(Request request) {
        String grant = query(request.bodyText()).getOrDefault("grant_type", "");
        record("", "global", "oauth2.token", 200, null, Outcome.OK);
        ObjectNode n = json.createObjectNode()
                .put("access_token", "kiln-emulator-token-" + Math.abs((long) grant.hashCode()))
                .put("expires_in", 3600)
                .put("token_type", "Bearer");
        return Response.of(200, JSON_TYPE, write(n));
    }

    // ------------------------------------------------------------------ routing

    private Route route(Request request, String project, List<String> s, Map<String, String> query) {
        String m = request.method();
        int n = s.size();
        String top = n > 0 ? s.get(0) : "";
        if (n == 0 && m.equals("GET")) {
            return new Route("projects.get", "read", null, null, () -> Answer.ok(projectInfo(project)));
        }
        switch (top) {
            case "regions":
                if (n == 1 && m.equals("GET")) {
                    return new Route("regions.list", "read", null, null, () -> Answer.ok(list("compute#regionList",
                            project, "regions", regions(project), query)));
                }
                String region = s.get(1);
                if (n == 2 && m.equals("GET")) {
                    return new Route("regions.get", "read", region, null, () -> Answer.ok(regionInfo(project, region)));
                }
                if (n >= 4 && s.get(2).equals("operations")) {
                    return operationRoute(m, s, project, "regions", region, region, "regionOperations");
                }
                if (n >= 3 && s.get(2).equals("addresses")) {
                    return addressRoute(request, s, project, region, query);
                }
                break;
            case "zones":
                if (n == 1 && m.equals("GET")) {
                    return new Route("zones.list", "read", null, null, () -> Answer.ok(list("compute#zoneList",
                            project, "zones", zones(project), query)));
                }
                String zone = s.get(1);
                String zoneRegion = GceConfig.regionOf(zone);
                if (n == 2 && m.equals("GET")) {
                    return new Route("zones.get", "read", zoneRegion, zone, () -> Answer.ok(zoneInfo(project, zone)));
                }
                if (n >= 3) {
                    switch (s.get(2)) {
                        case "machineTypes":
                            return machineTypeRoute(m, s, project, zone, query);
                        case "instances":
                            return instanceRoute(request, s, project, zone, query);
                        case "disks":
                            return diskRoute(request, s, project, zone, query);
                        case "operations":
                            if (n >= 4) {
                                return operationRoute(m, s, project, "zones", zone, zoneRegion, "zoneOperations");
                            }
                            break;
                        default:
                            break;
                    }
                }
                break;
            case "global":
                if (n >= 2 && s.get(1).equals("images")) {
                    return imageRoute(request, s, project, query);
                }
                if (n >= 3 && s.get(1).equals("operations")) {
                    return operationRoute(m, s, project, "global", "", null, "globalOperations");
                }
                break;
            case "aggregated":
                if (n == 2 && m.equals("GET") && s.get(1).equals("instances")) {
                    Predicate<Function<String, String>> filter = Filter.parse(query.get("filter"));
                    return new Route("instances.aggregatedList", "aggregated.list", null, null, () -> Answer.ok(
                            aggregated(project, "instances", world.instances(project, null, filter))));
                }
                if (n == 2 && m.equals("GET") && s.get(1).equals("disks")) {
                    Predicate<Function<String, String>> filter = Filter.parse(query.get("filter"));
                    return new Route("disks.aggregatedList", "aggregated.list", null, null, () -> Answer.ok(
                            aggregated(project, "disks", world.disks(project, null, filter))));
                }
                break;
            default:
                break;
        }
        throw unknownRoute(m, request.path());
    }

    private Route operationRoute(String m, List<String> s, String project, String scope, String location,
            String region, String prefix) {
        int at = scope.equals("global") ? 2 : 3;
        String name = s.get(at);
        if (s.size() == at + 1 && m.equals("GET")) {
            return new Route(prefix + ".get", "operation.get", region, zoneOrNull(scope, location),
                    () -> Answer.ok(world.render(world.findOperation(project, scope, location, name))));
        }
        if (s.size() == at + 2 && m.equals("POST") && s.get(at + 1).equals("wait")) {
            return new Route(prefix + ".wait", "operation.get", region, zoneOrNull(scope, location), () -> {
                GceWorld.Operation op = world.findOperation(project, scope, location, name);
                long deadline = Math.min(op.doneAt, world.nanos() + MAX_WAIT.toNanos());
                if (deadline > world.nanos()) {
                    world.time.await(new Wakeup(), deadline);
                }
                return Answer.ok(world.render(op));
            });
        }
        throw unknownRoute(m, "/compute/v1/projects/" + project + "/" + String.join("/", s));
    }

    private static String zoneOrNull(String scope, String location) {
        return scope.equals("zones") ? location : null;
    }

    private Route machineTypeRoute(String m, List<String> s, String project, String zone, Map<String, String> query) {
        String region = GceConfig.regionOf(zone);
        if (s.size() == 3 && m.equals("GET")) {
            Predicate<Function<String, String>> filter = Filter.parse(query.get("filter"));
            return new Route("machineTypes.list", "read", region, zone, () -> {
                List<ObjectNode> items = new ArrayList<>();
                for (MachineTypes.Type t : MachineTypes.all()) {
                    ObjectNode node = machineType(project, zone, t);
                    if (filter.test(GceWorld.fields(node))) {
                        items.add(node);
                    }
                }
                return Answer.ok(list("compute#machineTypeList", project, "zones/" + zone + "/machineTypes", items,
                        query));
            });
        }
        if (s.size() == 4 && m.equals("GET")) {
            String name = s.get(3);
            return new Route("machineTypes.get", "read", region, zone, () -> Answer.ok(machineType(project, zone,
                    MachineTypes.named(name).orElseThrow(() -> GceError.notFound(GceWorld.path(project,
                            "zones/" + zone + "/machineTypes/" + name))))));
        }
        throw unknownRoute(m, "/compute/v1/projects/" + project + "/" + String.join("/", s));
    }

    private Route instanceRoute(Request request, List<String> s, String project, String zone,
            Map<String, String> query) {
        String m = request.method();
        String region = GceConfig.regionOf(zone);
        int n = s.size();
        if (n == 3 && m.equals("GET")) {
            Predicate<Function<String, String>> filter = Filter.parse(query.get("filter"));
            return new Route("instances.list", "read", region, zone, () -> Answer.ok(list("compute#instanceList",
                    project, "zones/" + zone + "/instances", world.instances(project, zone, filter), query)));
        }
        if (n == 3 && m.equals("POST")) {
            return new Route("instances.insert", "write", region, zone, () -> inserted(
                    world.insertInstance(project, zone, body(request))));
        }
        if (n >= 4) {
            String name = s.get(3);
            if (n == 4 && m.equals("GET")) {
                return new Route("instances.get", "read", region, zone,
                        () -> Answer.ok(world.render(world.instance(project, zone, name))));
            }
            if (n == 4 && m.equals("DELETE")) {
                return new Route("instances.delete", "write", region, zone,
                        () -> Answer.ok(world.render(world.deleteInstance(project, zone, name))));
            }
            if (n == 5 && m.equals("POST") && s.get(4).equals("stop")) {
                return new Route("instances.stop", "write", region, zone,
                        () -> Answer.ok(world.render(world.stopInstance(project, zone, name))));
            }
            if (n == 5 && m.equals("POST") && s.get(4).equals("setLabels")) {
                return new Route("instances.setLabels", "write", region, zone,
                        () -> Answer.ok(world.render(world.setInstanceLabels(project, zone, name, body(request)))));
            }
            if (n == 5 && m.equals("GET") && s.get(4).equals("serialPort")) {
                return new Route("instances.getSerialPortOutput", "read", region, zone,
                        () -> Answer.ok(world.serialPort(project, zone, name)));
            }
        }
        throw unknownRoute(m, request.path());
    }

    private Route diskRoute(Request request, List<String> s, String project, String zone, Map<String, String> query) {
        String m = request.method();
        String region = GceConfig.regionOf(zone);
        int n = s.size();
        if (n == 3 && m.equals("GET")) {
            Predicate<Function<String, String>> filter = Filter.parse(query.get("filter"));
            return new Route("disks.list", "read", region, zone, () -> Answer.ok(list("compute#diskList", project,
                    "zones/" + zone + "/disks", world.disks(project, zone, filter), query)));
        }
        if (n == 3 && m.equals("POST")) {
            return new Route("disks.insert", "write", region, zone,
                    () -> inserted(world.insertDisk(project, zone, body(request))));
        }
        if (n >= 4) {
            String name = s.get(3);
            if (n == 4 && m.equals("GET")) {
                return new Route("disks.get", "read", region, zone,
                        () -> Answer.ok(world.render(world.disk(project, zone, name))));
            }
            if (n == 4 && m.equals("DELETE")) {
                return new Route("disks.delete", "write", region, zone,
                        () -> Answer.ok(world.render(world.deleteDisk(project, zone, name))));
            }
            if (n == 5 && m.equals("POST") && s.get(4).equals("setLabels")) {
                return new Route("disks.setLabels", "write", region, zone,
                        () -> Answer.ok(world.render(world.setDiskLabels(project, zone, name, body(request)))));
            }
        }
        throw unknownRoute(m, request.path());
    }

    private Route imageRoute(Request request, List<String> s, String project, Map<String, String> query) {
        String m = request.method();
        int n = s.size();
        if (n == 2 && m.equals("GET")) {
            Predicate<Function<String, String>> filter = Filter.parse(query.get("filter"));
            return new Route("images.list", "read", null, null, () -> Answer.ok(list("compute#imageList", project,
                    "global/images", world.images(project, filter), query)));
        }
        if (n == 2 && m.equals("POST")) {
            boolean force = Boolean.parseBoolean(query.getOrDefault("forceCreate", "false"));
            return new Route("images.insert", "global.write", null, null,
                    () -> inserted(world.insertImage(project, body(request), force)));
        }
        if (n == 4 && m.equals("GET") && s.get(2).equals("family")) {
            String family = s.get(3);
            return new Route("images.getFromFamily", "read", null, null,
                    () -> Answer.ok(world.render(world.imageFromFamily(project, family))));
        }
        if (n >= 3) {
            String name = s.get(2);
            if (n == 3 && m.equals("GET")) {
                return new Route("images.get", "read", null, null,
                        () -> Answer.ok(world.render(world.image(project, name))));
            }
            if (n == 3 && m.equals("DELETE")) {
                return new Route("images.delete", "global.write", null, null,
                        () -> Answer.ok(world.render(world.deleteImage(project, name))));
            }
            if (n == 4 && m.equals("POST") && s.get(3).equals("setLabels")) {
                return new Route("images.setLabels", "global.write", null, null,
                        () -> Answer.ok(world.render(world.setImageLabels(project, name, body(request)))));
            }
        }
        throw unknownRoute(m, request.path());
    }

    private Route addressRoute(Request request, List<String> s, String project, String region,
            Map<String, String> query) {
        String m = request.method();
        int n = s.size();
        if (n == 3 && m.equals("GET")) {
            Predicate<Function<String, String>> filter = Filter.parse(query.get("filter"));
            return new Route("addresses.list", "read", region, null, () -> Answer.ok(list("compute#addressList",
                    project, "regions/" + region + "/addresses", world.addresses(project, region, filter), query)));
        }
        if (n == 3 && m.equals("POST")) {
            return new Route("addresses.insert", "write", region, null, () -> {
                GceWorld.Operation op = world.insertAddress(project, region, body(request));
                return op.error != null ? new Answer(world.render(op), Outcome.QUOTA, "QUOTA_EXCEEDED")
                        : Answer.ok(world.render(op));
            });
        }
        if (n == 4) {
            String name = s.get(3);
            if (m.equals("GET")) {
                return new Route("addresses.get", "read", region, null,
                        () -> Answer.ok(world.render(world.address(project, region, name))));
            }
            if (m.equals("DELETE")) {
                return new Route("addresses.delete", "write", region, null,
                        () -> Answer.ok(world.render(world.deleteAddress(project, region, name))));
            }
        }
        throw unknownRoute(m, request.path());
    }

    private Answer inserted(GceWorld.Inserted inserted) {
        ObjectNode op = world.render(inserted.operation());
        return inserted.quotaExceeded() ? new Answer(op, Outcome.QUOTA, "QUOTA_EXCEEDED") : Answer.ok(op);
    }

    // ------------------------------------------------------------------ answers

    private ObjectNode projectInfo(String project) {
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
        n.putObject("commonInstanceMetadata").put("kind", "compute#metadata").put("fingerprint", "kiln-emu-0=");
        quotas(n.putArray("quotas"), world.projectQuotas(project));
        return n;
    }

    private List<ObjectNode> regions(String project) {
        List<ObjectNode> out = new ArrayList<>();
        for (String region : config.zonesByRegion().keySet()) {
            out.add(regionInfo(project, region));
        }
        return out;
    }

    private ObjectNode regionInfo(String project, String region) {
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
        quotas(n.putArray("quotas"), world.regionQuotas(project, region));
        return n;
    }

    private static void quotas(ArrayNode out, Map<String, double[]> quotas) {
        quotas.forEach((metric, lu) -> out.addObject().put("metric", metric).put("limit", lu[0]).put("usage", lu[1]));
    }

    private List<ObjectNode> zones(String project) {
        List<ObjectNode> out = new ArrayList<>();
        config.zonesByRegion().values().forEach(zs -> zs.forEach(z -> out.add(zoneInfo(project, z))));
        return out;
    }

    private ObjectNode zoneInfo(String project, String zone) {
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

    private ObjectNode machineType(String project, String zone, MachineTypes.Type t) {
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

    /** A list answer with {@code maxResults}/{@code pageToken} paging; {@code items} is left out when empty. */
    private ObjectNode list(String kind, String project, String collection, List<ObjectNode> items,
            Map<String, String> query) {
        int max = MAX_RESULTS;
        if (query.containsKey("maxResults")) {
            try {
                max = Math.max(1, Math.min(MAX_RESULTS, Integer.parseInt(query.get("maxResults"))));
            } catch (NumberFormatException e) {
                throw GceError.invalid("Invalid value for field 'maxResults': '" + query.get("maxResults")
                        + "'. Must be an integer.");
            }
        }
        int from = 0;
        String token = query.get("pageToken");
        if (token != null && !token.isEmpty()) {
            try {
                from = Integer.parseInt(token.startsWith("kiln-") ? token.substring(5) : token);
            } catch (NumberFormatException e) {
                throw GceError.invalid("Invalid value for field 'pageToken': '" + token + "'. Invalid page token.");
            }
        }
        ObjectNode n = json.createObjectNode().put("kind", kind).put("id", GceWorld.path(project, collection));
        int to = Math.min(items.size(), from + max);
        if (from < to) {
            ArrayNode out = n.putArray("items");
            items.subList(from, to).forEach(out::add);
        }
        if (to < items.size()) {
            n.put("nextPageToken", "kiln-" + to);
        }
        n.put("selfLink", GceWorld.BASE + project + "/" + collection);
        return n;
    }

    /** An aggregated list: every zone is a scope, holding its items or a NO_RESULTS_ON_PAGE warning. */
    private ObjectNode aggregated(String project, String kind, List<ObjectNode> items) {
        Map<String, List<ObjectNode>> byZone = new LinkedHashMap<>();
        config.zonesByRegion().values().forEach(zs -> zs.forEach(z -> byZone.put(z, new ArrayList<>())));
        for (ObjectNode item : items) {
            byZone.computeIfAbsent(GceWorld.lastSegment(item.path("zone").asText()), z -> new ArrayList<>()).add(item);
        }
        String singular = kind.equals("instances") ? "instance" : "disk";
        ObjectNode n = json.createObjectNode().put("kind", "compute#" + singular + "AggregatedList")
                .put("id", GceWorld.path(project, "aggregated/" + kind));
        ObjectNode scopes = n.putObject("items");
        byZone.forEach((zone, list) -> {
            ObjectNode scope = scopes.putObject("zones/" + zone);
            if (list.isEmpty()) {
                ObjectNode warning = scope.putObject("warning").put("code", "NO_RESULTS_ON_PAGE")
                        .put("message", "There are no results for scope 'zones/" + zone + "' on this page.");
                warning.putArray("data").addObject().put("key", "scope").put("value", "zones/" + zone);
            } else {
                ArrayNode out = scope.putArray(kind);
                list.forEach(out::add);
            }
        });
        n.put("selfLink", GceWorld.BASE + project + "/aggregated/" + kind);
        return n;
    }

    private String errorBody(GceError e) {
        ObjectNode root = json.createObjectNode();
        ObjectNode err = root.putObject("error").put("code", e.status).put("message", e.getMessage());
        err.putArray("errors").addObject().put("message", e.getMessage()).put("domain", e.domain)
                .put("reason", e.reason);
        err.put("status", e.rpcStatus);
        if (e.details != null) {
            try {
                err.putArray("details").add(json.readTree(e.details));
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException("bad error details " + e.details, ex);
            }
        }
        return write(root);
    }

    private JsonNode body(Request request) {
        if (request.body().length == 0) {
            return json.createObjectNode();
        }
        try {
            JsonNode node = json.readTree(request.body());
            if (node == null || !node.isObject()) {
                throw GceError.badRequest("Invalid JSON payload received. Expected an object.");
            }
            return node;
        } catch (java.io.IOException e) {
            throw GceError.badRequest("Invalid JSON payload received: the body is not JSON.");
        }
    }

    private String write(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String resourcePath(List<String> seg) {
        return String.join("/", seg);
    }

    private static Map<String, String> query(String raw) {
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
