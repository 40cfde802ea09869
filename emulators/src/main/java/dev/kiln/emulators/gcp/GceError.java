package dev.kiln.emulators.gcp;

import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.spi.ApiError;

/**
 * An error answer in Compute Engine's JSON shape:
 * {@code {"error":{"code":N,"message":M,"errors":[{"message":M,"domain":D,"reason":R}],"status":S}}}.
 */
final class GceError extends ApiError {

    private static final long serialVersionUID = 1L;

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
