package dev.kiln.emulators.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** How ARM's bodies are read and written, shared by every resource family. */
final class ArmJson {

    static final ObjectMapper JSON = ArmWorld.JSON;
    private static final String TYPE = "application/json; charset=utf-8";

    private ArmJson() {
    }

    static Response ok(JsonNode node) {
        return json(200, node);
    }

    static Response json(int status, JsonNode node) {
        try {
            return new Response(status, TYPE, JSON.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The request's body, an object ({@code {}} when empty), or ARM's refusal. */
    static JsonNode body(Request request) {
        if (request.body().length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(request.body());
            if (n == null || !n.isObject()) {
                throw ArmError.badRequest("InvalidRequestContent", "The request content must be a JSON object.");
            }
            return n;
        } catch (IOException e) {
            throw ArmError.badRequest("InvalidRequestContent", "The request content was invalid and could not be"
                    + " deserialized: '" + e.getMessage() + "'.");
        }
    }

    /** The {@code tags} of a body, or null when it sets none. */
    static Map<String, String> tags(JsonNode body) {
        JsonNode t = body.path("tags");
        if (!t.isObject()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        t.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    static void checkName(String name, String what, int max) {
        if (name.isEmpty() || name.length() > max) {
            throw ArmError.badRequest("InvalidResourceName", "The name '" + name + "' of the " + what
                    + " must be 1 to " + max + " characters long.");
        }
    }

    /** The scheme and authority clients called, for the URLs of long-running operations. */
    static String base(Request request) {
        return request.base();
    }
}
