package dev.kiln.emulators.spi;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a query string or a form body ({@code a=1&b=x%20y&a=2}), decoded, in the
 * order they came. Every emulator reads its parameters through this one parser.
 */
public final class Query {

    private static final Query EMPTY = new Query(Map.of());

    private final Map<String, List<String>> values;

    private Query(Map<String, List<String>> values) {
        this.values = values;
    }

    /** Parses {@code raw} (null or empty: no parameters); a name without {@code =} has the value "". */
    public static Query parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            return EMPTY;
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        return new Query(Collections.unmodifiableMap(out));
    }

    /** The value of {@code name}: the last one given when it is repeated, as most servers read it; null when absent. */
    public String value(String name) {
        List<String> v = values.get(name);
        return v == null ? null : v.get(v.size() - 1);
    }

    /** {@link #value} or {@code fallback} when absent. */
    public String value(String name, String fallback) {
        String v = value(name);
        return v == null ? fallback : v;
    }

    /** Every value of {@code name} in order; empty when absent. */
    public List<String> values(String name) {
        return values.getOrDefault(name, List.of());
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Every parameter with its values, in the order the names first came. */
    public Map<String, List<String>> asMap() {
        return values;
    }
}
