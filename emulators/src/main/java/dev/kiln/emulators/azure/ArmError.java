package dev.kiln.emulators.azure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.spi.ApiError;

/** An ARM error answer: status, {@code error.code}, message, optional details and Retry-After. */
final class ArmError extends ApiError {

    private static final long serialVersionUID = 1L;

    final transient ArrayNode details;
    final long retryAfterSeconds;

    ArmError(int status, String code, String message, Outcome outcome, ArrayNode details, long retryAfterSeconds) {
        super(status, code, message, outcome);
        this.details = details;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static ArmError of(int status, String code, String message) {
        return new ArmError(status, code, message, Outcome.ERROR, null, -1);
    }

    static ArmError notFound(String type, String name, String group) {
        return of(404, "ResourceNotFound", "The Resource '" + type + "/" + name + "' under resource group '"
                + group + "' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
    }

    static ArmError groupNotFound(String group) {
        return of(404, "ResourceGroupNotFound", "Resource group '" + group + "' could not be found.");
    }

    static ArmError badRequest(String code, String message) {
        return of(400, code, message);
    }
}
