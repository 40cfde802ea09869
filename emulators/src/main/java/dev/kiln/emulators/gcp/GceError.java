package dev.kiln.emulators.gcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.spi.ApiError;
import dev.kiln.emulators.spi.EmulatorServer.Response;

/**
 * An error answer in Compute Engine's JSON shape:
 * {@code {"error":{"code":N,"message":M,"errors":[{"message":M,"domain":D,"reason":R}],"status":S}}}.
 */
final class GceError extends ApiError {

    private static final long serialVersionUID = 1L;
    static final String JSON_TYPE = "application/json; charset=UTF-8";
    private static final ObjectMapper JSON = new ObjectMapper();

    final String domain;
    final String rpcStatus;
    /** Extra entries for {@code error.details}, already JSON, or null. */
    final String details;

    /** {@code reason} is the error's code: what the journal keeps. */
    GceError(int status, String domain, String reason, String rpcStatus, String message, Outcome outcome,
            String details) {
        super(status, reason, message, outcome);
        this.domain = domain;
        this.rpcStatus = rpcStatus;
        this.details = details;
    }

    /** {@code error} as Compute Engine answers it (an error of another kind as an {@code UNKNOWN} one). */
    static Response render(ApiError error) {
        GceError gce = error instanceof GceError g ? g : null;
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error").put("code", error.status()).put("message", error.getMessage());
        err.putArray("errors").addObject().put("message", error.getMessage())
                .put("domain", gce == null ? "global" : gce.domain).put("reason", error.code());
        err.put("status", gce == null ? "UNKNOWN" : gce.rpcStatus);
        try {
            if (gce != null && gce.details != null) {
                err.putArray("details").add(JSON.readTree(gce.details));
            }
            return Response.of(error.status(), JSON_TYPE, JSON.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + error.code() + ": " + e.getMessage(), e);
        }
    }

    static GceError notFound(String resourcePath) {
        return new GceError(404, "global", "notFound", "NOT_FOUND",
                "The resource '" + resourcePath + "' was not found", Outcome.ERROR, null);
    }

    static GceError alreadyExists(String resourcePath) {
        return new GceError(409, "global", "alreadyExists", "ALREADY_EXISTS",
                "The resource '" + resourcePath + "' already exists", Outcome.ERROR, null);
    }

    static GceError invalid(String message) {
        return new GceError(400, "global", "invalid", "INVALID_ARGUMENT", message, Outcome.ERROR, null);
    }

    static GceError badRequest(String message) {
        return new GceError(400, "global", "badRequest", "INVALID_ARGUMENT", message, Outcome.ERROR, null);
    }

    static GceError inUse(String resourcePath, String user) {
        return new GceError(400, "global", "resourceInUseByAnotherResource", "FAILED_PRECONDITION",
                "The " + kindOf(resourcePath) + " resource '" + resourcePath + "' is already being used by '" + user
                        + "'", Outcome.ERROR, null);
    }

    static GceError forbidden(String permission, String resourcePath) {
        return new GceError(403, "global", "forbidden", "PERMISSION_DENIED",
                "Required '" + permission + "' permission for '" + resourcePath + "'", Outcome.ERROR, null);
    }

    /** A precondition the request named no longer holds, e.g. a stale metadata or label fingerprint. */
    static GceError conditionNotMet(String message) {
        return new GceError(412, "global", "conditionNotMet", "FAILED_PRECONDITION", message, Outcome.ERROR, null);
    }

    static GceError unknownUrl(String method, String path) {
        return new GceError(404, "global", "notFound", "NOT_FOUND",
                "The requested URL " + method + " " + path + " was not found on this server.", Outcome.ERROR, null);
    }

    private static String kindOf(String resourcePath) {
        String[] parts = resourcePath.split("/");
        String plural = parts.length >= 2 ? parts[parts.length - 2] : "resource";
        return plural.endsWith("s") ? plural.substring(0, plural.length() - 1) : plural;
    }
}
