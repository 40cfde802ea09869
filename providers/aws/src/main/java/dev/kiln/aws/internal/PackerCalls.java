package dev.kiln.aws.internal;

import dev.kiln.spi.ApiRequest;
import dev.kiln.spi.ApiResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * packer's own EC2 calls, as Kiln's network sees them: each is the action its Query request names
 * ({@code Action=RunInstances} in the form, or the query of a GET), the api class EC2's per-action
 * buckets are keyed by; a 503 (or 400) whose body says {@code RequestLimitExceeded} is a throttle.
 */
public final class PackerCalls {

    /** EC2's regional endpoints; STS and IAM are not metered (their limits are not EC2's). */
    public static final List<String> HOSTS = List.of("ec2.*.amazonaws.com", "ec2.amazonaws.com");

    private static final Pattern ACTION = Pattern.compile("(?:^|&)Action=([A-Za-z0-9]+)(?:&|$)");
    private static final Pattern THROTTLE = Pattern.compile("<Code>(RequestLimitExceeded|Throttling)</Code>");

    private PackerCalls() {
    }

    /** The EC2 action {@code request} calls; empty when it names none. */
    public static Optional<String> classify(ApiRequest request) {
        if (!request.host().startsWith("ec2.")) {
            return Optional.empty();
        }
        Optional<String> action = action(request.bodyText());
        if (action.isEmpty()) {
            int q = request.target().indexOf('?');
            action = q < 0 ? Optional.empty() : action(request.target().substring(q + 1));
        }
        return action;
    }

    private static Optional<String> action(String form) {
        Matcher m = ACTION.matcher(form);
        return m.find() ? Optional.of(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8)) : Optional.empty();
    }

    /** EC2 throttles with 503 {@code RequestLimitExceeded}. */
    public static boolean isThrottle(ApiResponse response) {
        return (response.status() == 503 || response.status() == 400)
                && THROTTLE.matcher(response.errorText()).find();
    }
}
