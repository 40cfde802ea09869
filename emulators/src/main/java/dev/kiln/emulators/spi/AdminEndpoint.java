package dev.kiln.emulators.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.Fault;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import java.time.Duration;

/**
 * The admin API every emulator serves under {@code /_kiln/}, in JSON:
 * {@code GET counters}, {@code GET calls}, {@code GET faults}, {@code POST faults}
 * ({@code {"action":"RunInstances","errorRate":0.5,"latencyMillis":0,"outageAfterMillis":0,"outageMillis":0,
 * "throttleRate":0,"resetRate":0}}),
 * {@code DELETE faults[?action=A]}, {@code POST reset}, {@code GET resources?tagKey=K&tagValue=V},
 * {@code GET health}.
 */
final class AdminEndpoint {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "application/json";

    private final Emulator emulator;

    AdminEndpoint(Emulator emulator) {
        this.emulator = emulator;
    }

    static Response refused() {
        return error(403, "the admin API answers loopback clients only");
    }

    Response handle(Request request) throws JsonProcessingException {
        String what = request.path().substring(EmulatorServer.ADMIN_PREFIX.length());
        Query query = Query.parse(request.rawQuery());
        String method = request.method();
        switch (method + " " + what) {
            case "GET health":
                return ok(JSON.createObjectNode().put("provider", emulator.provider()).put("status", "up"));
            case "GET counters":
                return ok(counters());
            case "GET calls":
                return ok(calls());
            case "GET faults":
                return ok(faults());
            case "POST faults":
                return injectFault(request);
            case "DELETE faults":
                if (query.has("action")) {
                    emulator.faults().clear(query.value("action"));
                } else {
                    emulator.faults().clear();
                }
                return ok(faults());
            case "POST reset":
                emulator.reset();
                return ok(JSON.createObjectNode().put("reset", true));
            case "GET resources":
                return resources(query);
            default:
                return error(404, "no admin operation " + method + " " + request.path()
                        + "; known: GET health, GET counters, GET calls, GET faults, POST faults, DELETE faults,"
                        + " POST reset, GET resources?tagKey=K&tagValue=V");
        }
    }

    private ObjectNode faults() {
        ObjectNode out = JSON.createObjectNode();
        emulator.faults().active().forEach((action, f) -> out.putObject(action)
                .put("errorRate", f.errorRate()).put("latencyMillis", f.latency().toMillis())
                .put("outageAfterMillis", f.outageAfter().toMillis()).put("outageMillis", f.outageFor().toMillis())
                .put("throttleRate", f.throttleRate()).put("resetRate", f.resetRate()));
        return out;
    }

    private ObjectNode counters() {
        ObjectNode root = JSON.createObjectNode().put("provider", emulator.provider());
        root.set("total", counts(emulator.counters().total()));
        ObjectNode actions = root.putObject("actions");
        emulator.counters().snapshot().forEach((a, c) -> actions.set(a, counts(c)));
        return root;
    }

    private static ObjectNode counts(ActionCounts c) {
        return JSON.createObjectNode().put("calls", c.calls()).put("throttled", c.throttled())
                .put("quotaErrors", c.quotaErrors()).put("otherErrors", c.otherErrors())
                .put("injectedFaults", c.injectedFaults()).put("queued", c.queued());
    }

    private ArrayNode calls() {
        ArrayNode out = JSON.createArrayNode();
        for (ApiCall c : emulator.calls()) {
            ObjectNode n = out.addObject().put("at", c.at().toString()).put("account", c.account())
                    .put("region", c.region()).put("action", c.action()).put("status", c.status());
            if (c.errorCode() != null) {
                n.put("errorCode", c.errorCode());
            }
        }
        return out;
    }

    private Response injectFault(Request request) {
        JsonNode body;
        try {
            body = JSON.readTree(request.body());
        } catch (java.io.IOException e) {
            return error(400, "the body must be a JSON object: " + e.getMessage());
        }
        if (body == null || !body.isObject() || !body.path("action").isTextual()) {
            return error(400, "the body must be a JSON object with \"action\" (an action name or \"*\") and any of"
                    + " errorRate (0..1), latencyMillis, outageAfterMillis, outageMillis, throttleRate (0..1),"
                    + " resetRate (0..1)");
        }
        try {
            Fault fault = new Fault(body.path("errorRate").asDouble(0),
                    Duration.ofMillis(body.path("latencyMillis").asLong(0)),
                    Duration.ofMillis(body.path("outageAfterMillis").asLong(0)),
                    Duration.ofMillis(body.path("outageMillis").asLong(0)),
                    body.path("throttleRate").asDouble(0), body.path("resetRate").asDouble(0));
            emulator.faults().inject(body.path("action").asText(), fault);
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
        return ok(faults());
    }

    private Response resources(Query query) {
        String key = query.value("tagKey");
        String value = query.value("tagValue");
        if (key == null || value == null) {
            return error(400, "give both tagKey and tagValue, e.g. /_kiln/resources?tagKey=kiln:build-id&tagValue=b-1");
        }
        ArrayNode out = JSON.createArrayNode();
        for (TaggedResource r : emulator.resourcesTagged(key, value)) {
            ObjectNode n = out.addObject().put("account", r.account()).put("region", r.region())
                    .put("type", r.type()).put("id", r.id()).put("state", r.state());
            n.set("tags", JSON.valueToTree(r.tags()));
        }
        return ok(out);
    }

    private static Response ok(JsonNode node) {
        try {
            return Response.of(200, TYPE, JSON.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Response error(int status, String message) {
        return Response.of(status, TYPE, "{\"error\":" + quote(message) + "}");
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
