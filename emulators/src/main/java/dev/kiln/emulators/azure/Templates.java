package dev.kiln.emulators.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The part of the ARM template language a packer build's deployment uses: {@code parameters},
 * {@code variables}, {@code concat}, {@code format}, {@code resourceGroup()}, {@code subscription()},
 * {@code resourceId}, {@code toLower}, {@code toUpper}, {@code uniqueString}, property access, and
 * nested child resources. Anything else is refused with {@code InvalidTemplate}, naming it.
 */
final class Templates {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** One resource of a template, every expression evaluated. */
    record Resolved(String type, String name, JsonNode body) {
    }

    private final JsonNode template;
    private final JsonNode parameters;
    private final String subscription;
    private final ArmWorld.Group group;

    Templates(JsonNode template, JsonNode parameters, String subscription, ArmWorld.Group group) {
        this.template = template;
        this.parameters = parameters == null ? NODES.objectNode() : parameters;
        this.subscription = subscription;
        this.group = group;
    }

    /** The template's resources, children flattened after their parents, in template order. */
    List<Resolved> resources() {
        if (!template.path("resources").isArray()) {
            throw invalid("the template has no 'resources' array");
        }
        List<Resolved> out = new ArrayList<>();
        for (JsonNode r : template.get("resources")) {
            add(out, r, null, null);
        }
        return out;
    }

    private void add(List<Resolved> out, JsonNode raw, String parentType, String parentName) {
        JsonNode r = evaluate(raw);
        String type = r.path("type").asText("");
        String name = r.path("name").asText("");
        if (type.isEmpty() || name.isEmpty()) {
            throw invalid("every resource needs a type and a name, got " + raw);
        }
        if (parentType != null) {
            type = parentType + "/" + type;
            name = parentName + "/" + name;
        }
        ObjectNode body = ((ObjectNode) r).deepCopy();
        body.remove(List.of("type", "name", "apiVersion", "dependsOn", "resources", "condition", "comments"));
        out.add(new Resolved(type, name, body));
        if (raw.path("resources").isArray()) {
            for (JsonNode child : raw.get("resources")) {
                add(out, child, type, name);
            }
        }
    }

    private JsonNode evaluate(JsonNode node) {
        if (node.isTextual()) {
            String s = node.asText();
            if (s.startsWith("[[")) {
                return TextNode.valueOf(s.substring(1));
            }
            if (s.startsWith("[") && s.endsWith("]")) {
                return new Parser(s.substring(1, s.length() - 1)).parseAll();
            }
            return node;
        }
        if (node.isArray()) {
            ArrayNode a = NODES.arrayNode();
            node.forEach(n -> a.add(evaluate(n)));
            return a;
        }
        if (node.isObject()) {
            ObjectNode o = NODES.objectNode();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getKey().equals("resources")) {
                    o.set(e.getKey(), e.getValue());
                } else {
                    o.set(e.getKey(), evaluate(e.getValue()));
                }
            }
            return o;
        }
        return node;
    }

    private JsonNode call(String fn, List<JsonNode> args) {
        switch (fn.toLowerCase(Locale.ROOT)) {
            case "parameters": {
                String name = text(args, 0, fn);
                JsonNode given = parameters.path(name);
                if (given.has("value")) {
                    return given.get("value");
                }
                JsonNode declared = template.path("parameters").path(name);
                if (declared.has("defaultValue")) {
                    return evaluate(declared.get("defaultValue"));
                }
                throw invalid("the template parameter '" + name + "' has no value");
            }
            case "variables": {
                String name = text(args, 0, fn);
                JsonNode v = template.path("variables").path(name);
                if (v.isMissingNode()) {
                    throw invalid("the template variable '" + name + "' is not defined");
                }
                return evaluate(v);
            }
            case "concat": {
                if (!args.isEmpty() && args.get(0).isArray()) {
                    ArrayNode a = NODES.arrayNode();
                    args.forEach(x -> x.forEach(a::add));
                    return a;
                }
                StringBuilder b = new StringBuilder();
                args.forEach(a -> b.append(a.asText()));
                return TextNode.valueOf(b.toString());
            }
            case "format": {
                String f = text(args, 0, fn);
                for (int i = 1; i < args.size(); i++) {
                    f = f.replace("{" + (i - 1) + "}", args.get(i).asText());
                }
                return TextNode.valueOf(f);
            }
            case "tolower":
                return TextNode.valueOf(text(args, 0, fn).toLowerCase(Locale.ROOT));
            case "toupper":
                return TextNode.valueOf(text(args, 0, fn).toUpperCase(Locale.ROOT));
            case "resourcegroup":
                return NODES.objectNode().put("id", group.id()).put("name", group.name)
                        .put("location", group.location);
            case "subscription":
                return NODES.objectNode().put("id", "/subscriptions/" + subscription)
                        .put("subscriptionId", subscription);
            case "uniquestring": {
                StringBuilder b = new StringBuilder();
                args.forEach(a -> b.append(a.asText()).append('\u0000'));
                return TextNode.valueOf(unique(b.toString()));
            }
            case "resourceid":
                return TextNode.valueOf(resourceId(args));
            default:
                throw invalid("the template function '" + fn + "' is not supported by the emulator; it knows"
                        + " parameters, variables, concat, format, toLower, toUpper, resourceGroup, subscription,"
                        + " uniqueString and resourceId");
        }
    }

    private String resourceId(List<JsonNode> args) {
        int typeAt = -1;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).asText().contains("/") && args.get(i).asText().contains(".")) {
                typeAt = i;
                break;
            }
        }
        if (typeAt < 0) {
            throw invalid("resourceId needs a resource type such as 'Microsoft.Network/virtualNetworks'");
        }
        String sub = typeAt >= 2 ? args.get(0).asText() : subscription;
        String rg = typeAt >= 1 ? args.get(typeAt - 1).asText() : group.name;
        String[] type = args.get(typeAt).asText().split("/");
        StringBuilder id = new StringBuilder("/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/" + type[0]);
        for (int i = 1; i < type.length; i++) {
            int nameAt = typeAt + i;
            if (nameAt >= args.size()) {
                throw invalid("resourceId of type " + args.get(typeAt).asText() + " needs " + (type.length - 1)
                        + " names");
            }
            id.append('/').append(type[i]).append('/').append(args.get(nameAt).asText());
        }
        return id.toString();
    }

    private static String text(List<JsonNode> args, int i, String fn) {
        if (args.size() <= i) {
            throw invalid(fn + " needs an argument");
        }
        return args.get(i).asText();
    }

    static String unique(String seed) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder();
            String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
            for (int i = 0; i < 13; i++) {
                b.append(alphabet.charAt((d[i] & 0xff) % 32));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    static ArmError invalid(String message) {
        return ArmError.badRequest("InvalidTemplate", "Deployment template validation failed: " + message);
    }

    /** A recursive-descent reader of one template expression. */
    private final class Parser {
        private final String s;
        private int at;

        Parser(String s) {
            this.s = s;
        }

        JsonNode parseAll() {
            JsonNode v = expression();
            skip();
            if (at != s.length()) {
                throw invalid("unexpected '" + s.substring(at) + "' in expression [" + s + "]");
            }
            return v;
        }

        private JsonNode expression() {
            skip();
            JsonNode value;
            if (peek() == '\'') {
                value = literal();
            } else if (Character.isDigit(peek()) || peek() == '-') {
                int start = at;
                at++;
                while (at < s.length() && Character.isDigit(s.charAt(at))) {
                    at++;
                }
                value = NODES.numberNode(Long.parseLong(s.substring(start, at)));
            } else {
                String fn = identifier();
                skip();
                expect('(');
                List<JsonNode> args = new ArrayList<>();
                skip();
                if (peek() != ')') {
                    args.add(expression());
                    skip();
                    while (peek() == ',') {
                        at++;
                        args.add(expression());
                        skip();
                    }
                }
                expect(')');
                value = call(fn, args);
            }
            while (true) {
                skip();
                if (peek() == '.') {
                    at++;
                    value = value.path(identifier());
                } else if (peek() == '[') {
                    at++;
                    JsonNode index = expression();
                    skip();
                    expect(']');
                    value = index.isNumber() ? value.path(index.asInt()) : value.path(index.asText());
                } else {
                    return value;
                }
            }
        }

        private JsonNode literal() {
            StringBuilder b = new StringBuilder();
            at++;
            while (true) {
                if (at >= s.length()) {
                    throw invalid("unterminated string in expression [" + s + "]");
                }
                char c = s.charAt(at++);
                if (c == '\'') {
                    if (at < s.length() && s.charAt(at) == '\'') {
                        b.append('\'');
                        at++;
                    } else {
                        return TextNode.valueOf(b.toString());
                    }
                } else {
                    b.append(c);
                }
            }
        }

        private String identifier() {
            int start = at;
            while (at < s.length() && (Character.isLetterOrDigit(s.charAt(at)) || s.charAt(at) == '_')) {
                at++;
            }
            if (start == at) {
                throw invalid("expected a name at '" + s.substring(start) + "' in expression [" + s + "]");
            }
            return s.substring(start, at);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw invalid("expected '" + c + "' at position " + at + " of expression [" + s + "]");
            }
            at++;
        }

        private char peek() {
            return at < s.length() ? s.charAt(at) : '\0';
        }

        private void skip() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
                at++;
            }
        }
    }
}
