package dev.kiln.gate.internal;

import dev.kiln.gate.GateException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Exact host names and patterns where {@code *} stands for one DNS label. */
public final class HostPatterns {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+");

    private final Set<String> exact;
    private final List<String[]> wildcards;

    private HostPatterns(Set<String> exact, List<String[]> wildcards) {
        this.exact = exact;
        this.wildcards = wildcards;
    }

    /**
     * Compiles {@code patterns}.
     *
     * @param where the API method the patterns were given to, for error messages
     */
    public static HostPatterns compile(Collection<String> patterns, String where) {
        Set<String> exact = new HashSet<>();
        List<String[]> wildcards = new ArrayList<>();
        for (String raw : patterns) {
            if (raw == null) {
                throw new GateException(where + ": a host pattern is null");
            }
            String pattern = normalize(raw);
            if (pattern.contains(":") && !pattern.contains("*") && IPV6.matcher(pattern).matches()) {
                exact.add(pattern);
                continue;
            }
            String[] labels = pattern.split("\\.", -1);
            boolean concrete = false;
            for (String label : labels) {
                if (label.equals("*")) {
                    continue;
                }
                if (!LABEL.matcher(label).matches()) {
                    throw new GateException(where + ": host pattern '" + raw + "' is not allowed: use a host name"
                            + " (management.azure.com) or labels where * stands for exactly one label"
                            + " (*.vault.azure.net, ec2.*.amazonaws.com); no ports, schemes or paths");
                }
                concrete = true;
            }
            if (!concrete) {
                throw new GateException(where + ": host pattern '" + raw + "' matches any host; name at least one"
                        + " label (*.vault.azure.net)");
            }
            if (pattern.contains("*")) {
                wildcards.add(labels);
            } else {
                exact.add(pattern);
            }
        }
        return new HostPatterns(Set.copyOf(exact), List.copyOf(wildcards));
    }

    /** Whether {@code host} (lowercase, no trailing dot) matches one of the patterns. */
    public boolean matches(String host) {
        if (exact.contains(host)) {
            return true;
        }
        if (wildcards.isEmpty()) {
            return false;
        }
        String[] labels = host.split("\\.", -1);
        for (String[] pattern : wildcards) {
            if (matches(pattern, labels)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String[] pattern, String[] labels) {
        if (pattern.length != labels.length) {
            return false;
        }
        for (int i = 0; i < pattern.length; i++) {
            boolean wildcard = pattern[i].equals("*");
            if (labels[i].isEmpty() || !wildcard && !pattern[i].equals(labels[i])) {
                return false;
            }
        }
        return true;
    }

    /** Lowercase, without brackets around an IPv6 literal, without a trailing dot. */
    public static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /**
     * {@code uri} if a route may go there: {@code http} or {@code https}, a host, no user info,
     * query or fragment.
     *
     * @throws GateException naming the host pattern and URI otherwise
     */
    public static URI checkRoute(String hostPattern, URI uri) {
        String problem = routeProblem(uri);
        if (problem != null) {
            throw new GateException("Router.to: the route for '" + hostPattern + "' is " + problem);
        }
        return uri;
    }

    /** Why {@code uri} cannot be a route, or null when it can. */
    public static String routeProblem(URI uri) {
        if (uri == null) {
            return "null; give http://HOST:PORT or https://HOST:PORT";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "'" + uri + "' with scheme '" + scheme + "'; give http://HOST:PORT or https://HOST:PORT";
        }
        if (uri.getHost() == null) {
            return "'" + uri + "', which names no host; give " + scheme + "://HOST:PORT";
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return "'" + uri.getScheme() + "://" + uri.getHost() + "...' with user info, a query or a fragment;"
                    + " give " + scheme + "://HOST:PORT and at most a path";
        }
        return null;
    }
}
