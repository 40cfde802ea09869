package dev.kiln.template;

import dev.kiln.internal.template.VariableFiles;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A file of variable values as packer's {@code -var-file} reads it: a JSON object
 * ({@code {"region": "eu-west-1", "subnets": ["a", "b"]}}) or HCL2 {@code .pkrvars.hcl}
 * ({@code region = "eu-west-1"}). Values keep their types: strings, numbers, bools, lists, maps.
 *
 * @param path   the file
 * @param values in written order
 */
public record VariableFile(Path path, List<Value> values) {

    public VariableFile {
        values = List.copyOf(values);
    }

    /**
     * Reads a variable file: {@code *.json} as JSON, anything else ({@code *.pkrvars.hcl}) as HCL2.
     *
     * @throws TemplateException naming file:line:column of each problem: a syntax error, a value that
     *                           is not a literal (a reference, a function call), a name set twice
     */
    public static VariableFile read(Path path) {
        return VariableFiles.read(path);
    }

    /** The value of {@code name}, if the file sets it. */
    public Optional<Value> value(String name) {
        return values.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    /** Name to value, in written order. */
    public Map<String, Object> asMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach(v -> out.put(v.name(), v.value()));
        return Collections.unmodifiableMap(out);
    }

    /**
     * One variable's value.
     *
     * @param name     the variable
     * @param value    a {@link String}, {@link java.math.BigDecimal}, {@link Boolean}, unmodifiable
     *                 {@link List} or {@link Map} of these, or null
     * @param position where it is written
     */
    public record Value(String name, Object value, TemplatePosition position) {
    }
}
