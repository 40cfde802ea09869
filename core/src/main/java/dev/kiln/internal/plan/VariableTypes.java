package dev.kiln.internal.plan;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a value the plan gives fits a variable's declared HCL2 type, as packer 1.6.6 converts it:
 * text converts to a number or bool when it reads as one, and numbers and bools to text; a list or map
 * must be written as one. {@code any}, {@code object(...)} and {@code tuple(...)} contents are left to packer.
 */
final class VariableTypes {

    private VariableTypes() {
    }

    /** Why {@code value} does not fit {@code type}, if it does not; empty when it fits or the type is not known. */
    static Optional<String> misfit(Object value, String type) {
        if (type == null || value == null) {
            return Optional.empty();
        }
        String t = type.replaceAll("\\s+", "");
        String name = t.contains("(") ? t.substring(0, t.indexOf('(')) : t;
        String inner = t.contains("(") && t.endsWith(")") ? t.substring(t.indexOf('(') + 1, t.length() - 1) : null;
        switch (name) {
            case "string":
                return value instanceof List<?> || value instanceof Map<?, ?>
                        ? Optional.of(kind(value) + " where text is expected") : Optional.empty();
            case "number":
                if (value instanceof BigDecimal) {
                    return Optional.empty();
                }
                if (value instanceof String s) {
                    try {
                        new BigDecimal(s.strip());
                        return Optional.empty();
                    } catch (NumberFormatException e) {
                        return Optional.of("'" + s + "' is not a number");
                    }
                }
                return Optional.of(kind(value) + " where a number is expected");
            case "bool":
                return value instanceof Boolean || "true".equals(value) || "false".equals(value) ? Optional.empty()
                        : Optional.of(Values.show(value) + " is not true or false");
            case "list", "set":
                if (!(value instanceof List<?> l)) {
                    return Optional.of(kind(value) + " where a list is expected: write it as one, e.g. [a, b]");
                }
                for (Object e : l) {
                    Optional<String> bad = misfit(e, inner);
                    if (bad.isPresent()) {
                        return Optional.of("an item: " + bad.get());
                    }
                }
                return Optional.empty();
            case "map":
                if (!(value instanceof Map<?, ?> m)) {
                    return Optional.of(kind(value) + " where a map is expected: write it as one, e.g. { key: value }");
                }
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    Optional<String> bad = misfit(e.getValue(), inner);
                    if (bad.isPresent()) {
                        return Optional.of("the value of " + e.getKey() + ": " + bad.get());
                    }
                }
                return Optional.empty();
            case "object":
                return value instanceof Map<?, ?> ? Optional.empty()
                        : Optional.of(kind(value) + " where an object is expected: write it as a mapping");
            case "tuple":
                return value instanceof List<?> ? Optional.empty()
                        : Optional.of(kind(value) + " where a tuple is expected: write it as a list");
            default:
                return Optional.empty();
        }
    }

    private static String kind(Object value) {
        if (value instanceof List<?>) {
            return "a list";
        }
        if (value instanceof Map<?, ?>) {
            return "a map";
        }
        return "text " + Values.show(value);
    }
}
