package dev.kiln.gate;

import dev.kiln.gate.internal.HostPatterns;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a host's calls go instead of the host itself: tests and the demo send the provider API
 * hosts to the testkit's emulators ({@code http://127.0.0.1:PORT}); on real clouds there is no
 * route and calls go to the real host.
 *
 * <p>For an intercepted host, each request goes to the route's scheme, host and port, with the
 * route's path (if any) put before the request's target and the original {@code Host} header kept,
 * so one emulator can tell {@code management.azure.com} from {@code login.microsoftonline.com}. For
 * a tunnelled host, the tunnel is opened to the route's host and port. Routed calls go directly,
 * never through the upstream proxy.
 *
 * <p>Called on the gate's threads, with the host lowercased and without a trailing dot. It must be
 * fast and must not block.
 */
@FunctionalInterface
public interface Router {

    /** The URI ({@code http://} or {@code https://}, a host and a port) to send {@code host}'s calls to. */
    Optional<URI> route(String host);

    /** Routes with this router, and with {@code other} where this one has no route. */
    default Router orElse(Router other) {
        return host -> route(host).or(() -> other.route(host));
    }

    /** No routes: every call goes to the host packer named. */
    static Router direct() {
        return host -> Optional.empty();
    }

    /**
     * Routes hosts matching each key (an exact name or a pattern as in {@link Interception#hosts})
     * to its URI; the first matching key in iteration order wins.
     *
     * @throws GateException naming the key or URI at fault
     */
    static Router to(Map<String, URI> routes) {
        Map<HostPatterns, URI> compiled = new LinkedHashMap<>();
        routes.forEach((pattern, uri) -> compiled.put(
                HostPatterns.compile(List.of(pattern), "Router.to"), HostPatterns.checkRoute(pattern, uri)));
        return host -> {
            for (Map.Entry<HostPatterns, URI> e : compiled.entrySet()) {
                if (e.getKey().matches(host)) {
                    return Optional.of(e.getValue());
                }
            }
            return Optional.empty();
        };
    }

    /** Routes every host to {@code target}: one emulator serving every API host. */
    static Router all(URI target) {
        URI checked = HostPatterns.checkRoute("*", target);
        return host -> Optional.of(checked);
    }
}
