package dev.kiln.emulators.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compute Engine's metadata ({@code {"kind":"compute#metadata","fingerprint":F,"items":[{"key":K,"value":V}]}}),
 * of a project ({@code commonInstanceMetadata}) or an instance: read from a request, rendered with
 * its fingerprint, and replaced only by a request that names the current fingerprint, as Compute
 * Engine's optimistic locking wants (gcloud reads the fingerprint, adds its items, sends it back).
 */
final class Metadata {

    private static final int MAX_VALUE = 256 * 1024;

    private Metadata() {
    }

    static String fingerprint(Map<String, String> items) {
        return GceWorld.fingerprint(items);
    }

    static ObjectNode render(ObjectMapper json, Map<String, String> items) {
        ObjectNode n = json.createObjectNode().put("kind", "compute#metadata").put("fingerprint", fingerprint(items));
        if (!items.isEmpty()) {
            ArrayNode out = n.putArray("items");
            items.forEach((k, v) -> out.addObject().put("key", k).put("value", v));
        }
        return n;
    }

    /** The items of a {@code Metadata} body ({@code field} names it in errors); empty for none. */
    static Map<String, String> read(JsonNode metadata, String field) {
        Map<String, String> out = new LinkedHashMap<>();
        if (metadata == null || metadata.isMissingNode() || metadata.isNull()) {
            return out;
        }
        JsonNode items = metadata.path("items");
        if (!items.isMissingNode() && !items.isArray()) {
            throw GceError.invalid("Invalid value for field '" + field + ".items': '" + items + "'. Must be a list.");
        }
        for (JsonNode item : items) {
            String key = item.path("key").asText("");
            if (!key.matches("[a-zA-Z0-9_-]{1,128}")) {
                throw GceError.invalid("Invalid value for field '" + field + ".items[].key': '" + key + "'. Must be"
                        + " a match of regex '[a-zA-Z0-9-_]{1,128}'");
            }
            if (out.containsKey(key)) {
                throw GceError.invalid("Invalid value for field '" + field + ".items': ''. Duplicate keys: " + key);
            }
            String value = item.path("value").asText("");
            if (value.length() > MAX_VALUE) {
                throw GceError.invalid("Invalid value for field '" + field + ".items[].value': ''. Metadata values"
                        + " are at most 256 KB.");
            }
            out.put(key, value);
        }
        return out;
    }

    /**
     * The items a {@code setMetadata}/{@code setCommonInstanceMetadata} body sets over
     * {@code current}, once its fingerprint is the current one: Compute Engine answers a missing
     * or stale fingerprint 412 {@code conditionNotMet}, so two clients cannot overwrite each other.
     */
    static Map<String, String> replace(Map<String, String> current, JsonNode body) {
        String given = body.path("fingerprint").asText("");
        if (!given.equals(fingerprint(current))) {
            throw GceError.conditionNotMet("Supplied fingerprint does not match current metadata fingerprint.");
        }
        return read(body, "metadata");
    }
}
