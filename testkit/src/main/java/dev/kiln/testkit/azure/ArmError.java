package dev.kiln.testkit.azure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.kiln.testkit.ApiCounters.Outcome;

/** An ARM error answer: status, {@code error.code}, message, optional details and Retry-After. */
final class ArmError extends RuntimeException {

    final int status;
    final String code;
    final Outcome outcome;
    final ArrayNode details;
    final long retryAfterSeconds;

    ArmError(int status, String code, String message, Outcome outcome, ArrayNode details, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.outcome = outcome;
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
