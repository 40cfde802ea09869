package dev.kiln.naming;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An image-name template such as {@code {image}-{env}-{timestamp}}. Placeholders are written in
 * braces; the known ones are listed in {@link #PLACEHOLDERS}. Parsing refuses unknown
 * placeholders and unbalanced braces, so a typo is caught when the plan is read, not when the
 * fiftieth build tries to register its image.
 */
public final class NameTemplate {

    /** Every placeholder a template may use, in the order the docs list them. */
    public static final Set<String> PLACEHOLDERS = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            "image", "env", "provider", "account", "region", "git_sha", "timestamp", "build_id")));

    /** What plans get when they say nothing: unique per run and readable in a console. */
    public static final String DEFAULT = "{image}-{env}-{timestamp}-{build_id}";

    private final String source;
    private final List<Part> parts;

    private NameTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException naming the offending placeholder or brace and what is allowed
     */
    public static NameTemplate parse(String template) {
        Objects.requireNonNull(template, "template");
        if (template.isEmpty()) {
            throw new IllegalArgumentException("a name template cannot be empty");
        }
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            int strayClose = template.indexOf('}', i);
            if (strayClose >= 0 && (open < 0 || strayClose < open)) {
                throw new IllegalArgumentException("'}' at position " + (strayClose + 1)
                        + " closes no placeholder; placeholders look like {image}");
            }
            if (open < 0) {
                parts.add(new Part(template.substring(i), false));
                break;
            }
            if (open > i) {
                parts.add(new Part(template.substring(i, open), false));
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("'{' at position " + (open + 1)
                        + " is never closed; placeholders look like {image}");
            }
            String name = template.substring(open + 1, close);
            if (!PLACEHOLDERS.contains(name)) {
                throw new IllegalArgumentException("unknown placeholder {" + name + "}; allowed: "
                        + String.join(", ", PLACEHOLDERS.stream().map(p -> "{" + p + "}").toList()));
            }
            parts.add(new Part(name, true));
            i = close + 1;
        }
        return new NameTemplate(template, parts);
    }

    /** The placeholders this template uses. */
    public Set<String> placeholders() {
        Set<String> used = new LinkedHashSet<>();
        for (Part p : parts) {
            if (p.placeholder) {
                used.add(p.text);
            }
        }
        return Collections.unmodifiableSet(used);
    }

    /**
     * Fills the placeholders.
     *
     * @param values placeholder name to value; every placeholder used must have one
     */
    public String render(Map<String, String> values) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (p.placeholder) {
                String v = values.get(p.text);
                if (v == null) {
                    throw new IllegalArgumentException("no value for placeholder {" + p.text + "}");
                }
                sb.append(v);
            } else {
                sb.append(p.text);
            }
        }
        return sb.toString();
    }

    public String source() {
        return source;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NameTemplate t && t.source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }

    private record Part(String text, boolean placeholder) {
    }
}
