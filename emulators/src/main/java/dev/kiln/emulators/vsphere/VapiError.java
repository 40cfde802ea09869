package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.spi.ApiError;
import java.util.List;

/**
 * One of the vSphere Automation API's standard errors ({@code com.vmware.vapi.std.errors.*}), with
 * the HTTP status vCenter answers it with. The /api form of its body is
 * {@code {"error_type":"NOT_FOUND","messages":[{"args":[],"default_message":"...","id":"..."}]}}; the
 * legacy /rest form is {@code {"type":"com.vmware.vapi.std.errors.not_found","value":{"messages":[...]}}}.
 */
final class VapiError extends ApiError {

    private static final long serialVersionUID = 1L;

    /** The standard error types the emulator answers, with their HTTP status. */
    enum Type {
        NOT_FOUND(404),
        UNAUTHENTICATED(401),
        UNAUTHORIZED(403),
        INVALID_ARGUMENT(400),
        INVALID_REQUEST(400),
        ALREADY_EXISTS(400),
        ALREADY_IN_DESIRED_STATE(400),
        NOT_ALLOWED_IN_CURRENT_STATE(400),
        RESOURCE_IN_USE(400),
        UNABLE_TO_ALLOCATE_RESOURCE(400),
        SERVICE_UNAVAILABLE(503),
        ERROR(500);

        final int status;

        Type(int status) {
            this.status = status;
        }

        /** The legacy /rest name, e.g. {@code com.vmware.vapi.std.errors.not_found}. */
        String legacyName() {
            return "com.vmware.vapi.std.errors." + name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    final Type type;
    final String messageId;
    final List<String> args;

    VapiError(Type type, String messageId, String message, String... args) {
        this(type, messageId, message, type == Type.SERVICE_UNAVAILABLE ? Outcome.THROTTLED : Outcome.ERROR, args);
    }

    VapiError(Type type, String messageId, String message, Outcome outcome, String... args) {
        super(type.status, type.name(), message, outcome);
        this.type = type;
        this.messageId = messageId;
        this.args = List.of(args);
    }

    static VapiError notFound(String what, String id) {
        return new VapiError(Type.NOT_FOUND, "com.vmware.api.vcenter.object.not_found",
                what + " with identifier '" + id + "' was not found.", id);
    }

    static VapiError invalid(String message) {
        return new VapiError(Type.INVALID_ARGUMENT, "com.vmware.vapi.std.errors.invalid_argument", message);
    }

    static VapiError state(String message) {
        return new VapiError(Type.NOT_ALLOWED_IN_CURRENT_STATE,
                "com.vmware.vapi.std.errors.not_allowed_in_current_state", message);
    }
}
