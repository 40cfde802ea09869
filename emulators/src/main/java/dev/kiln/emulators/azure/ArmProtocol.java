package dev.kiln.emulators.azure;

import static dev.kiln.emulators.azure.ArmJson.JSON;
import static dev.kiln.emulators.azure.ArmJson.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.Faults;
import dev.kiln.emulators.azure.ArmWorld.Group;
import dev.kiln.emulators.azure.ArmWorld.Op;
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
import dev.kiln.limits.LimitSpec;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ARM's JSON REST protocol: the api-version first, then the route (paths match whatever their
 * case), then fault injection, then ARM's subscription buckets and Compute's policies, then the
 * operation. Calls are named by operation group ({@code VirtualMachines.Get}) and charge Kiln's
 * api classes ({@code vm.get}); every answer carries the {@code x-ms-ratelimit-remaining-*}
 * headers of the buckets it drew from and its request id.
 */
final class ArmProtocol implements Protocol<ArmProtocol.ArmExchange> {

    private static final Logger LOG = LoggerFactory.getLogger(ArmEmulator.class);
    private static final Pattern API_VERSION = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})(-preview|-beta|-alpha)?");
    private static final LocalDate OLDEST_API = LocalDate.of(2014, 1, 1);
    private static final LocalDate NEWEST_API = LocalDate.of(2026, 12, 31);
    private static final String GROUP = "/subscriptions/{sub}/resourcegroups/{rg}";
    /** How Compute's throttling details write a window's start and end: {@code 2018-06-29T19:54:21.0914017+00:00}. */
    private static final DateTimeFormatter WINDOW_TIME = DateTimeFormatter.ofPattern(
            "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSxxx", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** An ARM request: its decoded path segments and its request id. */
    static final class ArmExchange extends Exchange {
        final List<String> segments;
        final String requestId;

        ArmExchange(Request request, List<String> segments, String subscription, String requestId) {
            super(request, subscription, "global", request.method() + " " + request.path());
            this.segments = segments;
            this.requestId = requestId;
        }

        String apiVersion() {
            return query().value("api-version");
        }

    }

    private final ArmWorld world;
    private final ResourceGroups groups;
    private final GenericResources resources;
    private final VirtualMachines vms;
    private final Deployments deployments;
    private final LongRunning operations;
    private final Predicate<String> firstUnknown;
    private final RouteTable<ArmExchange> routes;

    /** {@code firstUnknown} notes a request no route answers and tells whether it is new. */
    ArmProtocol(ArmWorld world, ArmConfig config, Predicate<String> firstUnknown) {
        this.world = world;
        this.operations = new LongRunning(world, config);
        this.groups = new ResourceGroups(world, config, operations);
        this.vms = new VirtualMachines(world, config, operations);
        this.resources = new GenericResources(world, config, vms, new Images(world), operations);
        this.deployments = new Deployments(world, config, resources, vms);
        this.firstUnknown = firstUnknown;
        this.routes = RouteTable.<ArmExchange>builder().ignoringCase()
                .route("GET", "/metadata/endpoints", (x, p) -> call(x, "Metadata.Endpoints", null, "-", "global",
                        () -> CloudMetadata.endpoints(x.request(), x.apiVersion())))
                .route("GET", "/subscriptions", (x, p) -> call(x, "Subscriptions.List", "resource.read", "-", "global",
                        groups::listSubscriptions))
                .route("GET", "/subscriptions/{sub}", (x, p) -> call(x, "Subscriptions.Get", "resource.read", sub(p),
                        "global", () -> ok(groups.subscription(sub(p)))))
                .route("GET", "/subscriptions/{sub}/locations", (x, p) -> call(x, "Subscriptions.ListLocations",
                        "resource.read", sub(p), "global", () -> groups.locations(sub(p))))
                .route("GET", "/subscriptions/{sub}/resourcegroups", (x, p) -> call(x, "ResourceGroups.List",
                        "resource.read", sub(p), "global", () -> groups.list(x.request(), sub(p))))
                .route("HEAD", GROUP, (x, p) -> call(x, "ResourceGroups.CheckExistence", "resource.read", sub(p),
                        groupRegion(p), () -> groups.checkExistence(sub(p), p.get("rg"))))
                .route("GET", GROUP, (x, p) -> call(x, "ResourceGroups.Get", "resource.read", sub(p), groupRegion(p),
                        () -> groups.get(sub(p), p.get("rg"))))
                .route("PUT", GROUP, (x, p) -> putGroup(x, p, false))
                .route("PATCH", GROUP, (x, p) -> putGroup(x, p, true))
                .route("DELETE", GROUP, (x, p) -> call(x, "ResourceGroups.Delete", "resource.delete", sub(p),
                        groupRegion(p), () -> groups.delete(x.request(), sub(p), p.get("rg"), x.apiVersion())))
                .route("GET", GROUP + "/resources", (x, p) -> call(x, "Resources.ListByResourceGroup",
                        "resource.read", sub(p), groupRegion(p),
                        () -> resources.list(x.request(), sub(p), groups.require(sub(p), p.get("rg")).name)))
                .route(RouteTable.ANY, GROUP + "/providers/{ns}/{path...}", this::resourceRoute)
                .route("GET", "/subscriptions/{sub}/resources", (x, p) -> call(x, "Resources.List", "resource.read",
                        sub(p), "global", () -> resources.list(x.request(), sub(p), null)))
                .route("GET", "/subscriptions/{sub}/operationresults/{id}", (x, p) -> {
                    Op op = world.operation(p.get("id"));
                    return call(x, "OperationResults.Get", "resource.read", sub(p), op == null ? "global"
                            : op.location(), () -> operations.result(x.request(), p.get("id"), x.apiVersion()));
                })
                .route("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/virtualMachines", (x, p) -> call(x,
                        "VirtualMachines.ListAll", "vm.list", sub(p), "global",
                        () -> resources.listTyped(x.request(), sub(p), null, ArmTypes.VM, null)))
                .route("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/usages", (x, p) ->
                        call(x, "Usage.List", "resource.read", sub(p), loc(p), () -> vms.usages(sub(p), loc(p))))
                .route("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/vmsizes", (x, p) ->
                        call(x, "VirtualMachineSizes.List", "resource.read", sub(p), loc(p), vms::sizes))
                .route("GET", "/subscriptions/{sub}/providers/{ns}/locations/{loc}/operations/{id}",
                        this::operationStatus)
                .route("GET", "/subscriptions/{sub}/providers/{ns}/locations/{loc}/operationresults/{id}",
                        this::operationStatus)
                .build();
    }

    // --- the pipeline's steps

    @Override
    public ArmExchange open(Request request) {
        List<String> segs = segments(request.path());
        String subscription = segs.size() >= 2 && segs.get(0).equalsIgnoreCase("subscriptions")
                ? segs.get(1).toLowerCase(Locale.ROOT) : "-";
        return new ArmExchange(request, segs, subscription, world.uuid());
    }

    @Override
    public Call route(ArmExchange x) {
        checkApiVersion(x.apiVersion());
        world.tick();
        List<String> segs = x.segments;
        if (segs.size() >= 2 && segs.get(0).equalsIgnoreCase("subscriptions")) {
            world.touchSubscription(segs.get(1).toLowerCase(Locale.ROOT));
        }
        return routes.route(x, x.request().method(), segs).orElseThrow(() -> unknownRoute(x));
    }

    @Override
    public ApiError injected(Faults.Effect effect, ArmExchange x) {
        return switch (effect) {
            case OUTAGE -> new ArmError(503, "ServiceUnavailable", "The service is temporarily unavailable."
                    + " Please try again later.", Outcome.INJECTED_FAULT, null, 10);
            case THROTTLE -> new ArmError(429, "TooManyRequests", "The request is being throttled (injected by"
                    + " the emulator's fault injection).", Outcome.INJECTED_FAULT, null, 1);
            default -> new ArmError(500, "InternalServerError", "Encountered internal server error."
                    + " Diagnostic information: timestamp '" + world.now() + "'.", Outcome.INJECTED_FAULT, null, -1);
        };
    }

    /** ARM's 429: Compute's policy with its details, or the subscription's request class; Retry-After in seconds. */
    @Override
    public ApiError throttled(ApiLimits.Refusal refusal, ArmExchange x) {
        long seconds = Math.max(1, (refusal.waitNanos() + 999_999_999L) / 1_000_000_000L);
        String limit = refusal.limit();
        if (ComputeWindows.isCompute(limit)) {
            String policy = ComputeWindows.policy(limit);
            Instant now = world.now();
            long allowed = refusal.declared().spec() instanceof LimitSpec.TokenBucket b ? b.capacity() : 0;
            ArrayNode details = JSON.createArrayNode();
            ObjectNode d = details.addObject();
            d.put("code", "TooManyRequests");
            d.put("target", policy);
            d.put("message", "{\"operationGroup\":\"" + policy + "\",\"startTime\":\""
                    + WINDOW_TIME.format(now.minus(ComputeWindows.window(limit))) + "\",\"endTime\":\""
                    + WINDOW_TIME.format(now) + "\",\"allowedRequestCount\":" + allowed
                    + ",\"measuredRequestCount\":" + (allowed + 1) + "}");
            return new ArmError(429, "OperationNotAllowed", "The server rejected the request because too many"
                    + " requests have been received for this subscription.", Outcome.THROTTLED, details, seconds);
        }
        String kind = switch (limit) {
            case "arm.writes" -> "write";
            case "arm.deletes" -> "delete";
            default -> "read";
        };
        return new ArmError(429, "SubscriptionRequestsThrottled", "Number of '" + kind + "' requests for subscription '"
                + x.account() + "' actor 'kiln-emulator' exceeded. Please try again after '" + seconds
                + "' seconds after the last request. Please see https://aka.ms/arm-throttling for more information.",
                Outcome.THROTTLED, null, seconds);
    }

    @Override
    public Response answered(Response response, ArmExchange x) {
        return ids(withRateLimits(response, x), x);
    }

    @Override
    public Response render(ApiError error, ArmExchange x) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("code", error.code());
        err.put("message", error.getMessage());
        ArmError arm = error instanceof ArmError a ? a : null;
        if (arm != null && arm.details != null) {
            err.set("details", arm.details);
        }
        Response r = withRateLimits(ArmJson.json(error.status(), root), x);
        if ("SubscriptionRequestsThrottled".equals(error.code())) {
            r = r.withHeader("x-ms-ratelimit-remaining-subscription-" + switch (x.request().method()) {
                case "GET", "HEAD" -> "reads";
                case "DELETE" -> "deletes";
                default -> "writes";
            }, "0");
        }
        if (arm != null && arm.retryAfterSeconds >= 0) {
            r = r.withHeader("Retry-After", Long.toString(arm.retryAfterSeconds));
        }
        return ids(r, x);
    }

    /** The remaining count of every bucket the call drew from: ARM's request class, and Compute's policies. */
    private static Response withRateLimits(Response r, ArmExchange x) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (ApiLimits.Drawn d : x.drawn()) {
            switch (d.limit()) {
                case "arm.reads" -> headers.put("x-ms-ratelimit-remaining-subscription-reads",
                        Long.toString(d.remaining()));
                case "arm.writes" -> headers.put("x-ms-ratelimit-remaining-subscription-writes",
                        Long.toString(d.remaining()));
                case "arm.deletes" -> headers.put("x-ms-ratelimit-remaining-subscription-deletes",
                        Long.toString(d.remaining()));
                default -> { }
            }
        }
        String compute = ComputeWindows.remaining(x.drawn());
        if (compute != null) {
            headers.put("x-ms-ratelimit-remaining-resource", compute);
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            r = r.withHeader(h.getKey(), h.getValue());
        }
        return r;
    }

    private static Response ids(Response r, ArmExchange x) {
        return r.withHeader("x-ms-request-id", x.requestId).withHeader("x-ms-correlation-request-id", x.requestId);
    }

    // --- routes

    private static Call call(ArmExchange x, String action, String api, String sub, String region,
            Supplier<Response> work) {
        return new Call(action, sub, region, api, () -> Answer.ok(work.get()));
    }

    private static String sub(Params p) {
        return p.get("sub").toLowerCase(Locale.ROOT);
    }

    private static String loc(Params p) {
        return p.get("loc").toLowerCase(Locale.ROOT);
    }

    private String groupRegion(Params p) {
        return groups.regionOf(sub(p), p.get("rg"));
    }

    private Call putGroup(ArmExchange x, Params p, boolean patch) {
        String sub = sub(p);
        String rg = p.get("rg");
        JsonNode body = ArmJson.body(x.request());
        String where = ResourceGroups.location(body, world.group(sub, rg));
        return call(x, patch ? "ResourceGroups.Update" : "ResourceGroups.CreateOrUpdate", "resource.write", sub, where,
                () -> groups.put(sub, rg, where, body, patch));
    }

    private Call operationStatus(ArmExchange x, Params p) {
        boolean compute = p.get("ns").equalsIgnoreCase("Microsoft.Compute");
        return call(x, "Operations.Get", compute ? "operation.get" : "resource.read", sub(p), loc(p),
                () -> operations.status(p.get("id")));
    }

    /** {@code .../resourceGroups/{rg}/providers/{ns}/...}: a resource, a collection, a VM's verb, a deployment part. */
    private Call resourceRoute(ArmExchange x, Params p) {
        Request request = x.request();
        String method = request.method();
        String sub = sub(p);
        String rg = p.get("rg");
        String region = groupRegion(p);
        String v = x.apiVersion();
        String ns = p.get("ns");
        List<String> parts = p.rest();
        if (parts.isEmpty()) {
            throw unknownRoute(x);
        }
        // deployments/{name}/operations, deployments/{name}/validate and deployments/{name}/operationStatuses/{id}
        if (ns.equalsIgnoreCase("Microsoft.Resources") && parts.size() >= 3
                && parts.get(0).equalsIgnoreCase("deployments")) {
            String deployment = parts.get(1);
            String tail = parts.get(2).toLowerCase(Locale.ROOT);
            if (parts.size() == 3 && tail.equals("operations") && method.equals("GET")) {
                return call(x, "DeploymentOperations.List", "resource.read", sub, region,
                        () -> deployments.operations(groups.require(sub, rg), deployment));
            }
            if (parts.size() == 3 && tail.equals("validate") && method.equals("POST")) {
                JsonNode body = ArmJson.body(request);
                return call(x, "Deployments.Validate", "resource.write", sub, region,
                        () -> deployments.validate(groups.require(sub, rg), sub, deployment, body));
            }
            if (parts.size() == 4 && tail.equals("operationstatuses") && method.equals("GET")) {
                return call(x, "Deployments.GetOperationStatus", "resource.read", sub, region,
                        () -> operations.status(parts.get(3)));
            }
        }
        boolean verb = parts.size() % 2 == 1 && parts.size() >= 3
                && VirtualMachines.ACTIONS.contains(parts.get(parts.size() - 1).toLowerCase(Locale.ROOT));
        List<String> path = verb ? parts.subList(0, parts.size() - 1) : parts;
        String rawType = GenericResources.typeOf(ns, path);
        String type = ArmTypes.canonical(rawType);
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
                throw unknownRoute(x);
            }
            String parentId = path.size() > 1 ? GenericResources.id(sub, rg, ns, path.subList(0, path.size() - 1))
                    : null;
            return call(x, group + ".List", vm ? "vm.list" : "resource.read", sub, region,
                    () -> resources.listTyped(x.request(), sub, groups.require(sub, rg).name, type, parentId));
        }
        String id = GenericResources.id(sub, rg, ns, path);
        String name = path.get(path.size() - 1);
        if (verb) {
            String action = parts.get(parts.size() - 1).toLowerCase(Locale.ROOT);
            if (!vm) {
                throw unknownRoute(x);
            }
            if (action.equals("instanceview") && method.equals("GET")) {
                return call(x, "VirtualMachines.InstanceView", "vm.get", sub, region,
                        () -> ok(vms.instanceView(resources.require(id, type, name, rg))));
            }
            if (!method.equals("POST")) {
                throw unknownRoute(x);
            }
            String label = switch (action) {
                case "deallocate" -> "Deallocate";
                case "generalize" -> "Generalize";
                case "poweroff" -> "PowerOff";
                case "start" -> "Start";
                default -> "Restart";
            };
            return call(x, "VirtualMachines." + label, "vm.put", sub, region,
                    () -> vms.act(request, resources.require(id, type, name, rg), action, v));
        }
        switch (method) {
            case "GET":
                return call(x, group + ".Get", vm ? "vm.get" : "resource.read", sub, region,
                        () -> ok(resources.render(resources.require(id, type, name, rg),
                                "instanceView".equalsIgnoreCase(x.query().value("$expand")))));
            case "PUT":
            case "PATCH": {
                JsonNode body = ArmJson.body(request);
                boolean patch = method.equals("PATCH");
                return call(x, group + (patch ? ".Update" : ".CreateOrUpdate"), vm ? "vm.put" : "resource.write", sub,
                        region, () -> {
                            Group g = groups.require(sub, rg);
                            GenericResources.Maker maker = type.equals(ArmTypes.DEPLOYMENT)
                                    ? existing -> deployments.deploy(sub, g, name, body)
                                    : existing -> resources.create(sub, g, type, id, name, body, existing);
                            return resources.put(request, sub, g, type, id, name, patch, v, maker);
                        });
            }
            case "DELETE":
                return call(x, group + ".Delete", vm ? "vm.delete" : "resource.delete", sub, region,
                        () -> resources.delete(request, sub, type, id, v));
            default:
                throw unknownRoute(x);
        }
    }

    private ArmError unknownRoute(ArmExchange x) {
        String method = x.request().method();
        String path = x.request().path();
        if (firstUnknown.test(method + " " + path)) {
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

    /** The request's {@code $filter}, or null. */
    static String filter(Request request) {
        return dev.kiln.emulators.spi.Query.parse(request.rawQuery()).value("$filter");
    }

    /** The path's segments, each URL-decoded. */
    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : RouteTable.segments(path)) {
            out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
        }
        return out;
    }
}
