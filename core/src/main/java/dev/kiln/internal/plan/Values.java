package dev.kiln.internal.plan;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Variable values as Kiln keeps them: {@link String}, {@link BigDecimal}, {@link Boolean}, null, and
 * unmodifiable lists and maps (keys in written order) of these, as templates' variable files read.
 */
public final class Values {

    private Values() {
    }

    /** An unmodifiable copy of {@code variables} with every value in Kiln's types. */
    public static Map<String, Object> copy(Map<String, ?> variables) {
        Map<String, Object> out = new LinkedHashMap<>();
        variables.forEach((k, v) -> out.put(k, value(v)));
        return Collections.unmodifiableMap(out);
    }

    /**
     * {@code v} in Kiln's types: other numbers become {@link BigDecimal}.
     *
     * @throws IllegalArgumentException for anything else (a {@code Path}, an object)
     */
    public static Object value(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof BigDecimal) {
            return v;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        if (v instanceof Double || v instanceof Float) {
            return BigDecimal.valueOf(((Number) v).doubleValue());
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(e -> out.add(value(e)));
            return Collections.unmodifiableList(out);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, e) -> out.put(String.valueOf(k), value(e)));
            return Collections.unmodifiableMap(out);
        }
        throw new IllegalArgumentException("a variable's value is a string, number, bool, or a list or map of"
                + " these; got a " + v.getClass().getSimpleName());
    }

    /** Whether {@code v} is a string, number, bool or null (what a JSON template's variable can take). */
    public static boolean isScalar(Object v) {
        return !(v instanceof List<?>) && !(v instanceof Map<?, ?>);
    }

    /** How a scalar is written into a JSON template's var-file, whose values are strings. */
    public static String text(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return String.valueOf(v);
    }

    /** How a value reads in a message: strings quoted, lists and maps as JSON would write them. */
    public static String show(Object v) {
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            l.forEach(e -> parts.add(show(e)));
            return "[" + String.join(", ", parts) + "]";
        }
        if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            m.forEach((k, e) -> parts.add(k + " = " + show(e)));
            return "{" + String.join(", ", parts) + "}";
        }
        return text(v);
    }
}
