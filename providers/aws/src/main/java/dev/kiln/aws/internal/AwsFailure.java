package dev.kiln.aws.internal;

import dev.kiln.KilnException;
import dev.kiln.plan.Target;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * An AWS call that failed, with the service's error code when it answered. The message names the
 * call, the target and what AWS said; never credentials (AWS's error texts carry none, and the SDK
 * names credential providers, not keys).
 */
final class AwsFailure extends KilnException {

    private static final long serialVersionUID = 1L;

    private final String action;
    private final String code;
    private final boolean throttle;
    private final boolean unavailable;

    private AwsFailure(String message, String action, String code, boolean throttle, boolean unavailable,
                       Throwable cause) {
        super(message, cause);
        this.action = action;
        this.code = code;
        this.throttle = throttle;
        this.unavailable = unavailable;
    }

    static AwsFailure of(String service, String action, Target target, AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String text = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        String said = (code == null ? "HTTP " + e.statusCode() : code) + (text == null ? "" : ": " + text);
        return new AwsFailure(service + " " + action + " on " + target.key() + " failed: " + said, action, code,
                e.isThrottlingException(), e.statusCode() >= 500, e);
    }

    static AwsFailure unreachable(String service, String action, Target target, String endpoint, SdkException e) {
        return new AwsFailure("could not call " + service + " " + action + " on " + target.key() + " at " + endpoint
                + ": " + e.getMessage(), action, null, false, true, e);
    }

    String action() {
        return action;
    }

    /** AWS's error code, e.g. {@code DependencyViolation}; null when AWS did not answer. */
    String code() {
        return code;
    }

    boolean is(String errorCode) {
        return errorCode.equals(code);
    }

    boolean notFound() {
        return code != null && (code.endsWith(".NotFound") || code.endsWith("NotFound") || code.endsWith(".Malformed"));
    }

    /** A throttle, a 5xx or no answer at all: the SDK's retries are spent, and a later try may succeed. */
    @Override
    public boolean isTransient() {
        return throttle || unavailable;
    }

    boolean throttle() {
        return throttle;
    }
}
