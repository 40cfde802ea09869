package dev.kiln.internal.template;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON parser that keeps where every value, key and string character was written, so a
 * template's problems and its {@code {{ }}} actions get exact positions, and that names what it
 * found when the JSON is wrong (a trailing comma, a duplicate key, an unterminated string).
 */
final class JsonParser {

    private static final int MAX_DEPTH = 128;

    /** A JSON value and the offsets it spans in the source. */
    sealed interface Node {
        int start();

        int end();
    }

    record ObjectNode(List<Member> members, int start, int end) implements Node {
    }

    record Member(String key, int keyStart, Node value) {
    }

    record ArrayNode(List<Node> elements, int start, int end) implements Node {
    }

    /** A string; {@code offsets[i]} is where its i-th decoded character was written ({@code offsets[length]}: the closing quote). */
    record StringNode(String value, int[] offsets, int start, int end) implements Node {
    }

    record NumberNode(BigDecimal value, int start, int end) implements Node {
    }

    record BoolNode(boolean value, int start, int end) implements Node {
    }

    record NullNode(int start, int end) implements Node {
    }

    private final Source src;
    private int pos;
    private int depth;

    JsonParser(Source src) {
        this.src = src;
    }

    /** The file's one value. */
    Node parseDocument() {
        Node value = value("a value");
        skipSpace();
        if (src.at(pos) != Source.END) {
            throw new SyntaxError(Messages.jsonTrailing(src.position(pos), found()));
        }
        return value;
    }

    static String kind(Node node) {
        if (node instanceof ObjectNode) {
            return "an object";
        }
        if (node instanceof ArrayNode) {
            return "a list";
        }
        if (node instanceof StringNode) {
            return "a string";
        }
        if (node instanceof NumberNode n) {
            return "a number (" + n.value().toPlainString() + ")";
        }
        if (node instanceof BoolNode b) {
            return "a bool (" + b.value() + ")";
        }
        return "null";
    }

    private void skipSpace() {
        while (true) {
            int c = src.at(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\uFEFF') {
                pos++;
            } else {
                return;
            }
        }
    }

    /** What is at {@code pos}, for a message: {@code '}'}, {@code 'True'}, {@code the end of the file}. */
    private String found() {
        int c = src.at(pos);
        if (c == Source.END) {
            return "the end of the file";
        }
        if (Character.isLetterOrDigit(c)) {
            int end = pos;
            while (end < src.length() && end < pos + 40 && Character.isLetterOrDigit(src.at(end))) {
                end++;
            }
            return "'" + src.slice(pos, end) + "'";
        }
        if (Character.isISOControl(c)) {
            return String.format(java.util.Locale.ROOT, "U+%04X", c);
        }
        return "'" + (char) c + "'";
    }

    private Node value(String expected) {
        skipSpace();
        int c = src.at(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return word("true", new BoolNode(true, pos, pos + 4), expected);
            case 'f':
                return word("false", new BoolNode(false, pos, pos + 5), expected);
            case 'n':
                return word("null", new NullNode(pos, pos + 4), expected);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number(expected);
                }
                throw new SyntaxError(Messages.jsonExpected(src.position(pos), found(), expected, Messages.JSON_VALUE));
        }
    }

    private Node word(String word, Node node, String expected) {
        if (!src.text.startsWith(word, pos) || Character.isLetterOrDigit(src.at(pos + word.length()))) {
            throw new SyntaxError(Messages.jsonExpected(src.position(pos), found(), expected, Messages.JSON_VALUE));
        }
        pos += word.length();
        return node;
    }

    private Node number(String expected) {
        int start = pos;
        while (true) {
            int c = src.at(pos);
            if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
                pos++;
            } else {
                break;
            }
        }
        String text = src.slice(start, pos);
        if (!text.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
            throw new SyntaxError(Messages.jsonExpected(src.position(start), "'" + text + "'", expected,
                    Messages.JSON_VALUE));
        }
        try {
            return new NumberNode(new BigDecimal(text), start, pos);
        } catch (NumberFormatException e) {
            throw new SyntaxError(Messages.numberOutOfRange(src.position(start), text));
        }
    }

    private void enter(int start) {
        if (++depth > MAX_DEPTH) {
            throw new SyntaxError(Messages.tooDeep(src.position(start), MAX_DEPTH));
        }
    }

    private Node object() {
        int start = pos;
        enter(start);
        pos++;
        List<Member> members = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        skipSpace();
        if (src.at(pos) == '}') {
            pos++;
            depth--;
            return new ObjectNode(members, start, pos);
        }
        while (true) {
            skipSpace();
            int c = src.at(pos);
            if (c == Source.END) {
                throw new SyntaxError(Messages.jsonUnterminated(src.position(start), "object", "}"));
            }
            if (c == '}' && !members.isEmpty()) {
                throw new SyntaxError(Messages.jsonTrailingComma(src.position(pos), "}"));
            }
            if (c != '"') {
                throw new SyntaxError(Messages.jsonExpected(src.position(pos), found(), "a key in double quotes",
                        Messages.JSON_OBJECT));
            }
            int keyStart = pos;
            StringNode key = string();
            Integer first = seen.putIfAbsent(key.value(), keyStart);
            if (first != null) {
                throw new SyntaxError(Messages.jsonDuplicateKey(src.position(keyStart), key.value(),
                        src.position(first)));
            }
            skipSpace();
            if (src.at(pos) != ':') {
                throw new SyntaxError(Messages.jsonExpected(src.position(pos), found(),
                        "':' after the key '" + key.value() + "'", Messages.JSON_OBJECT));
            }
            pos++;
            members.add(new Member(key.value(), keyStart, value("a value for '" + key.value() + "'")));
            skipSpace();
            c = src.at(pos);
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                depth--;
                return new ObjectNode(members, start, pos);
            } else if (c == Source.END) {
                throw new SyntaxError(Messages.jsonUnterminated(src.position(start), "object", "}"));
            } else {
                throw new SyntaxError(Messages.jsonExpected(src.position(pos), found(), "',' or '}'",
                        Messages.JSON_OBJECT));
            }
        }
    }

    private Node array() {
        int start = pos;
        enter(start);
        pos++;
        List<Node> elements = new ArrayList<>();
        skipSpace();
        if (src.at(pos) == ']') {
            pos++;
            depth--;
            return new ArrayNode(elements, start, pos);
        }
        while (true) {
            skipSpace();
            int c = src.at(pos);
            if (c == Source.END) {
                throw new SyntaxError(Messages.jsonUnterminated(src.position(start), "list", "]"));
            }
            if (c == ']' && !elements.isEmpty()) {
                throw new SyntaxError(Messages.jsonTrailingComma(src.position(pos), "]"));
            }
            elements.add(value("a value"));
            skipSpace();
            c = src.at(pos);
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                depth--;
                return new ArrayNode(elements, start, pos);
            } else if (c == Source.END) {
                throw new SyntaxError(Messages.jsonUnterminated(src.position(start), "list", "]"));
            } else {
                throw new SyntaxError(Messages.jsonExpected(src.position(pos), found(), "',' or ']'",
                        Messages.JSON_LIST));
            }
        }
    }

    private StringNode string() {
        int start = pos;
        pos++;
        StringBuilder value = new StringBuilder();
        int[] offsets = new int[16];
        while (true) {
            int c = src.at(pos);
            if (c == Source.END || c == '\n' || c == '\r') {
                throw new SyntaxError(Messages.jsonUnterminatedString(src.position(start)));
            }
            if (offsets.length <= value.length() + 2) {
                offsets = java.util.Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[value.length()] = pos;
            if (c == '"') {
                pos++;
                return new StringNode(value.toString(), java.util.Arrays.copyOf(offsets, value.length() + 1), start, pos);
            }
            if (c != '\\') {
                value.append((char) c);
                pos++;
                continue;
            }
            int e = src.at(pos + 1);
            switch (e) {
                case '"', '\\', '/' -> value.append((char) e);
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'n' -> value.append('\n');
                case 'r' -> value.append('\r');
                case 't' -> value.append('\t');
                case 'u' -> {
                    String hex = src.slice(pos + 2, pos + 6);
                    if (hex.length() != 4 || !hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                        throw new SyntaxError(Messages.jsonBadEscape(src.position(pos), src.slice(pos, pos + 2 + hex.length())));
                    }
                    value.append((char) Integer.parseInt(hex, 16));
                    pos += 4;
                }
                default -> throw new SyntaxError(Messages.jsonBadEscape(src.position(pos),
                        e == Source.END || e == '\n' ? "\\" : src.slice(pos, pos + 2)));
            }
            pos += 2;
        }
    }
}
