package dev.kiln.gate;

import dev.kiln.gate.internal.GateServer;
import dev.kiln.gate.internal.GateSettings;
import dev.kiln.time.TimeSource;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * A loopback HTTPS proxy that packer processes use through {@code HTTPS_PROXY}, so the calls
 * packer's own SDKs make pass through Kiln.
 *
 * <p>For a host its {@link Interception} names, the gate answers {@code CONNECT} itself,
 * terminates TLS with a leaf certificate signed by a CA made for this gate alone (its key never
 * leaves memory), reads each HTTP/1.1 request, lets the {@link Meter} hold and count it, and sends
 * it to the host, or where the {@link Router} says, keeping the {@code Host} header. Every other
 * host is tunnelled untouched. Both go through the user's {@link UpstreamProxy} when one is set.
 *
 * <p>It listens on 127.0.0.1 only, and every client authenticates with a token the gate handed out
 * ({@link #newClient(String)}), put in the proxy URL of {@link #env(GateClient)}. It never logs a
 * header, a token or a body: only host, method, path without query and status.
 *
 * <pre>{@code
 * try (Gate gate = Gate.builder()
 *         .intercept(Interception.hosts("management.azure.com", "login.microsoftonline.com"))
 *         .meter(meter)
 *         .bundleDirectory(runDirectory)
 *         .start()) {
 *     GateClient build = gate.newClient("build-7");
 *     processBuilder.environment().putAll(gate.env(build));
 *     ...
 * }
 * }</pre>
 */
public interface Gate extends AutoCloseable {

    /** A builder with the defaults documented on each setting. */
    static Builder builder() {
        return new Builder();
    }

    /** Where the gate listens: 127.0.0.1 and its port. */
    InetSocketAddress address();

    /** A new client with its own token, for one packer build; {@code name} identifies it in hooks and events. */
    GateClient newClient(String name);

    /** Forgets {@code client}'s token: its later connections get 407. Open connections are not cut. */
    void revoke(GateClient client);

    /**
     * The environment for a packer process of {@code client}: {@code HTTPS_PROXY} and
     * {@code HTTP_PROXY} ({@code http://TOKEN@127.0.0.1:PORT}), {@code NO_PROXY} (loopback plus
     * {@link Builder#noProxy}), {@code SSL_CERT_FILE} ({@link #caBundle()}), and the same proxy
     * settings in lowercase, which tools other than Go (curl in a shell provisioner) read first.
     *
     * @throws GateException when {@code client} was not handed out by this gate or was revoked
     */
    Map<String, String> env(GateClient client);

    /** This gate's CA certificate, for clients that take a trust store rather than a file. */
    X509Certificate caCertificate();

    /**
     * The CA bundle for {@code SSL_CERT_FILE}: the system roots (when present) followed by this
     * gate's CA, in PEM, readable by its owner only. Deleted when the gate closes.
     */
    Path caBundle();

    /** Stops listening, closes every connection, stops the gate's threads and deletes the CA bundle. */
    @Override
    void close();

    /** Settings for a gate; {@link #start()} copies them, so a builder may be reused. */
    final class Builder {
        private Interception interception = Interception.none();
        private Router router = Router.direct();
        private Meter meter = Meter.none();
        private final List<GateListener> listeners = new ArrayList<>();
        private UpstreamProxy upstreamProxy;
        private SSLContext upstreamTls;
        private Path bundleDirectory;
        private Path systemRoots = Path.of("/etc/ssl/certs/ca-certificates.crt");
        private final List<String> noProxy = new ArrayList<>();
        private TimeSource time = TimeSource.system();
        private Duration caValidity = Duration.ofDays(7);
        private int threads = 256;
        private int maxBufferedBody = 1 << 20;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration responseTimeout = Duration.ofMinutes(5);
        private Duration idleTimeout = Duration.ofMinutes(2);
        private int port;

        private Builder() {
        }

        /** Which hosts are intercepted; none by default (everything tunnelled). */
        public Builder intercept(Interception interception) {
            this.interception = Objects.requireNonNull(interception, "interception");
            return this;
        }

        /** Where hosts' calls go; {@link Router#direct()} by default. */
        public Builder router(Router router) {
            this.router = Objects.requireNonNull(router, "router");
            return this;
        }

        /** The hold and count on every intercepted call; {@link Meter#none()} by default. */
        public Builder meter(Meter meter) {
            this.meter = Objects.requireNonNull(meter, "meter");
            return this;
        }

        /** Adds a receiver of the gate's events. */
        public Builder listener(GateListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The user's proxy to chain to; none by default. See {@link UpstreamProxy#fromEnvironment}. */
        public Builder upstreamProxy(UpstreamProxy proxy) {
            this.upstreamProxy = Objects.requireNonNull(proxy, "proxy");
            return this;
        }

        /** The user's proxy to chain to, if any. */
        public Builder upstreamProxy(Optional<UpstreamProxy> proxy) {
            this.upstreamProxy = proxy.orElse(null);
            return this;
        }

        /**
         * The TLS the gate uses towards intercepted hosts (and {@code https} routes); by default the
         * JDK's ({@link SSLContext#getDefault()}: its trust store). Host names are always verified.
         */
        public Builder upstreamTls(SSLContext context) {
            this.upstreamTls = Objects.requireNonNull(context, "context");
            return this;
        }

        /** Required: the directory the CA bundle is written to (created 0700 when missing). */
        public Builder bundleDirectory(Path directory) {
            this.bundleDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * The PEM file of system roots that starts the bundle; Debian's
         * {@code /etc/ssl/certs/ca-certificates.crt} by default. When it is missing the bundle holds
         * the gate's CA only.
         */
        public Builder systemRoots(Path file) {
            this.systemRoots = Objects.requireNonNull(file, "file");
            return this;
        }

        /** Hosts packer reaches without the gate, added to {@code NO_PROXY} after the loopback names. */
        public Builder noProxy(String... hosts) {
            for (String host : hosts) {
                noProxy.add(Objects.requireNonNull(host, "host"));
            }
            return this;
        }

        /** The clock for certificate validity and call times; {@link TimeSource#system()} by default. */
        public Builder time(TimeSource time) {
            this.time = Objects.requireNonNull(time, "time");
            return this;
        }

        /** How long the CA and its leaves are valid; 7 days by default: longer than any run, no longer. */
        public Builder caValidity(Duration validity) {
            this.caValidity = Objects.requireNonNull(validity, "validity");
            return this;
        }

        /**
         * The most threads the gate runs: one per open client connection, one more per tunnel, one
         * listening. 256 by default; past it new connections get 503.
         */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** How many bytes of a request body {@link GateRequest#body()} holds; 1 MiB by default. */
        public Builder maxBufferedBody(int bytes) {
            this.maxBufferedBody = bytes;
            return this;
        }

        /** How long connecting to an upstream (or the upstream proxy) may take; 10 s by default. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How long an upstream may stay silent while the gate waits for its answer; 5 min by default. */
        public Builder responseTimeout(Duration timeout) {
            this.responseTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How long a client connection (or tunnel) may stay silent before it is closed; 2 min by default. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The port to listen on; 0 (any free port) by default. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Makes the CA, writes the bundle and starts listening.
         *
         * @throws GateException naming the setting at fault, or when the port or bundle cannot be had
         */
        public Gate start() {
            return GateServer.start(new GateSettings(interception, router, meter, List.copyOf(listeners),
                    Optional.ofNullable(upstreamProxy), Optional.ofNullable(upstreamTls),
                    Optional.ofNullable(bundleDirectory), systemRoots, List.copyOf(noProxy), time, caValidity, threads,
                    maxBufferedBody, connectTimeout, responseTimeout, idleTimeout, port));
        }
    }
}
