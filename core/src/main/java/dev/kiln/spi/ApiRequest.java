package dev.kiln.spi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One API call a build's packer process made, as Kiln's {@link BuildNetwork} read it before it goes
 * to the cloud: what a provider {@linkplain CloudProvider#classify classifies} into its API class.
 *
 * <p>It carries credentials (a bearer token, a signature, a client secret in a form), so
 * {@link #toString()} shows only the method, host and path, and a provider must not log the rest.
 *
 * <p>Stability: evolving SPI.
 *
 * @param method  the HTTP method, as sent
 * @param host    the host packer asked for, lowercase ({@code ec2.us-east-1.amazonaws.com})
 * @param target  path and query, as sent
 * @param headers header fields by lowercase name, values in order
 * @param body    the body as far as the network buffered it (EC2's {@code Action=} form is in it); may be empty
 * @param attempt 1 for a first attempt; more for a retry packer's SDK made on its own
 */
public record ApiRequest(String method, String host, String target, Map<String, List<String>> headers, byte[] body,
                         int attempt) {

    public ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(target, "target");
        headers = lowercase(Objects.requireNonNull(headers, "headers"));
        Objects.requireNonNull(body, "body");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt " + attempt + " is not 1 or more");
        }
    }

    /** {@code headers} by lowercase name, fields of the same name in any case joined in order. */
    static Map<String, List<String>> lowercase(Map<String, List<String>> headers) {
        Map<String, List<String>> lower = new TreeMap<>();
        headers.forEach((name, values) -> lower.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .addAll(values));
        lower.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(lower);
    }

    /** The target without its query. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** The first value of header {@code name} (any case), if sent. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Whether the call repeats one that failed (see {@link #attempt()}). */
    public boolean retry() {
        return attempt > 1;
    }

    /** Method, host and path: the query, headers and body are left out on purpose. */
    @Override
    public String toString() {
        return "ApiRequest[" + method + " " + host + path() + (attempt > 1 ? " attempt " + attempt : "") + "]";
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
