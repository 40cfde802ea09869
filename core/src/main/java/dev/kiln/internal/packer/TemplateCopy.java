package dev.kiln.internal.packer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A build's own copy of a JSON template with the builder fields Kiln sets ({@code set_fields}): the
 * region, the image name, the build-id tags, the instance size. Written over the template in the
 * build's own copy of its directory, so {@code {{template_dir}}} and relative paths read as before.
 */
final class TemplateCopy {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TemplateCopy() {
    }

    /**
     * Rewrites {@code template} (a build's own copy) with {@code fields} set in builder {@code index}.
     *
     * @param fields dotted paths ({@code region}, {@code tags.kiln:build-id}, {@code ebs_volumes.tags.kiln:build-id})
     *               to values; a step into a list applies to each element, a missing object is created
     */
    static void write(Path template, int index, Map<String, Object> fields) throws IOException {
        JsonNode root = JSON.readTree(Files.readString(template, StandardCharsets.UTF_8));
        JsonNode builders = root.path("builders");
        if (!(builders instanceof ArrayNode list) || index < 0 || index >= list.size()
                || !(list.get(index) instanceof ObjectNode builder)) {
            throw new IOException(template + " has no builder " + index + " to set " + fields.keySet() + " in");
        }
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            set(builder, Arrays.asList(f.getKey().split("\\.")), f.getValue());
        }
        Files.writeString(template, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root),
                StandardCharsets.UTF_8);
    }

    private static void set(JsonNode node, List<String> steps, Object value) {
        if (node instanceof ArrayNode a) {
            a.forEach(e -> set(e, steps, value));
            return;
        }
        if (!(node instanceof ObjectNode o)) {
            return;
        }
        String step = steps.get(0);
        if (steps.size() == 1) {
            o.set(step, JSON.valueToTree(value));
            return;
        }
        JsonNode child = o.get(step);
        if (child == null || child.isNull()) {
            child = o.putObject(step);
        }
        set(child, steps.subList(1, steps.size()), value);
    }
}
