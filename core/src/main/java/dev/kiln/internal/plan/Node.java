package dev.kiln.internal.plan;

import dev.kiln.plan.SourceLocation;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A plan file as read, before any meaning is given to it: mappings, lists and scalars, each
 * remembering where it was written and its dotted path, so every problem can point at its line.
 */
sealed interface Node permits Node.MapNode, Node.ListNode, Node.Scalar {

    /** Dotted path from the top, e.g. {@code images[2].template}; empty for the top itself. */
    String path();

    SourceLocation at();

    /** How the node is called in messages: "a mapping", "a list", "text"... */
    String kind();

    /** A mapping; {@code keys} holds where each key was written, for unknown or duplicate keys. */
    record MapNode(String path, SourceLocation at, Map<String, Node> entries, Map<String, SourceLocation> keys)
            implements Node {
        @Override
        public String kind() {
            return "a mapping";
        }
    }

    record ListNode(String path, SourceLocation at, List<Node> items) implements Node {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /**
     * A scalar with its text exactly as written: {@code no} stays {@code no}, {@code 0123} stays
     * {@code 0123}. An {@code INVALID} scalar stands for a value already reported as unreadable
     * (a YAML alias): it is present, so nothing calls it missing, and it reads as nothing.
     */
    record Scalar(String path, SourceLocation at, String text, Type type) implements Node {

        enum Type { TEXT, NUMBER, BOOLEAN, NULL, INVALID }

        boolean isNull() {
            return type == Type.NULL;
        }

        boolean isInvalid() {
            return type == Type.INVALID;
        }

        @Override
        public String kind() {
            return switch (type) {
                case TEXT -> "text";
                case NUMBER -> "a number";
                case BOOLEAN -> "true/false";
                case NULL -> "nothing";
                case INVALID -> "an alias";
            };
        }
    }

    Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    /** The path of {@code key} under {@code parent}; keys with dots or spaces are quoted: {@code limits["gce.reads"]}. */
    static String child(String parent, String key) {
        if (PLAIN_KEY.matcher(key).matches()) {
            return parent.isEmpty() ? key : parent + "." + key;
        }
        return parent + "[\"" + key + "\"]";
    }

    static String item(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
