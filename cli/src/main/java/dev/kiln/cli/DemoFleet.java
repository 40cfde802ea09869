package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo fleet as data ({@code examples/plans/demo/demo.yaml}): one part per provider, each with
 * a stand-in plan (null builds under the simulated cloud) and optionally a live one (real builds
 * against the provider's emulator, with the settings and packer environment that point there).
 *
 * @param file  the descriptor
 * @param name  the fleet's name, the merged plan's name
 * @param parts one per provider, in order
 */
record DemoFleet(Path file, String name, List<Part> parts) {

    /** The placeholder for the emulator's URL in settings, environment values and setup requests. */
    static final String ENDPOINT = "{endpoint}";
    /** The placeholder for the java that runs kiln, for templates that run Java stand-ins. */
    static final String JAVA = "{java}";
    /** The placeholder for kiln's own class path (absolute), which holds the emulators' stand-ins. */
    static final String CLASSPATH = "{classpath}";

    DemoFleet {
        parts = List.copyOf(parts);
    }

    /**
     * One provider's part.
     *
     * @param provider the provider id its plans use
     * @param standIn  the stand-in plan, relative to the descriptor
     * @param live     the live variant, or null
     */
    record Part(String provider, Path standIn, Live live) {
    }

    /**
     * Real builds against an emulator.
     *
     * @param plan             the plan
     * @param emulator         the emulator's name
     * @param providerSettings settings for the provider's factory
     * @param sdkProperties    Java system properties for the provider's SDK (its credential chain)
     * @param packerEnv        environment for every packer process
     * @param setup            requests to the emulator before the run: what a real account already has
     */
    record Live(Path plan, String emulator, Map<String, String> providerSettings, Map<String, String> sdkProperties,
                Map<String, String> packerEnv, List<Request> setup) {
        Live {
            providerSettings = Map.copyOf(providerSettings);
            sdkProperties = Map.copyOf(sdkProperties);
            packerEnv = Map.copyOf(packerEnv);
            setup = List.copyOf(setup);
        }
    }

    /**
     * One HTTP request to an emulator, relative to its endpoint.
     *
     * @param method e.g. {@code PUT}
     * @param path   e.g. {@code /subscriptions/.../resourceGroups/rg?api-version=2024-07-01}
     * @param body   JSON, or empty
     */
    record Request(String method, String path, String body) {
    }

    static DemoFleet read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("no demo descriptor at " + file);
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new UsageException(file + ": not readable as YAML: " + e.getMessage());
        }
        Path dir = file.toAbsolutePath().getParent();
        String name = text(file, root, "name");
        JsonNode parts = root.path("parts");
        if (!parts.isArray() || parts.isEmpty()) {
            throw new UsageException(file + ": parts — a list of { provider, stand_in, live } is required");
        }
        List<Part> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            JsonNode p = parts.get(i);
            String where = "parts[" + i + "]";
            String provider = text(file, p, "provider", where);
            Path standIn = plan(file, dir, text(file, p, "stand_in", where), where + ".stand_in");
            Live live = null;
            JsonNode l = p.get("live");
            if (l != null && !l.isNull()) {
                String lw = where + ".live";
                live = new Live(plan(file, dir, text(file, l, "plan", lw), lw + ".plan"), text(file, l, "emulator", lw),
                        strings(file, l.get("provider_settings"), lw + ".provider_settings"),
                        strings(file, l.get("sdk_properties"), lw + ".sdk_properties"),
                        strings(file, l.get("packer_env"), lw + ".packer_env"),
                        requests(file, l.get("setup"), lw + ".setup"));
            }
            out.add(new Part(provider, standIn, live));
        }
        return new DemoFleet(file, name, out);
    }

    private static Path plan(Path file, Path dir, String rel, String where) {
        Path p = dir.resolve(rel).normalize();
        if (!Files.isRegularFile(p)) {
            throw new UsageException(file + ": " + where + ": no plan file " + p);
        }
        return p;
    }

    private static String text(Path file, JsonNode node, String field) {
        return text(file, node, field, "");
    }

    private static String text(Path file, JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new UsageException(file + ": " + (where.isEmpty() ? "" : where + ".") + field
                    + " — a non-empty string is required");
        }
        return v.asText();
    }

    private static Map<String, String> strings(Path file, JsonNode node, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new UsageException(file + ": " + where + " — a mapping of names to strings is required");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isValueNode()) {
                throw new UsageException(file + ": " + where + "." + e.getKey() + " — a string is required");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static List<Request> requests(Path file, JsonNode node, String where) {
        List<Request> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new UsageException(file + ": " + where + " — a list of { method, path, body } is required");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode r = node.get(i);
            String w = where + "[" + i + "]";
            out.add(new Request(text(file, r, "method", w), text(file, r, "path", w), r.path("body").asText("")));
        }
        return out;
    }

    /** {@code values} with {@link #ENDPOINT}, {@link #JAVA} and {@link #CLASSPATH} replaced. */
    static Map<String, String> substitute(Map<String, String> values, String endpoint) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, substitute(v, endpoint)));
        return out;
    }

    static String substitute(String value, String endpoint) {
        String v = value.replace(ENDPOINT, endpoint);
        if (v.contains(JAVA)) {
            v = v.replace(JAVA, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        }
        if (v.contains(CLASSPATH)) {
            List<String> parts = new ArrayList<>();
            for (String p : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                if (!p.isBlank()) {
                    parts.add(Path.of(p).toAbsolutePath().toString());
                }
            }
            v = v.replace(CLASSPATH, String.join(java.io.File.pathSeparator, parts));
        }
        return v;
    }
}
