package dev.kiln.emulators.aws;

import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.spi.ApiError;

/**
 * An error answer in EC2's words: HTTP status, error code and message, and how the counters
 * classify it. Thrown by the actions and turned into the Query protocol's error document.
 */
final class Ec2Error extends ApiError {

    private static final long serialVersionUID = 1L;

    Ec2Error(int status, String code, String message, Outcome outcome) {
        super(status, code, message, outcome);
    }

    static Ec2Error client(String code, String message) {
        return new Ec2Error(400, code, message, Outcome.ERROR);
    }

    static Ec2Error quota(String code, String message) {
        return new Ec2Error(400, code, message, Outcome.QUOTA);
    }

    static Ec2Error throttled() {
        return new Ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.", Outcome.THROTTLED);
    }

    static Ec2Error invalidValue(String message) {
        return client("InvalidParameterValue", message);
    }

    static Ec2Error missing(String parameter) {
        return client("MissingParameter", "The request must contain the parameter " + parameter);
    }
}
