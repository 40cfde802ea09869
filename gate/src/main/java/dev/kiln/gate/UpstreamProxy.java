package dev.kiln.gate;

import dev.kiln.gate.internal.NoProxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The user's own HTTP proxy, which the gate chains to (with {@code CONNECT}) for the hosts it does
 * not route, as packer itself would have: a platform team behind a corporate proxy keeps it.
 *
 * <p>{@link #toString()} leaves the credentials out.
 */
public final class UpstreamProxy {

    private final String host;
    private final int port;
    private final String authorization;
    private final NoProxy bypass;

    private UpstreamProxy(String host, int port, String authorization, NoProxy bypass) {
        this.host = host;
        this.port = port;
        this.authorization = authorization;
        this.bypass = bypass;
    }

    /**
     * The proxy at {@code uri}: {@code http://[user[:password]@]host[:port]} (port 80 by default);
     * a bare {@code host:port} is read as {@code http://host:port}, as Go reads it.
     *
     * @throws GateException when it is not an {@code http} URI with a host
     */
    public static UpstreamProxy of(String uri) {
        Objects.requireNonNull(uri, "uri");
        String withScheme = uri.contains("://") ? uri : "http://" + uri;
        URI parsed;
        try {
            parsed = new URI(withScheme);
        } catch (URISyntaxException e) {
            throw new GateException(problem(uri, "it is not a URI (" + e.getReason() + ")"));
        }
        if (!"http".equalsIgnoreCase(parsed.getScheme())) {
            throw new GateException(problem(uri, "its scheme is " + parsed.getScheme()
                    + "; the gate speaks to proxies in plain http:// only"));
        }
        if (parsed.getHost() == null) {
            throw new GateException(problem(uri, "it names no host"));
        }
        String path = parsed.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || parsed.getRawQuery() != null) {
            throw new GateException(problem(uri, "a proxy URL has no path or query"));
        }
        String auth = null;
        if (parsed.getRawUserInfo() != null) {
            auth = "Basic " + Base64.getEncoder().encodeToString(
                    decode(parsed.getRawUserInfo()).getBytes(StandardCharsets.UTF_8));
        }
        return new UpstreamProxy(parsed.getHost(), parsed.getPort() < 0 ? 80 : parsed.getPort(), auth,
                NoProxy.parse(""));
    }

    /**
     * The proxy a Go program would use for HTTPS given {@code environment}: {@code HTTPS_PROXY}
     * (else {@code https_proxy}), bypassed for the hosts in {@code NO_PROXY} (else {@code no_proxy}).
     * Empty when neither proxy variable is set.
     */
    public static Optional<UpstreamProxy> fromEnvironment(Map<String, String> environment) {
        String proxy = first(environment, "HTTPS_PROXY", "https_proxy");
        if (proxy.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(of(proxy).bypassing(List.of(first(environment, "NO_PROXY", "no_proxy").split(","))));
    }

    /**
     * This proxy, not used for hosts matching {@code entries}, read as Go reads {@code NO_PROXY}:
     * {@code example.com} and {@code .example.com} match the domain and its subdomains, an IP
     * matches itself, {@code host:port} matches that port only, {@code *} matches every host.
     */
    public UpstreamProxy bypassing(List<String> entries) {
        return new UpstreamProxy(host, port, authorization, NoProxy.parse(String.join(",", entries)));
    }

    /** Whether a connection to {@code host}:{@code port} goes through this proxy. */
    public boolean appliesTo(String host, int port) {
        return !bypass.matches(host, port);
    }

    /** The proxy's host. */
    public String host() {
        return host;
    }

    /** The proxy's port. */
    public int port() {
        return port;
    }

    /** The {@code Proxy-Authorization} value for the credentials in the URL, if it had any. */
    public Optional<String> authorization() {
        return Optional.ofNullable(authorization);
    }

    /** {@code http://host:port}, without credentials. */
    @Override
    public String toString() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static String problem(String uri, String why) {
        return "upstream proxy '" + redact(uri) + "' is not usable: " + why
                + "; give http://[user:password@]host:port";
    }

    private static String redact(String uri) {
        return uri.replaceAll("//[^/@]*@", "//***@").replaceAll("^[^/@]*@", "***@");
    }

    private static String decode(String rawUserInfo) {
        return java.net.URLDecoder.decode(rawUserInfo.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String first(Map<String, String> environment, String... names) {
        for (String name : names) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return "";
    }
}
