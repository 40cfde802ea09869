package dev.kiln.emulators.azure;

import static dev.kiln.emulators.azure.ArmJson.JSON;
import static dev.kiln.emulators.azure.ArmJson.base;
import static dev.kiln.emulators.azure.ArmJson.ok;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.azure.ArmWorld.Op;
import dev.kiln.emulators.azure.ArmWorld.Res;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;

/**
 * ARM's long-running operations: the 201/202 answers that start them, with {@code Location} and
 * {@code Azure-AsyncOperation} URLs, and the status and result those URLs answer as the
 * operation runs on the world's time source.
 */
final class LongRunning {

    private final ArmWorld world;
    private final ArmConfig config;

    LongRunning(ArmWorld world, ArmConfig config) {
        this.world = world;
        this.config = config;
    }

    /** {@code GET .../operations/{id}}: InProgress, then Succeeded or Failed. */
    Response status(String id) {
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
            o.putObject("error").put("code", op.failure().code()).put("message", op.failure().getMessage());
        }
        Response r = ok(o);
        if (!done) {
            r = r.withHeader("Retry-After", retryAfter());
        }
        return r;
    }

    /** {@code GET /subscriptions/{sub}/operationresults/{id}}: 202 until done, then 200 or the failure. */
    Response result(Request request, String id, String v) {
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

    /** 202 with where to poll: {@code location}, and {@code asyncOperation} unless null. */
    Response accepted(String location, String asyncOperation) {
        Response r = new Response(202, null, new byte[0]).withHeader("Location", location)
                .withHeader("Retry-After", retryAfter());
        return asyncOperation == null ? r : r.withHeader("Azure-AsyncOperation", asyncOperation);
    }

    /** The result URL of {@code op}. */
    String location(Request request, String sub, Op op, String v) {
        return base(request) + "/subscriptions/" + sub + "/operationresults/" + op.id() + "?api-version=" + v;
    }

    /** The status URL of {@code op} on {@code r}: the deployment's own, or its resource provider's. */
    String asyncUrl(Request request, String sub, Res r, Op op, String v) {
        if (r.type.equals(ArmTypes.DEPLOYMENT)) {
            return base(request) + r.id + "/operationStatuses/" + op.id() + "?api-version=" + v;
        }
        return asyncStatus(request, sub, r, op, v);
    }

    /** The status URL of {@code op} at {@code r}'s resource provider and location. */
    String asyncStatus(Request request, String sub, Res r, Op op, String v) {
        return base(request) + "/subscriptions/" + sub + "/providers/" + ArmTypes.namespace(r.type) + "/locations/"
                + r.location + "/operations/" + op.id() + "?api-version=" + v;
    }

    String retryAfter() {
        return Long.toString(config.delays().retryAfter().toSeconds());
    }
}
