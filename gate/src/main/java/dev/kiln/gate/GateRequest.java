package dev.kiln.gate;

import java.util.Objects;
import java.util.Optional;

/**
 * One call packer made to an intercepted host, as the gate read it, before it goes upstream.
 *
 * <p>{@link #toString()} gives the client's name, the method, host and path: never the query,
 * a header value, the token or the body.
 *
 * @param client  the build that made the call (from the token in its proxy URL)
 * @param method  the HTTP method, as sent ({@code GET}, {@code POST}, ...)
 * @param host    the host packer asked for (from its {@code CONNECT}, or the absolute URL of a plain
 *                HTTP request), lowercase; the request's own {@code Host} header is in {@code headers}
 * @param port    the port packer asked for
 * @param target  path and query, as sent ({@code /subscriptions/...?api-version=2018-02-01})
 * @param headers the request's header fields as packer sent them, but for {@code Proxy-Authorization}
 *                (the gate's own token) and an {@code Expect} the gate answered
 * @param body    the request's body, buffered up to the gate's bound (EC2's {@code Action=} form is in it)
 * @param attempt 1 for a first attempt; more for a retry the SDK made on its own: an AWS SDK's
 *                {@code amz-sdk-request: attempt=N}, or the same request (method, host, target,
 *                body) from the same client whose last answer was a 429, a 5xx or a gate failure
 */
public record GateRequest(GateClient client, String method, String host, int port, String target,
                          GateHeaders headers, GateBody body, int attempt) {

    public GateRequest {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
        }
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt " + attempt + " is not 1 or more");
        }
    }

    /** The target without its query. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** The query without its {@code ?}, when there is one. */
    public Optional<String> query() {
        int q = target.indexOf('?');
        return q < 0 ? Optional.empty() : Optional.of(target.substring(q + 1));
    }

    /** Whether this call repeats one that failed (see {@link #attempt()}). */
    public boolean retry() {
        return attempt > 1;
    }

    /** Client name, method, host and path; the query, headers and body are left out on purpose. */
    @Override
    public String toString() {
        return "GateRequest[" + client.name() + " " + method + " " + host + path()
                + (attempt > 1 ? " attempt " + attempt : "") + "]";
    }
}
