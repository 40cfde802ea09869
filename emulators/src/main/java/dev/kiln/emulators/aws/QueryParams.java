package dev.kiln.emulators.aws;

import dev.kiln.emulators.spi.Query;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parameters of one EC2 Query request ({@code Action=...&Filter.1.Name=...&Filter.1.Value.1=...}),
 * with the list and structure conventions of the EC2 protocol: {@code Name.N} for lists,
 * {@code Name.N.Member} for lists of structures.
 */
final class QueryParams {

    private final Map<String, String> values;

    private QueryParams(Map<String, String> values) {
        this.values = values;
    }

    /** The parameters of every form given (the query string, a form body), a later value of a name winning. */
    static QueryParams parse(String... forms) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String form : forms) {
            Query.parse(form).asMap().forEach((k, v) -> out.put(k, v.get(v.size() - 1)));
        }
        return new QueryParams(out);
    }

    String get(String name) {
        return values.get(name);
    }

    String get(String name, String fallback) {
        String v = values.get(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    String require(String name) {
        String v = values.get(name);
        if (v == null || v.isEmpty()) {
            throw Ec2Error.missing(name);
        }
        return v;
    }

    Integer integer(String name) {
        String v = values.get(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Integer.valueOf(v.trim());
        } catch (NumberFormatException e) {
            throw Ec2Error.invalidValue("Invalid value '" + v + "' for " + name + ". It must be an integer.");
        }
    }

    int integer(String name, int fallback) {
        Integer v = integer(name);
        return v == null ? fallback : v;
    }

    boolean flag(String name) {
        return "true".equalsIgnoreCase(values.get(name));
    }

    Boolean bool(String name) {
        String v = values.get(name);
        return v == null || v.isEmpty() ? null : Boolean.valueOf("true".equalsIgnoreCase(v));
    }

    boolean has(String name) {
        String v = values.get(name);
        return v != null && !v.isEmpty();
    }

    boolean hasAny(String prefix) {
        String dotted = prefix + ".";
        for (String k : values.keySet()) {
            if (k.startsWith(dotted)) {
                return true;
            }
        }
        return false;
    }

    /** The values of {@code prefix.1}, {@code prefix.2}, ... in index order. */
    List<String> list(String prefix) {
        Map<Integer, String> byIndex = new TreeMap<>();
        String dotted = prefix + ".";
        values.forEach((k, v) -> {
            if (k.startsWith(dotted)) {
                Integer n = index(k.substring(dotted.length()));
                if (n != null) {
                    byIndex.put(n, v);
                }
            }
        });
        return List.copyOf(byIndex.values());
    }

    /** The structures {@code prefix.N.*}, each with its members' names stripped of {@code prefix.N.}. */
    List<QueryParams> members(String prefix) {
        Map<Integer, Map<String, String>> byIndex = new TreeMap<>();
        String dotted = prefix + ".";
        values.forEach((k, v) -> {
            if (!k.startsWith(dotted)) {
                return;
            }
            String rest = k.substring(dotted.length());
            int dot = rest.indexOf('.');
            if (dot <= 0) {
                return;
            }
            Integer n = index(rest.substring(0, dot));
            if (n != null) {
                byIndex.computeIfAbsent(n, i -> new LinkedHashMap<>()).put(rest.substring(dot + 1), v);
            }
        });
        List<QueryParams> out = new ArrayList<>();
        byIndex.values().forEach(m -> out.add(new QueryParams(m)));
        return out;
    }

    /** Tags given as {@code prefix.N.Key} / {@code prefix.N.Value}, in order. */
    Map<String, String> tags(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        for (QueryParams t : members(prefix)) {
            String key = t.get("Key");
            if (key == null) {
                throw Ec2Error.missing(prefix + ".N.Key");
            }
            out.put(key, t.get("Value", ""));
        }
        return out;
    }

    /** The parameter names, for log lines that must not show values. */
    List<String> names() {
        return List.copyOf(values.keySet());
    }

    Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    private static Integer index(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return null;
            }
        }
        return Integer.valueOf(s);
    }
}
