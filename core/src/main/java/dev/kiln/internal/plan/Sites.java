package dev.kiln.internal.plan;

import dev.kiln.plan.SourceLocation;
import java.util.HashMap;
import java.util.Map;

/**
 * The sites of one part of a plan (the whole plan, a target entry or an image): its own, and
 * those of the fields under it. Asking for a field that was not written gives the nearest
 * written ancestor's location under the field's own path, so a missing {@code template} points
 * at the image that lacks it.
 */
public final class Sites {

    /** What a problem about the whole plan is called when it has no field of its own. */
    static final String TOP = "(top level)";

    private final SourceLocation self;
    private final String base;
    private final Map<String, SourceLocation> byPath;
    private final Map<String, String> texts;

    private Sites(SourceLocation self, String base, Map<String, SourceLocation> byPath, Map<String, String> texts) {
        this.self = self;
        this.base = base;
        this.byPath = byPath;
        this.texts = texts;
    }

    /** For a plan built in code: no lines, only field paths under {@code base} (e.g. {@code images[0]}). */
    public static Sites inCode(String base) {
        return new Sites(SourceLocation.IN_CODE, base, Map.of(), Map.of());
    }

    /** Every node under {@code node}, by path relative to it. */
    static Sites of(Node node) {
        Map<String, SourceLocation> paths = new HashMap<>();
        Map<String, String> texts = new HashMap<>();
        collect(node, node.path(), paths, texts);
        return new Sites(node.at(), node.path(), paths, texts);
    }

    private static void collect(Node node, String base, Map<String, SourceLocation> into, Map<String, String> texts) {
        String rel = relative(base, node.path());
        if (!rel.isEmpty()) {
            into.put(rel, node.at());
        }
        if (node instanceof Node.MapNode m) {
            m.entries().values().forEach(child -> collect(child, base, into, texts));
        } else if (node instanceof Node.ListNode l) {
            l.items().forEach(child -> collect(child, base, into, texts));
        } else if (node instanceof Node.Scalar s && !s.isNull()) {
            texts.put(rel, s.text());
        }
    }

    /** Whether {@code field} was written (always false for plans built in code). */
    boolean written(String field) {
        return byPath.containsKey(field);
    }

    /**
     * The site of the item of list {@code list} written as {@code value}, e.g. the {@code gpc} in
     * {@code providers: [aws, gpc]}; the list's own site when there is no such item.
     */
    Site item(String list, String value) {
        for (int i = 0; written(list + "[" + i + "]"); i++) {
            if (value.equals(texts.get(list + "[" + i + "]"))) {
                return at(list + "[" + i + "]");
            }
        }
        return at(list);
    }

    private static String relative(String base, String path) {
        if (base.isEmpty() || path.length() <= base.length()) {
            return path.equals(base) ? "" : path;
        }
        String rest = path.substring(base.length());
        return rest.startsWith(".") ? rest.substring(1) : rest;
    }

    public Site self() {
        return new Site(self, base.isEmpty() ? TOP : base);
    }

    /**
     * The site of {@code field} (relative, e.g. {@code template} or {@code depends_on[1]}): where
     * it was written, or where its nearest written ancestor was.
     */
    public Site at(String field) {
        String full = base.isEmpty() || field.startsWith("[") ? base + field : base + "." + field;
        for (String probe = field; probe != null; probe = parent(probe)) {
            SourceLocation loc = byPath.get(probe);
            if (loc != null) {
                return new Site(loc, full);
            }
        }
        return new Site(self, full);
    }

    private static String parent(String path) {
        if (path.endsWith("\"]")) {
            int open = path.lastIndexOf("[\"");
            return open > 0 ? path.substring(0, open) : null;
        }
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut > 0 ? path.substring(0, cut) : null;
    }
}
