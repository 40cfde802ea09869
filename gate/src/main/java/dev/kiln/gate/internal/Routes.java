package dev.kiln.gate.internal;

import dev.kiln.gate.GateEvent.Cause;
import dev.kiln.gate.Router;
import dev.kiln.gate.UpstreamProxy;
import java.net.URI;
import java.util.Optional;

/** Turns what packer asked for into where the gate connects, through the {@link Router}. */
final class Routes {

    private final Router router;
    private final Optional<UpstreamProxy> proxy;

    Routes(Router router, Optional<UpstreamProxy> proxy) {
        this.router = router;
        this.proxy = proxy;
    }

    /**
     * Where requests to {@code host}:{@code port} go.
     *
     * @param tls whether packer spoke TLS (CONNECT) rather than plain HTTP
     * @throws UpstreamFailure when the router gave an unusable URI
     * @throws RuntimeException what the router threw
     */
    Target forRequest(String host, int port, boolean tls) throws UpstreamFailure {
        Optional<URI> route = router.route(host);
        if (route.isPresent()) {
            URI uri = checked(host, route.get());
            boolean https = uri.getScheme().equalsIgnoreCase("https");
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            return new Target(host, port, HostPatterns.normalize(uri.getHost()), portOf(uri, https), https, null,
                    path.endsWith("/") ? path.substring(0, path.length() - 1) : path, true);
        }
        return new Target(host, port, host, port, tls, proxyFor(host, port), "", false);
    }

    /** Where a tunnel to {@code host}:{@code port} goes: a route's host and port, or the host itself. */
    Target forTunnel(String host, int port) throws UpstreamFailure {
        Optional<URI> route = router.route(host);
        if (route.isPresent()) {
            URI uri = checked(host, route.get());
            boolean https = uri.getScheme().equalsIgnoreCase("https");
            return new Target(host, port, HostPatterns.normalize(uri.getHost()), portOf(uri, https), false, null, "",
                    true);
        }
        return new Target(host, port, host, port, false, proxyFor(host, port), "", false);
    }

    private UpstreamProxy proxyFor(String host, int port) {
        return proxy.filter(p -> p.appliesTo(host, port)).orElse(null);
    }

    private static URI checked(String host, URI uri) throws UpstreamFailure {
        String problem = HostPatterns.routeProblem(uri);
        if (problem != null) {
            throw new UpstreamFailure(Cause.BAD_ROUTE, Messages.badRoute(host, problem));
        }
        return uri;
    }

    private static int portOf(URI uri, boolean https) {
        return uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
    }
}
