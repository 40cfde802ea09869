package dev.kiln.spi;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What came back for an {@link ApiRequest}: what a provider reads to tell a throttle from another
 * error ({@link CloudProvider#isThrottle}) and the limits the cloud says remain
 * ({@link CloudProvider#remaining}). {@link #toString()} gives the status only.
 *
 * <p>Stability: evolving SPI.
 *
 * @param status    the HTTP status packer received
 * @param headers   header fields by lowercase name
 * @param errorBody for a status of 400 or more, the first bytes of the body (GCE's 403
 *                  {@code rateLimitExceeded} and EC2's {@code RequestLimitExceeded} are told apart only
 *                  there); empty otherwise
 * @param byNetwork true when Kiln's network answered itself: the call never reached the cloud
 * @param elapsed   from the call's release to its last byte
 */
public record ApiResponse(int status, Map<String, List<String>> headers, byte[] errorBody, boolean byNetwork,
                          Duration elapsed) {

    public ApiResponse {
        headers = ApiRequest.lowercase(Objects.requireNonNull(headers, "headers"));
        Objects.requireNonNull(errorBody, "errorBody");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** The first value of header {@code name} (any case), if sent. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The error body as UTF-8 text; empty below 400. */
    public String errorText() {
        return new String(errorBody, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ApiResponse[" + status + (byNetwork ? " by Kiln's network" : "") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
