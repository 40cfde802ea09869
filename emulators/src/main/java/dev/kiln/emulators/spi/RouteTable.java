package dev.kiln.emulators.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A protocol's routes: method and path pattern to the route that makes the request a {@link Call}.
 * A pattern is segments: literals, {@code {name}} for any one segment, and a last
 * {@code {name...}} for all the segments left (none included). Routes are tried in the order they
 * were added; the first that matches wins.
 *
 * <pre>{@code
 * RouteTable<GceExchange> routes = RouteTable.<GceExchange>builder()
 *         .route("GET", "/compute/v1/projects/{project}/zones/{zone}/instances/{name}", this::getInstance)
 *         .build();
 * }</pre>
 *
 * @param <X> the protocol's exchange
 */
public final class RouteTable<X extends Exchange> {

    /** Makes a request that matched its pattern a call (or refuses it with an {@link ApiError}). */
    @FunctionalInterface
    public interface Route<X> {
        Call route(X exchange, Params path);
    }

    /** The segments a pattern's {@code {name}}s matched, and those its last {@code {name...}} took. */
    public record Params(Map<String, String> named, List<String> rest) {

        /** The segment {@code {name}} matched. */
        public String get(String name) {
            String v = named.get(name);
            if (v == null) {
                throw new IllegalArgumentException("the pattern has no {" + name + "}; it has " + named.keySet());
            }
            return v;
        }
    }

    /** The method of a route that takes every method, and refuses those it does not answer itself. */
    public static final String ANY = "*";

    private record Entry<X>(String method, List<String> pattern, boolean tail, Route<X> route) {
    }

    private final List<Entry<X>> entries;
    private final boolean ignoreCase;

    private RouteTable(List<Entry<X>> entries, boolean ignoreCase) {
        this.entries = List.copyOf(entries);
        this.ignoreCase = ignoreCase;
    }

    public static <X extends Exchange> Builder<X> builder() {
        return new Builder<>();
    }

    /** The path's segments, empty ones (from {@code //} or a trailing {@code /}) left out. */
    public static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Routes {@code exchange}, whose method (or whatever verb its protocol routes by) and path
     * segments are given: the call of the first route that matches, or empty when none does.
     */
    public Optional<Call> route(X exchange, String method, List<String> segments) {
        for (Entry<X> e : entries) {
            if (!e.method.equals(method) && !e.method.equals(ANY)) {
                continue;
            }
            Params params = match(e, segments);
            if (params != null) {
                return Optional.of(e.route.route(exchange, params));
            }
        }
        return Optional.empty();
    }

    private Params match(Entry<X> e, List<String> segments) {
        int fixed = e.tail ? e.pattern.size() - 1 : e.pattern.size();
        if (e.tail ? segments.size() < fixed : segments.size() != fixed) {
            return null;
        }
        Map<String, String> named = new LinkedHashMap<>();
        for (int i = 0; i < fixed; i++) {
            String p = e.pattern.get(i);
            String s = segments.get(i);
            if (p.startsWith("{")) {
                named.put(p.substring(1, p.length() - 1), s);
            } else if (ignoreCase ? !p.equalsIgnoreCase(s) : !p.equals(s)) {
                return null;
            }
        }
        return new Params(named, e.tail ? List.copyOf(segments.subList(fixed, segments.size())) : List.of());
    }

    /** Adds routes in the order they are tried. */
    public static final class Builder<X extends Exchange> {
        private final List<Entry<X>> entries = new ArrayList<>();
        private boolean ignoreCase;

        private Builder() {
        }

        /** Literal segments match whatever their case, as ARM's paths do. */
        public Builder<X> ignoringCase() {
            this.ignoreCase = true;
            return this;
        }

        /** Routes {@code method} (or {@link #ANY}) on paths matching {@code pattern} to {@code route}. */
        public Builder<X> route(String method, String pattern, Route<X> route) {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(route, "route");
            List<String> parts = segments(pattern);
            boolean tail = false;
            for (int i = 0; i < parts.size(); i++) {
                String p = parts.get(i);
                boolean variable = p.startsWith("{") && p.endsWith("}");
                if (variable && p.endsWith("...}")) {
                    if (i != parts.size() - 1) {
                        throw new IllegalArgumentException("only the last segment of a pattern may take the rest, in "
                                + pattern);
                    }
                    tail = true;
                    parts.set(i, "{" + p.substring(1, p.length() - 4) + "}");
                } else if (!variable && (p.contains("{") || p.contains("}"))) {
                    throw new IllegalArgumentException("a segment is a literal or a whole {name}, got '" + p + "' in "
                            + pattern);
                }
            }
            entries.add(new Entry<>(method, parts, tail, route));
            return this;
        }

        public RouteTable<X> build() {
            return new RouteTable<>(entries, ignoreCase);
        }
    }
}
