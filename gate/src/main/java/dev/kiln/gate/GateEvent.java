package dev.kiln.gate;

import java.util.Objects;

/**
 * Something at the gate that Kiln should report: an upstream that could not be reached, a client
 * that was refused, a hook that failed. Messages are single lines, name the host and say what to
 * do; they never carry a token, a header value or a body.
 */
public sealed interface GateEvent {

    /** The line the gate logged and answered packer with. */
    String message();

    /**
     * The gate answered packer with 502 because the upstream could not be reached.
     *
     * @param client the build whose call failed
     * @param host   the host packer asked for
     * @param port   its port
     * @param cause  what failed
     */
    record UpstreamFailed(GateClient client, String host, int port, Cause cause, String message)
            implements GateEvent {
        public UpstreamFailed {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Why an upstream could not be reached. */
    enum Cause {
        /** The host name does not resolve. */
        UNKNOWN_HOST,
        /** The host, or the upstream proxy, refused the connection or could not be reached. */
        CONNECT_FAILED,
        /** The user's upstream proxy answered {@code CONNECT} with something other than 2xx. */
        PROXY_REFUSED,
        /** The TLS handshake with the host failed: an unknown CA, a wrong name, no common protocol. */
        UPSTREAM_TLS,
        /** The host (or proxy) did not answer in time. */
        TIMEOUT,
        /** The connection broke, or the upstream spoke something other than HTTP/1.1. */
        BROKEN,
        /** The {@link Router} gave a URI the gate cannot use. */
        BAD_ROUTE
    }

    /**
     * The gate refused a client before any upstream was contacted.
     *
     * @param host the host asked for, or empty when the request did not get that far
     */
    record ClientRefused(Refusal refusal, String host, String message) implements GateEvent {
        public ClientRefused {
            Objects.requireNonNull(refusal, "refusal");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Why a client was refused. */
    enum Refusal {
        /** The connection came from an address other than loopback. */
        NOT_LOOPBACK,
        /** No {@code Proxy-Authorization}, or a token the gate did not hand out (or revoked): 407. */
        UNAUTHENTICATED,
        /** A plain HTTP request to a host the gate does not intercept: 403. */
        NOT_INTERCEPTED,
        /** Not HTTP/1.1 the gate understands: 400. */
        BAD_REQUEST,
        /** Every thread of the gate is busy: 503. */
        BUSY
    }

    /**
     * Packer did not accept the gate's certificate for an intercepted host (or the TLS handshake
     * with packer failed otherwise): the process runs without the gate's {@code SSL_CERT_FILE}, or
     * with a system that rejects the gate's CA.
     */
    record ClientHandshakeFailed(GateClient client, String host, String message) implements GateEvent {
        public ClientHandshakeFailed {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * A {@link Meter}, {@link Router} or {@link Interception} threw. The call was answered with 502
     * (or, for {@link Meter#after}, went on unchanged).
     *
     * @param hook  which hook: {@code Meter.before}, {@code Meter.after}, {@code Router}, {@code Interception}
     * @param error what it threw; the gate logs its class only, never its message
     */
    record HookFailed(GateClient client, String host, String hook, RuntimeException error, String message)
            implements GateEvent {
        public HookFailed {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(hook, "hook");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(message, "message");
        }

        /** Leaves out the error's message, which the gate cannot vouch for. */
        @Override
        public String toString() {
            return "HookFailed[" + client + ", " + host + ", " + hook + " threw " + error.getClass().getName() + "]";
        }
    }
}
