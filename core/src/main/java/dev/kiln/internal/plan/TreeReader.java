package dev.kiln.internal.plan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.kiln.plan.SourceLocation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads YAML or JSON into a {@link Node} tree with Jackson's streaming parser, keeping each
 * node's line and column. Syntax errors become problems naming line and column; nothing the
 * parser throws reaches the user as it is.
 */
final class TreeReader {

    /** Plans are a few levels deep; anything deeper is not a plan, and deep recursion is a risk. */
    private static final int MAX_DEPTH = 24;

    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonFactory JSON = new JsonFactory();

    private final Path file;
    private final boolean json;
    private final Problems problems;
    private JsonParser parser;
    private String path = "";

    private TreeReader(Path file, boolean json, Problems problems) {
        this.file = file;
        this.json = json;
        this.problems = problems;
    }

    /**
     * The document's tree, or empty when there is none to read (empty file, syntax error); every
     * reason is added to {@code problems}.
     */
    static Optional<Node> read(String text, Path file, boolean json, Problems problems) {
        return new TreeReader(file, json, problems).read(text);
    }

    private Optional<Node> read(String text) {
        try (JsonParser p = json ? JSON.createParser(text) : YAML.createParser(text)) {
            parser = p;
            JsonToken first = p.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                problems.add(Messages.emptyFile(new Site(new SourceLocation(file, 1, 1), Sites.TOP)));
                return Optional.empty();
            }
            Node root = value(first, "", 0);
            JsonToken extra = p.nextToken();
            if (extra != null) {
                problems.add(Messages.secondDocument(new Site(location(), Sites.TOP)));
            }
            return Optional.of(root);
        } catch (JsonProcessingException e) {
            problems.add(syntaxError(e));
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            // Reading from a String has no I/O; anything else is the parser failing on odd input.
            problems.add(Messages.unreadable(new Site(location(), fieldOrTop()), json));
            return Optional.empty();
        }
    }

    private Node value(JsonToken token, String at, int depth) throws IOException {
        path = at;
        SourceLocation where = location();
        switch (token) {
            case START_OBJECT:
                return mapping(at, where, depth);
            case START_ARRAY:
                return list(at, where, depth);
            case VALUE_STRING:
            case VALUE_EMBEDDED_OBJECT:
                if (parser instanceof YAMLParser y && y.isCurrentAlias()) {
                    problems.add(Messages.alias(new Site(where, fieldOrTop()), parser.getText()));
                    return new Node.Scalar(at, where, parser.getText(), Node.Scalar.Type.INVALID);
                }
                return new Node.Scalar(at, where, parser.getText(), Node.Scalar.Type.TEXT);
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new Node.Scalar(at, where, parser.getText(), Node.Scalar.Type.NUMBER);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new Node.Scalar(at, where, parser.getText(), Node.Scalar.Type.BOOLEAN);
            default:
                return new Node.Scalar(at, where, parser.getText(), Node.Scalar.Type.NULL);
        }
    }

    private Node mapping(String at, SourceLocation where, int depth) throws IOException {
        Map<String, Node> entries = new LinkedHashMap<>();
        Map<String, SourceLocation> keys = new LinkedHashMap<>();
        if (depth >= MAX_DEPTH) {
            problems.add(Messages.tooDeep(new Site(where, fieldOrTop()), MAX_DEPTH));
            parser.skipChildren();
            return new Node.MapNode(at, where, entries, keys);
        }
        JsonToken t;
        while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            String childPath = Node.child(at, key);
            path = childPath;
            SourceLocation keyAt = location();
            Node child = value(parser.nextToken(), childPath, depth + 1);
            if (keys.containsKey(key)) {
                problems.add(Messages.duplicateKey(new Site(keyAt, childPath), keys.get(key)));
            } else {
                keys.put(key, keyAt);
                entries.put(key, child);
            }
        }
        path = at;
        return new Node.MapNode(at, where, entries, keys);
    }

    private Node list(String at, SourceLocation where, int depth) throws IOException {
        List<Node> items = new ArrayList<>();
        if (depth >= MAX_DEPTH) {
            problems.add(Messages.tooDeep(new Site(where, fieldOrTop()), MAX_DEPTH));
            parser.skipChildren();
            return new Node.ListNode(at, where, items);
        }
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY && t != null) {
            items.add(value(t, Node.item(at, items.size()), depth + 1));
        }
        path = at;
        return new Node.ListNode(at, where, items);
    }

    /**
     * SnakeYAML's own account of a YAML error is the most precise (the problem and its mark, the
     * construct it was inside); it is reached through Jackson's wrapper, deprecated but the only
     * typed access that does not need SnakeYAML on the module path. Its message with the source
     * snippet is never used: the snippet could hold a secret.
     */
    @SuppressWarnings("deprecation")
    private dev.kiln.plan.Problem syntaxError(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException m) {
            var mark = m.getProblemMark();
            SourceLocation where = mark == null ? at(e.getLocation())
                    : new SourceLocation(file, mark.getLine() + 1, mark.getColumn() + 1);
            var contextMark = m.getContextMark();
            String context = m.getContext() == null || contextMark == null ? null
                    : m.getContext() + " that starts at line " + (contextMark.getLine() + 1) + ", column "
                            + (contextMark.getColumn() + 1);
            return Messages.yamlSyntax(new Site(where, failureField()), m.getProblem(), context);
        }
        String reason = e.getOriginalMessage();
        return Messages.syntax(new Site(at(e.getLocation()), failureField()), json, reason);
    }

    /**
     * The path the parser was at when it failed, from its own context: it may have read a key the
     * tree never saw (Jackson's JSON parser reads a key and looks at its value in one step).
     */
    private String failurePath() {
        String fromParser = parser == null ? null : contextPath(parser.getParsingContext());
        return fromParser == null || fromParser.length() < path.length() ? path : fromParser;
    }

    private static String contextPath(JsonStreamContext context) {
        if (context == null || context.inRoot()) {
            return "";
        }
        String parent = contextPath(context.getParent());
        if (context.inObject()) {
            return context.getCurrentName() == null ? parent : Node.child(parent, context.getCurrentName());
        }
        return context.getCurrentIndex() < 0 ? parent : Node.item(parent, context.getCurrentIndex());
    }

    private String failureField() {
        String p = failurePath();
        return p.isEmpty() ? Sites.TOP : p;
    }

    private String fieldOrTop() {
        return path.isEmpty() ? Sites.TOP : path;
    }

    private SourceLocation location() {
        return parser == null ? new SourceLocation(file, 0, 0) : at(parser.currentTokenLocation());
    }

    private SourceLocation at(JsonLocation loc) {
        if (loc == null || loc.getLineNr() <= 0) {
            return new SourceLocation(file, 0, 0);
        }
        return new SourceLocation(file, loc.getLineNr(), Math.max(loc.getColumnNr(), 0));
    }
}
