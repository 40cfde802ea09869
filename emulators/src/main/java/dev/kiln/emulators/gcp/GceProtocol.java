package dev.kiln.emulators.gcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.Faults;
import dev.kiln.emulators.gcp.GceResources.Operation;
import dev.kiln.emulators.spi.Answer;
import dev.kiln.emulators.spi.ApiError;
import dev.kiln.emulators.spi.ApiLimits;
import dev.kiln.emulators.spi.Call;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import dev.kiln.emulators.spi.Exchange;
import dev.kiln.emulators.spi.Protocol;
import dev.kiln.emulators.spi.Query;
import dev.kiln.emulators.spi.RouteTable;
import dev.kiln.emulators.spi.RouteTable.Params;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.Scope;
import dev.kiln.time.Wakeup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Compute Engine REST API ({@code /compute/v1/projects/{project}/...}, JSON): the route must
 * be known, then fault injection, then the project must be one the caller may use, then the rate
 * quotas, then the region or zone must exist, then the method itself. Methods are named as Compute
 * Engine names them ({@code instances.insert}, {@code zoneOperations.get}); those names are what
 * the counters, the journal and fault injection use. A refused call is answered the way Compute
 * Engine answers a rate quota: 403 {@code rateLimitExceeded} (or 429 {@code RESOURCE_EXHAUSTED}).
 */
final class GceProtocol implements Protocol<GceProtocol.GceExchange> {

    static final String PREFIX = "/compute/v1/projects/";
    private static final String P = PREFIX + "{project}";
    private static final Logger LOG = LoggerFactory.getLogger(GceEmulator.class);
    private static final String JSON_TYPE = GceError.JSON_TYPE;
    private static final Duration MAX_WAIT = Duration.ofMinutes(2);

    /** Compute Engine's words for each rate quota: quota metric and limit. */
    private static final Map<String, String[]> WORDING = Map.of(
            "gce.reads", new String[] {"Read requests", "Read requests"},
            "gce.writes", new String[] {"Write requests", "Write requests"},
            "gce.operation.reads", new String[] {"Operation read requests", "Operation read requests"},
            "gce.heavy.reads", new String[] {"Heavy-weight read requests", "Heavy-weight read requests"},
            "gce.global.writes", new String[] {"Global resource write requests", "Global resource write requests"},
            "gce.regional.reads", new String[] {"Read requests per region", "Read requests"},
            "gce.regional.writes", new String[] {"Write requests per region", "Write requests"});

    /** A Compute Engine request: the project it names and the path after it. */
    static final class GceExchange extends Exchange {
        final List<String> rest;

        GceExchange(Request request, String project, List<String> rest) {
            super(request, project, null, request.method() + " " + request.path());
            this.rest = rest;
        }
    }

    private final GceConfig config;
    private final GceWorld world;
    private final ObjectMapper json;
    private final Locations locations;
    private final Instances instances;
    private final Disks disks;
    private final Images images;
    private final Addresses addresses;
    private final GceLists lists;
    private final Predicate<String> firstUnknown;
    private final Runnable bearerSeen;
    private final RouteTable<GceExchange> routes;

    /**
     * @param firstUnknown notes a request no route answers and tells whether it is new
     * @param bearerSeen   told of every request that carries a bearer token
     */
    GceProtocol(GceWorld world, Quotas quotas, Predicate<String> firstUnknown, Runnable bearerSeen) {
        this.config = world.config;
        this.world = world;
        this.json = world.json;
        this.locations = new Locations(world, quotas);
        this.images = new Images(world, quotas);
        this.instances = new Instances(world, quotas, images);
        this.disks = new Disks(world, quotas, images);
        this.addresses = new Addresses(world, quotas);
        this.lists = new GceLists(json, config);
        this.firstUnknown = firstUnknown;
        this.bearerSeen = bearerSeen;
        String region = P + "/regions/{region}";
        String zone = P + "/zones/{zone}";
        String image = P + "/global/images/{name}";
        this.routes = RouteTable.<GceExchange>builder()
                .route("GET", "/discovery/v1/apis/compute/v1/rest", (x, p) -> discovery(x))
                .route("GET", "/$discovery/rest", (x, p) -> {
                    if (!x.query().value("version", "v1").equals("v1")) {
                        throw GceError.notFound("compute/" + x.query().value("version") + " (the emulator serves v1)");
                    }
                    return discovery(x);
                })
                .route("GET", P, (x, p) -> call(x, "projects.get", "read", null, null,
                        () -> ok(locations.project(x.account()))))
                .route("POST", P + "/setCommonInstanceMetadata", (x, p) -> call(x,
                        "projects.setCommonInstanceMetadata", "write", null, null,
                        () -> ok(world.render(locations.setCommonInstanceMetadata(x.account(), body(x))))))
                .route("GET", P + "/regions", (x, p) -> {
                    Predicate<Function<String, String>> filter = GceLists.filter(x.query());
                    return call(x, "regions.list", "read", null, null, () -> ok(lists.list("compute#regionList",
                            x.query(), x.account(), "regions", GceLists.filtered(locations.regions(x.account()),
                                    filter))));
                })
                .route("GET", region, (x, p) -> call(x, "regions.get", "read", p.get("region"), null,
                        () -> ok(locations.region(x.account(), p.get("region")))))
                .route("GET", region + "/operations", (x, p) -> operations(x, "regionOperations.list",
                        p.get("region"), null, "regions/" + p.get("region")))
                .route("GET", region + "/operations/{operation}", (x, p) -> getOperation(x, p, "regions",
                        p.get("region"), p.get("region"), "regionOperations"))
                .route("POST", region + "/operations/{operation}/wait", (x, p) -> waitOperation(x, p, "regions",
                        p.get("region"), p.get("region"), "regionOperations"))
                .route("GET", region + "/addresses", (x, p) -> {
                    Predicate<Function<String, String>> filter = GceLists.filter(x.query());
                    return call(x, "addresses.list", "read", p.get("region"), null, () -> ok(lists.list(
                            "compute#addressList", x.query(), x.account(), "regions/" + p.get("region") + "/addresses",
                            addresses.list(x.account(), p.get("region"), filter))));
                })
                .route("POST", region + "/addresses", (x, p) -> call(x, "addresses.insert", "write", p.get("region"),
                        null, () -> {
                            Operation op = addresses.insert(x.account(), p.get("region"), body(x));
                            return op.error != null ? answer(world.render(op), Outcome.QUOTA, "QUOTA_EXCEEDED")
                                    : ok(world.render(op));
                        }))
                .route("GET", region + "/addresses/{name}", (x, p) -> call(x, "addresses.get", "read",
                        p.get("region"), null, () -> ok(addresses.render(world.address(x.account(), p.get("region"),
                                p.get("name"))))))
                .route("DELETE", region + "/addresses/{name}", (x, p) -> call(x, "addresses.delete", "write",
                        p.get("region"), null, () -> ok(world.render(addresses.delete(x.account(), p.get("region"),
                                p.get("name"))))))
                .route("GET", P + "/zones", (x, p) -> {
                    Predicate<Function<String, String>> filter = GceLists.filter(x.query());
                    return call(x, "zones.list", "read", null, null, () -> ok(lists.list("compute#zoneList", x.query(),
                            x.account(), "zones", GceLists.filtered(locations.zones(x.account()), filter))));
                })
                .route("GET", zone, (x, p) -> zonal(x, p, "zones.get", "read",
                        () -> ok(locations.zone(x.account(), p.get("zone")))))
                .route("GET", zone + "/machineTypes", (x, p) -> {
                    Predicate<Function<String, String>> filter = GceLists.filter(x.query());
                    return zonal(x, p, "machineTypes.list", "read", () -> ok(lists.list("compute#machineTypeList",
                            x.query(), x.account(), "zones/" + p.get("zone") + "/machineTypes",
                            GceLists.filtered(locations.machineTypes(x.account(), p.get("zone")), filter))));
                })
                .route("GET", zone + "/machineTypes/{name}", (x, p) -> zonal(x, p, "machineTypes.get", "read",
                        () -> ok(locations.machineType(x.account(), p.get("zone"), MachineTypes.named(p.get("name"))
                                .orElseThrow(() -> GceError.notFound(GceWorld.path(x.account(), "zones/"
                                        + p.get("zone") + "/machineTypes/" + p.get("name"))))))))
                .route("GET", zone + "/imageFamilyViews/{family}", (x, p) -> zonal(x, p, "imageFamilyViews.get",
                        "read", () -> ok(images.familyView(x.account(), p.get("family")))))
                .route("GET", zone + "/instances", (x, p) -> {
                    Predicate<Function<String, String>> filter = GceLists.filter(x.query());
                    return zonal(x, p, "instances.list", "read", () -> ok(lists.list("compute#instanceList",
                            x.query(), x.account(), "zones/" + p.get("zone") + "/instances",
                            instances.list(x.account(), p.get("zone"), filter))));
                })
                .route("POST", zone + "/instances", (x, p) -> zonal(x, p, "instances.insert", "write",
                        () -> inserted(instances.insert(x.account(), p.get("zone"), body(x)))))
                .route("GET", zone + "/instances/{name}", (x, p) -> zonal(x, p, "instances.get", "read",
                        () -> ok(instances.render(world.instance(x.account(), p.get("zone"), p.get("name"))))))
                .route("DELETE", zone + "/instances/{name}", (x, p) -> zonal(x, p, "instances.delete", "write",
                        () -> ok(world.render(instances.delete(x.account(), p.get("zone"), p.get("name"))))))
                .route("POST", zone + "/instances/{name}/stop", (x, p) -> zonal(x, p, "instances.stop", "write",
                        () -> ok(world.render(instances.stop(x.account(), p.get("zone"), p.get("name"))))))
                .route("POST", zone + "/instances/{name}/setLabels", (x, p) -> zonal(x, p, "instances.setLabels",
                        "write", () -> ok(world.render(instances.setLabels(x.account(), p.get("zone"), p.get("name"),
                                body(x))))))
                .route("POST", zone + "/instances/{name}/setMetadata", (x, p) -> zonal(x, p, "instances.setMetadata",
                        "write", () -> ok(world.render(instances.setMetadata(x.account(), p.get("zone"),
                                p.get("name"), body(x))))))
                .route("GET", zone + "/instances/{name}/serialPort", (x, p) -> zonal(x, p,
                        "instances.getSerialPortOutput", "read",
                        () -> ok(instances.serialPort(x.account(), p.get("zone"), p.get("name")))))
                .route("GET", zone + "/disks", (x, p) -> {
                    Predicate<Function<String, String>> filter = GceLists.filter(x.query());
                    return zonal(x, p, "disks.list", "read", () -> ok(lists.list("compute#diskList", x.query(),
                            x.account(), "zones/" + p.get("zone") + "/disks",
                            disks.list(x.account(), p.get("zone"), filter))));
                })
                .route("POST", zone + "/disks", (x, p) -> zonal(x, p, "disks.insert", "write",
                        () -> inserted(disks.insert(x.account(), p.get("zone"), body(x),
                                x.query().value("sourceImage")))))
                .route("GET", zone + "/disks/{name}", (x, p) -> zonal(x, p, "disks.get", "read",
                        () -> ok(disks.render(world.disk(x.account(), p.get("zone"), p.get("name"))))))
                .route("DELETE", zone + "/disks/{name}", (x, p) -> zonal(x, p, "disks.delete", "write",
                        () -> ok(world.render(disks.delete(x.account(), p.get("zone"), p.get("name"))))))
                .route("POST", zone + "/disks/{name}/setLabels", (x, p) -> zonal(x, p, "disks.setLabels", "write",
                        () -> ok(world.render(disks.setLabels(x.account(), p.get("zone"), p.get("name"), body(x))))))
                .route("GET", zone + "/operations", (x, p) -> operations(x, "zoneOperations.list",
                        GceConfig.regionOf(p.get("zone")), p.get("zone"), "zones/" + p.get("zone")))
                .route("GET", zone + "/operations/{operation}", (x, p) -> getOperation(x, p, "zones", p.get("zone"),
                        GceConfig.regionOf(p.get("zone")), "zoneOperations"))
                .route("POST", zone + "/operations/{operation}/wait", (x, p) -> waitOperation(x, p, "zones",
                        p.get("zone"), GceConfig.regionOf(p.get("zone")), "zoneOperations"))
                .route("GET", P + "/global/images", (x, p) -> {
                    Predicate<Function<String, String>> filter = GceLists.filter(x.query());
                    return call(x, "images.list", "read", null, null, () -> ok(lists.list("compute#imageList",
                            x.query(), x.account(), "global/images", images.list(x.account(), filter))));
                })
                .route("POST", P + "/global/images", (x, p) -> {
                    boolean force = Boolean.parseBoolean(x.query().value("forceCreate", "false"));
                    return call(x, "images.insert", "global.write", null, null,
                            () -> inserted(images.insert(x.account(), body(x), force)));
                })
                .route("GET", P + "/global/images/family/{family}", (x, p) -> call(x, "images.getFromFamily", "read",
                        null, null, () -> ok(images.render(images.fromFamily(x.account(), p.get("family"))))))
                .route("GET", image, (x, p) -> call(x, "images.get", "read", null, null,
                        () -> ok(images.render(world.image(x.account(), p.get("name"))))))
                .route("DELETE", image, (x, p) -> call(x, "images.delete", "global.write", null, null,
                        () -> ok(world.render(images.delete(x.account(), p.get("name"))))))
                .route("POST", image + "/setLabels", (x, p) -> call(x, "images.setLabels", "global.write", null, null,
                        () -> ok(world.render(images.setLabels(x.account(), p.get("name"), body(x))))))
                .route("GET", P + "/global/operations", (x, p) -> operations(x, "globalOperations.list", null, null,
                        "global"))
                .route("GET", P + "/global/operations/{operation}", (x, p) -> getOperation(x, p, "global", "", null,
                        "globalOperations"))
                .route("POST", P + "/global/operations/{operation}/wait", (x, p) -> waitOperation(x, p, "global", "",
                        null, "globalOperations"))
                .route("GET", P + "/aggregated/instances", (x, p) -> aggregated(x, "instances.aggregatedList",
                        "compute#instanceAggregatedList", "instances", lists.zoneScopes(),
                        filter -> instances.list(x.account(), null, filter)))
                .route("GET", P + "/aggregated/disks", (x, p) -> aggregated(x, "disks.aggregatedList",
                        "compute#diskAggregatedList", "disks", lists.zoneScopes(),
                        filter -> disks.list(x.account(), null, filter)))
                .route("GET", P + "/aggregated/machineTypes", (x, p) -> aggregated(x, "machineTypes.aggregatedList",
                        "compute#machineTypeAggregatedList", "machineTypes", lists.zoneScopes(),
                        filter -> GceLists.filtered(locations.machineTypes(x.account(), null), filter)))
                .route("GET", P + "/aggregated/addresses", (x, p) -> aggregated(x, "addresses.aggregatedList",
                        "compute#addressAggregatedList", "addresses", lists.regionScopes(),
                        filter -> addresses.list(x.account(), null, filter)))
                .route("GET", P + "/aggregated/operations", (x, p) -> aggregated(x,
                        "globalOperations.aggregatedList", "compute#operationAggregatedList", "operations",
                        lists.allScopes(), filter -> GceLists.filtered(world.operations(x.account()), filter)))
                .build();
    }

    // ------------------------------------------------------------------ the pipeline's steps

    @Override
    public GceExchange open(Request request) {
        String authorization = request.header("Authorization");
        if (authorization != null && authorization.startsWith("Bearer ")) {
            bearerSeen.run();
        }
        String path = request.path();
        List<String> rest = path.startsWith(PREFIX) ? RouteTable.segments(path.substring(PREFIX.length()))
                : List.of();
        return rest.isEmpty() ? new GceExchange(request, "", List.of())
                : new GceExchange(request, rest.get(0), List.copyOf(rest.subList(1, rest.size())));
    }

    @Override
    public Call route(GceExchange x) {
        Request request = x.request();
        return routes.route(x, request.method(), RouteTable.segments(request.path()))
                .orElseThrow(() -> unknownRoute(request.method(), request.path()));
    }

    @Override
    public ApiError injected(Faults.Effect effect, GceExchange x) {
        return switch (effect) {
            case OUTAGE -> new GceError(503, "global", "backendError", "UNAVAILABLE",
                    "The service is currently unavailable.", Outcome.INJECTED_FAULT, null);
            case THROTTLE -> new GceError(403, "usageLimits", "rateLimitExceeded", "PERMISSION_DENIED",
                    "Rate Limit Exceeded (injected by the emulator's fault injection)", Outcome.INJECTED_FAULT, null);
            default -> new GceError(500, "global", "backendError", "INTERNAL",
                    "Internal error. Please try again or contact Google Support. (Code: 'kiln-injected')",
                    Outcome.INJECTED_FAULT, null);
        };
    }

    @Override
    public String resetCode() {
        return "connectionReset";
    }

    /** Credentials without access to a project are refused before any quota is charged. */
    @Override
    public void admit(Call call, GceExchange x) {
        if (config.deniedProjects().contains(x.account())) {
            throw GceError.forbidden("compute." + call.action(), GceWorld.path(x.account(), String.join("/", x.rest)));
        }
    }

    @Override
    public ApiError throttled(ApiLimits.Refusal refusal, GceExchange x) {
        String limit = refusal.limit();
        Duration window = refusal.declared().spec() instanceof LimitSpec.FixedWindow fw ? fw.window()
                : Duration.ofMinutes(1);
        Scope scope = refusal.declared().scope();
        String region = x.region();
        long projectNumber = GceWorld.projectNumber(x.account());
        String[] words = WORDING.getOrDefault(limit, new String[] {"Queries", "Queries"});
        String per = window.equals(Duration.ofMinutes(1)) ? "per minute"
                : "per " + window.toSeconds() + " seconds";
        String limitName = words[1] + " " + per + (scope == Scope.REGION ? " per region" : "");
        String message = "Quota exceeded for quota metric '" + words[0] + "' and limit '" + limitName
                + "' of service 'compute.googleapis.com' for consumer 'project_number:" + projectNumber + "'"
                + (region != null && scope == Scope.REGION ? " in region " + region : "") + ".";
        String details = "{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"RATE_LIMIT_EXCEEDED\","
                + "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":\"compute.googleapis.com\","
                + "\"consumer\":\"projects/" + projectNumber + "\",\"quota_limit\":\"" + limit + "\"}}";
        if (config.throttleStyle() == GceEmulator.ThrottleStyle.RESOURCE_EXHAUSTED_429) {
            return new GceError(429, "global", "rateLimitExceeded", "RESOURCE_EXHAUSTED", message, Outcome.THROTTLED,
                    details);
        }
        return new GceError(403, "usageLimits", "rateLimitExceeded", "PERMISSION_DENIED", message, Outcome.THROTTLED,
                details);
    }

    @Override
    public Response render(ApiError error, GceExchange x) {
        return GceError.render(error);
    }

    // ------------------------------------------------------------------ calls

    /** A call of a project-wide or regional method; its region, when it names one, must exist. */
    private Call call(GceExchange x, String action, String api, String region, String zone, Supplier<Answer> work) {
        return new Call(action, x.account(), region, api, () -> {
            checkWhere(x.account(), region, zone);
            return world.locked(work);
        });
    }

    /** A call of a zonal method: charged in the zone's region, answered only in a zone that exists. */
    private Call zonal(GceExchange x, Params p, String action, String api, Supplier<Answer> work) {
        String zone = p.get("zone");
        return call(x, action, api, GceConfig.regionOf(zone), zone, work);
    }

    private void checkWhere(String project, String region, String zone) {
        if (zone != null && !config.knowsZone(zone)) {
            throw GceError.notFound(GceWorld.path(project, "zones/" + zone));
        }
        if (zone == null && region != null && !config.knowsRegion(region)) {
            throw GceError.notFound(GceWorld.path(project, "regions/" + region));
        }
    }

    private Call getOperation(GceExchange x, Params p, String scope, String location, String region, String prefix) {
        String name = p.get("operation");
        return call(x, prefix + ".get", "operation.get", region, zoneOrNull(scope, location),
                () -> ok(world.render(world.findOperation(x.account(), scope, location, name))));
    }

    /** {@code .../operations/{name}/wait}: answers when the operation is done, or after two minutes at most. */
    private Call waitOperation(GceExchange x, Params p, String scope, String location, String region, String prefix) {
        String name = p.get("operation");
        return new Call(prefix + ".wait", x.account(), region, "operation.get", () -> {
            checkWhere(x.account(), region, zoneOrNull(scope, location));
            Operation op = world.locked(() -> world.findOperation(x.account(), scope, location, name));
            long deadline = Math.min(op.doneAt, world.nanos() + MAX_WAIT.toNanos());
            if (deadline > world.nanos()) {
                // Waits on the time source without the world's lock: other calls go on meanwhile.
                world.time.await(new Wakeup(), deadline);
            }
            return world.locked(() -> ok(world.render(op)));
        });
    }

    private static String zoneOrNull(String scope, String location) {
        return scope.equals("zones") ? location : null;
    }

    private Answer inserted(GceWorld.Inserted inserted) {
        ObjectNode op = world.render(inserted.operation());
        return inserted.quotaExceeded() ? answer(op, Outcome.QUOTA, "QUOTA_EXCEEDED") : ok(op);
    }

    private Answer ok(JsonNode body) {
        return answer(body, Outcome.OK, null);
    }

    /** A 200 answer the counters may still count as refused (an insert whose operation failed on a quota). */
    private Answer answer(JsonNode body, Outcome outcome, String errorCode) {
        return new Answer(Response.of(200, JSON_TYPE, write(body)), outcome, errorCode);
    }

    private GceError unknownRoute(String method, String path) {
        if (firstUnknown.test(method + " " + path)) {
            LOG.warn("GCE emulator: no method answers {} {}", method, path);
        }
        return GceError.unknownUrl(method, path);
    }

    /** The discovery document, outside any project and charged to no quota. */
    private Call discovery(GceExchange x) {
        return call(x, "discovery.apis.getRest", null, null, null,
                () -> ok(Discovery.document(json, x.request().base() + "/")));
    }

    // ------------------------------------------------------------------ lists

    /** A list of the operations of one scope ({@code zones/Z}, {@code regions/R} or {@code global}). */
    private Call operations(GceExchange x, String action, String region, String zone, String scope) {
        Predicate<Function<String, String>> filter = GceLists.filter(x.query());
        return call(x, action, "read", region, zone, () -> {
            List<ObjectNode> mine = new ArrayList<>();
            for (ObjectNode op : world.operations(x.account())) {
                String where = op.has("zone") ? "zones/" + GceWorld.lastSegment(op.get("zone").asText())
                        : op.has("region") ? "regions/" + GceWorld.lastSegment(op.get("region").asText()) : "global";
                if (where.equals(scope)) {
                    mine.add(op);
                }
            }
            return ok(lists.list("compute#operationList", x.query(), x.account(), scope + "/operations",
                    GceLists.filtered(mine, filter)));
        });
    }

    /** An aggregated list: heavy-weight, charged to its own quota, paged across its scopes. */
    private Call aggregated(GceExchange x, String action, String kind, String plural, List<String> scopes,
            Function<Predicate<Function<String, String>>, List<ObjectNode>> items) {
        Predicate<Function<String, String>> filter = GceLists.filter(x.query());
        return call(x, action, "aggregated.list", null, null,
                () -> ok(lists.aggregated(kind, plural, x.query(), x.account(), scopes, items.apply(filter))));
    }

    // ------------------------------------------------------------------ bodies

    private JsonNode body(GceExchange x) {
        Request request = x.request();
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
}
