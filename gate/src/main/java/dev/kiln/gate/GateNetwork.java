package dev.kiln.gate;

import dev.kiln.spi.ApiRequest;
import dev.kiln.spi.ApiResponse;
import dev.kiln.spi.BuildMeter;
import dev.kiln.spi.BuildNetwork;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kiln's {@link BuildNetwork} through a {@link Gate}: one gate per run, whose CA lives in that run
 * alone, and one {@link GateClient} per build attempt. The gate intercepts the API hosts of the
 * run's providers (and every host given a route), hands each call to the build's
 * {@link BuildMeter} (which holds it until Kiln's limits allow it, and counts it), and tunnels
 * every other host untouched.
 *
 * <pre>{@code
 * Kiln kiln = Kiln.builder()
 *         .provider(aws).provider(azure).provider(gcp)
 *         .network(GateNetwork.builder().build())          // real clouds: meter, route nothing
 *         .packerRunner(PackerRunners.process())
 *         .build();
 * }</pre>
 *
 * In tests, {@link Builder#route(Map)} sends hosts to emulators ({@code http://127.0.0.1:PORT}) and
 * {@link Builder#env(Map)} adds what a builder needs beside the proxy ({@code GCE_METADATA_HOST}).
 */
public final class GateNetwork implements BuildNetwork {

    private static final Logger LOG = LoggerFactory.getLogger("dev.kiln.gate");

    private final Map<String, URI> routes;
    private final List<String> intercepted;
    private final Map<String, String> env;
    private final List<String> noProxy;
    private final Optional<UpstreamProxy> upstreamProxy;
    private final Path systemRoots;

    private GateNetwork(Builder b) {
        this.routes = Map.copyOf(b.routes);
        this.intercepted = List.copyOf(b.intercepted);
        this.env = Map.copyOf(b.env);
        this.noProxy = List.copyOf(b.noProxy);
        this.upstreamProxy = b.upstreamProxy;
        this.systemRoots = b.systemRoots;
    }

    /** A builder: no routes, the user's proxy and CA bundle from Kiln's environment. */
    public static Builder builder() {
        return builder(System.getenv());
    }

    /** A builder: no routes, the user's proxy and CA bundle from {@code environment}. */
    public static Builder builder(Map<String, String> environment) {
        return new Builder(Objects.requireNonNull(environment, "environment"));
    }

    @Override
    public RunNetwork open(Context context) {
        Set<String> hosts = new LinkedHashSet<>();
        context.apiHosts().values().forEach(hosts::addAll);
        hosts.addAll(intercepted);
        hosts.addAll(routes.keySet());
        Map<GateClient, BuildMeter> meters = new ConcurrentHashMap<>();
        Gate.Builder gate = Gate.builder()
                .intercept(Interception.hosts(List.copyOf(hosts)))
                .router(routes.isEmpty() ? Router.direct() : Router.to(new LinkedHashMap<>(routes)))
                .meter(new Metering(meters))
                .listener(event -> heard(event, meters))
                .upstreamProxy(upstreamProxy)
                .bundleDirectory(context.runDirectory().resolve("gate"))
                .noProxy(noProxy.toArray(String[]::new))
                .time(context.time());
        if (systemRoots != null) {
            gate.systemRoots(systemRoots);
        }
        return new Open(gate.start(), meters, env);
    }

    private static void heard(GateEvent event, Map<GateClient, BuildMeter> meters) {
        if (event instanceof GateEvent.UpstreamFailed f) {
            meterOf(meters, f.client()).problem(f.host(), f.message());
        } else if (event instanceof GateEvent.ClientHandshakeFailed f) {
            meterOf(meters, f.client()).problem(f.host(), f.message());
        } else if (event instanceof GateEvent.HookFailed f) {
            meterOf(meters, f.client()).problem(f.host(), f.message());
        } else {
            LOG.warn("{}", event.message());
        }
    }

    private static BuildMeter meterOf(Map<GateClient, BuildMeter> meters, GateClient client) {
        return meters.getOrDefault(client, BuildMeter.none());
    }

    /** The gate's {@link Meter}: each call goes to its build's {@link BuildMeter}. */
    private record Metering(Map<GateClient, BuildMeter> meters) implements Meter {

        @Override
        public void before(GateRequest request) throws InterruptedException {
            meterOf(meters, request.client()).before(view(request));
        }

        @Override
        public void after(GateRequest request, GateResponse response) {
            meterOf(meters, request.client()).after(view(request), new ApiResponse(response.status(),
                    headers(response.headers()), response.errorBody().toByteArray(), response.byGate(),
                    response.elapsed()));
        }

        private static ApiRequest view(GateRequest r) {
            return new ApiRequest(r.method(), r.host(), r.target(), headers(r.headers()), r.body().toByteArray(),
                    r.attempt());
        }

        private static Map<String, List<String>> headers(GateHeaders headers) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            headers.forEach((name, value) -> out.computeIfAbsent(name, n -> new ArrayList<>()).add(value));
            return out;
        }
    }

    /** One run's gate. */
    private static final class Open implements RunNetwork {
        private final Gate gate;
        private final Map<GateClient, BuildMeter> meters;
        private final Map<String, String> env;

        Open(Gate gate, Map<GateClient, BuildMeter> meters, Map<String, String> env) {
            this.gate = gate;
            this.meters = meters;
            this.env = env;
        }

        @Override
        public Connection connect(String name, BuildMeter meter) {
            GateClient client = gate.newClient(name);
            meters.put(client, Objects.requireNonNull(meter, "meter"));
            Map<String, String> all = new LinkedHashMap<>(env);
            all.putAll(gate.env(client));
            // packer's update check would be one more host to tunnel, on every build.
            all.put("CHECKPOINT_DISABLE", "1");
            List<String> secrets = List.of(client.token());
            return new Connection() {
                @Override
                public Map<String, String> env() {
                    return Map.copyOf(all);
                }

                @Override
                public List<String> secrets() {
                    return secrets;
                }

                @Override
                public void close() {
                    gate.revoke(client);
                    meters.remove(client);
                }
            };
        }

        @Override
        public String describe() {
            return "kiln gate on " + gate.address().getHostString() + ":" + gate.address().getPort();
        }

        @Override
        public void close() {
            gate.close();
        }
    }

    /** Settings of a {@link GateNetwork}; {@link #build()} copies them. */
    public static final class Builder {
        private final Map<String, URI> routes = new LinkedHashMap<>();
        private final List<String> intercepted = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> noProxy = new ArrayList<>();
        private Optional<UpstreamProxy> upstreamProxy;
        private Path systemRoots;

        private Builder(Map<String, String> environment) {
            this.upstreamProxy = UpstreamProxy.fromEnvironment(environment);
            // Go reads SSL_CERT_FILE instead of the system's roots: a user who set one trusts what it
            // holds (a corporate CA), and the gate's bundle must start with it.
            String certFile = environment.get("SSL_CERT_FILE");
            if (certFile != null && !certFile.isBlank() && Files.isRegularFile(Path.of(certFile))) {
                this.systemRoots = Path.of(certFile);
            }
        }

        /**
         * Sends the calls of hosts matching each key (an exact name or a pattern as in
         * {@link Interception#hosts}) to its URI instead of the host, and intercepts them: tests and
         * the demo route the providers' API hosts to the emulators.
         */
        public Builder route(Map<String, URI> hostRoutes) {
            hostRoutes.forEach((host, uri) -> routes.put(Objects.requireNonNull(host, "host"),
                    Objects.requireNonNull(uri, "uri")));
            return this;
        }

        /** Intercepts these hosts too (they are neither a provider's API hosts nor routed). */
        public Builder intercept(String... hosts) {
            for (String h : hosts) {
                intercepted.add(Objects.requireNonNull(h, "host"));
            }
            return this;
        }

        /** Adds {@code variables} to every connected packer process's environment, e.g. {@code GCE_METADATA_HOST}. */
        public Builder env(Map<String, String> variables) {
            variables.forEach((k, v) -> env.put(Objects.requireNonNull(k, "name"), Objects.requireNonNull(v, "value")));
            return this;
        }

        /** Hosts packer reaches without the gate (a vCenter), added to {@code NO_PROXY}. */
        public Builder noProxy(String... hosts) {
            for (String h : hosts) {
                noProxy.add(Objects.requireNonNull(h, "host"));
            }
            return this;
        }

        /** The user's proxy to chain to; by default {@code HTTPS_PROXY}/{@code NO_PROXY} of Kiln's environment. */
        public Builder upstreamProxy(Optional<UpstreamProxy> proxy) {
            this.upstreamProxy = Objects.requireNonNull(proxy, "proxy");
            return this;
        }

        /** The PEM roots the bundle starts with; by default {@code SSL_CERT_FILE}, else the system's. */
        public Builder systemRoots(Path file) {
            this.systemRoots = Objects.requireNonNull(file, "file");
            return this;
        }

        public GateNetwork build() {
            return new GateNetwork(this);
        }
    }
}
