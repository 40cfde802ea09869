package dev.kiln.gcp.internal;

import dev.kiln.spi.ApiRequest;
import dev.kiln.spi.ApiResponse;
import java.util.List;
import java.util.Optional;

/**
 * packer googlecompute's own Compute Engine calls, as Kiln's network sees them, by the rate-quota
 * group each counts in ({@code ProviderDefaults.gcp()}): an operation's get or wait is an operation
 * read, an aggregated list a heavy-weight read, a change under {@code global/} a global resource
 * write, any other change a write and any other get a read. A 403 whose body says
 * {@code rateLimitExceeded} (or {@code userRateLimitExceeded}), and a 429, are throttles.
 */
public final class PackerCalls {

    /** Compute Engine's API, under its current and its older name. */
    public static final List<String> HOSTS = List.of("compute.googleapis.com", "www.googleapis.com");

    private PackerCalls() {
    }

    public static Optional<String> classify(ApiRequest request) {
        String path = request.path();
        int projects = path.indexOf("/compute/v1/projects/");
        if (projects < 0) {
            projects = path.indexOf("/compute/beta/projects/");
        }
        if (projects < 0) {
            return Optional.empty();
        }
        boolean read = request.method().equals("GET") || request.method().equals("HEAD");
        if (path.contains("/operations/")) {
            return Optional.of("operation.get");
        }
        if (path.contains("/aggregated/")) {
            return Optional.of("aggregated.list");
        }
        if (read) {
            return Optional.of("read");
        }
        return Optional.of(path.contains("/global/") ? "global.write" : "write");
    }

    public static boolean isThrottle(ApiResponse response) {
        if (response.status() == 429) {
            return true;
        }
        if (response.status() != 403) {
            return false;
        }
        String body = response.errorText();
        return body.contains("rateLimitExceeded") || body.contains("RATE_LIMIT_EXCEEDED");
    }
}
