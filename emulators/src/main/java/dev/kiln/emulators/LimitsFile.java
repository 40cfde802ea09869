package dev.kiln.emulators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.limits.LimitSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher's {@code --limits FILE}: limits reshaped per emulator, in the shape a plan file's
 * {@code limits:} block has, YAML or JSON.
 *
 * <pre>{@code
 * aws:
 *   RunInstances: { capacity: 2, refill_per_second: 0.5 }
 * azure:
 *   arm.reads: { capacity: 20, refill_per_second: 2 }
 * gcp:
 *   gce.reads: { limit: 100, window: 1m }
 * }</pre>
 */
final class LimitsFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private LimitsFile() {
    }

    /**
     * The limits of {@code file} by provider name.
     *
     * @throws IllegalArgumentException naming the file, provider, limit and value, when it cannot be read
     */
    static Map<String, Map<String, LimitSpec>> read(Path file, Set<String> providers) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("--limits " + file + ": cannot read it: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("--limits " + file + ": expected a mapping of provider ("
                    + String.join(", ", providers) + ") to limits, e.g. aws: { RunInstances: { capacity: 2,"
                    + " refill_per_second: 0.5 } }");
        }
        Map<String, Map<String, LimitSpec>> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> p : root.properties()) {
            String provider = p.getKey();
            if (!providers.contains(provider)) {
                throw new IllegalArgumentException("--limits " + file + ": unknown provider '" + provider
                        + "' (known: " + String.join(", ", new TreeSet<>(providers)) + ")");
            }
            if (!p.getValue().isObject()) {
                throw new IllegalArgumentException("--limits " + file + ": " + provider + " must map limit names to"
                        + " limits, got " + p.getValue());
            }
            Map<String, LimitSpec> limits = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> l : p.getValue().properties()) {
                limits.put(l.getKey(), spec(file + ": " + provider + "." + l.getKey(), l.getValue()));
            }
            out.put(provider, Collections.unmodifiableMap(limits));
        }
        return Collections.unmodifiableMap(out);
    }

    private static LimitSpec spec(String where, JsonNode node) {
        Set<String> keys = new TreeSet<>();
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(keys::add);
        }
        try {
            if (keys.equals(Set.of("capacity", "refill_per_second"))) {
                return LimitSpec.tokenBucket(whole(node.get("capacity")), number(node.get("refill_per_second")));
            }
            if (keys.equals(Set.of("limit", "window"))) {
                return LimitSpec.fixedWindow(whole(node.get("limit")), duration(node.get("window")));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--limits " + where + ": " + e.getMessage());
        }
        throw new IllegalArgumentException("--limits " + where + ": expected { capacity: N, refill_per_second: R }"
                + " (a token bucket) or { limit: N, window: 1m } (a fixed window), got " + node);
    }

    private static long whole(JsonNode n) {
        if (!n.canConvertToLong() || !n.isIntegralNumber()) {
            throw new IllegalArgumentException("expected a whole number, got " + n);
        }
        return n.asLong();
    }

    private static double number(JsonNode n) {
        if (!n.isNumber()) {
            throw new IllegalArgumentException("expected a number, got " + n);
        }
        return n.asDouble();
    }

    private static Duration duration(JsonNode n) {
        Matcher m = DURATION.matcher(n.asText());
        if (!n.isTextual() || !m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 60s, 1m or 1h, got " + n);
        }
        long v = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(v);
            case "s" -> Duration.ofSeconds(v);
            case "m" -> Duration.ofMinutes(v);
            default -> Duration.ofHours(v);
        };
    }
}
