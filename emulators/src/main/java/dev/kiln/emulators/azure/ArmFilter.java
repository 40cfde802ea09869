package dev.kiln.emulators.azure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ARM's list {@code $filter}, the OData subset Resources - List documents: {@code field eq 'value'}
 * on {@code tagName}, {@code tagValue}, {@code resourceType}, {@code name}, {@code location} and
 * {@code resourceGroup}; {@code substringof('value', name)} and {@code startswith(field, 'value')};
 * joined by {@code and}, {@code or} and parentheses. Tag names match whatever their case, as ARM's
 * do; a {@code tagName} and a {@code tagValue} joined by {@code and} must hold for the same tag.
 * A filter on a tag's value makes ARM leave {@code tags} out of the answer ({@link #omitsTags()}).
 */
final class ArmFilter {

    /** What a filter is tested against: one resource's fields, and its tags. */
    interface Subject {
        /** {@code resourceType}, {@code name}, {@code location} or {@code resourceGroup}; null when it has none. */
        String field(String name);

        Map<String, String> tags();
    }

    private static final List<String> FIELDS = List.of("tagname", "tagvalue", "resourcetype", "name", "location",
            "resourcegroup");

    private interface Node {
        /** Whether the subject matches with {@code tag} (null: none) bound to tagName and tagValue. */
        boolean test(Subject s, Map.Entry<String, String> tag);
    }

    private static final ArmFilter ALL = new ArmFilter(null, (s, t) -> true, false);

    private final String text;
    private final Node root;
    private final boolean omitsTags;

    private ArmFilter(String text, Node root, boolean omitsTags) {
        this.text = text;
        this.root = root;
        this.omitsTags = omitsTags;
    }

    /** The filter {@code text} (null or blank: everything), or ARM's 400 {@code InvalidFilterInQueryString}. */
    static ArmFilter parse(String text) {
        if (text == null || text.isBlank()) {
            return ALL;
        }
        Parser p = new Parser(text);
        Node root = p.or();
        if (p.pos != p.tokens.size()) {
            throw p.invalid("unexpected '" + p.tokens.get(p.pos) + "'");
        }
        return new ArmFilter(text, root, p.tagValue);
    }

    boolean test(Subject s) {
        if (root.test(s, null)) {
            return true;
        }
        for (Map.Entry<String, String> tag : s.tags().entrySet()) {
            if (root.test(s, tag)) {
                return true;
            }
        }
        return false;
    }

    /** ARM documents that a list filtered on a tag's value answers without each resource's tags. */
    boolean omitsTags() {
        return omitsTags;
    }

    @Override
    public String toString() {
        return text == null ? "(none)" : text;
    }

    private static final class Parser {
        final String text;
        final List<String> tokens;
        int pos;
        boolean tagValue;

        Parser(String text) {
            this.text = text;
            this.tokens = tokenize(text);
        }

        Node or() {
            Node left = and();
            while (peek("or")) {
                pos++;
                Node l = left;
                Node r = and();
                left = (s, t) -> l.test(s, t) || r.test(s, t);
            }
            return left;
        }

        Node and() {
            Node left = unary();
            while (peek("and")) {
                pos++;
                Node l = left;
                Node r = unary();
                left = (s, t) -> l.test(s, t) && r.test(s, t);
            }
            return left;
        }

        Node unary() {
            String t = next();
            if (t.equals("(")) {
                Node inner = or();
                expect(")");
                return inner;
            }
            String lower = t.toLowerCase(Locale.ROOT);
            if (lower.equals("substringof")) {
                expect("(");
                String value = literal();
                expect(",");
                String field = field();
                expect(")");
                String needle = value.toLowerCase(Locale.ROOT);
                return (s, tag) -> {
                    String v = value(s, tag, field);
                    return v != null && v.toLowerCase(Locale.ROOT).contains(needle);
                };
            }
            if (lower.equals("startswith")) {
                expect("(");
                String field = field();
                expect(",");
                String value = literal();
                expect(")");
                return (s, tag) -> {
                    String v = value(s, tag, field);
                    return v != null && (field.equals("tagvalue") ? v.startsWith(value)
                            : v.toLowerCase(Locale.ROOT).startsWith(value.toLowerCase(Locale.ROOT)));
                };
            }
            pos--;
            String field = field();
            String op = next();
            if (!op.equalsIgnoreCase("eq")) {
                throw invalid("the only comparison is 'eq', got '" + op + "'");
            }
            String value = literal();
            return (s, tag) -> {
                String v = value(s, tag, field);
                return v != null && (field.equals("tagvalue") ? v.equals(value) : v.equalsIgnoreCase(value));
            };
        }

        private String field() {
            String f = next().toLowerCase(Locale.ROOT);
            if (!FIELDS.contains(f)) {
                throw invalid("'" + f + "' is not a field a filter can name");
            }
            if (f.equals("tagvalue")) {
                tagValue = true;
            }
            return f;
        }

        private static String value(Subject s, Map.Entry<String, String> tag, String field) {
            return switch (field) {
                case "tagname" -> tag == null ? null : tag.getKey();
                case "tagvalue" -> tag == null ? null : tag.getValue();
                case "resourcetype" -> s.field("resourceType");
                case "name" -> s.field("name");
                case "location" -> s.field("location");
                default -> s.field("resourceGroup");
            };
        }

        private String literal() {
            String t = next();
            if (t.length() < 2 || !t.startsWith("'") || !t.endsWith("'")) {
                throw invalid("expected a 'quoted' value, got " + t);
            }
            return t.substring(1, t.length() - 1).replace("''", "'");
        }

        private boolean peek(String word) {
            return pos < tokens.size() && tokens.get(pos).equalsIgnoreCase(word);
        }

        private String next() {
            if (pos >= tokens.size()) {
                throw invalid("it ends too soon");
            }
            return tokens.get(pos++);
        }

        private void expect(String token) {
            String t = next();
            if (!t.equals(token)) {
                throw invalid("expected '" + token + "', got '" + t + "'");
            }
        }

        ArmError invalid(String why) {
            return ArmError.badRequest("InvalidFilterInQueryString", "Invalid $filter '" + text + "' specified in"
                    + " the query string: " + why + ". Filters take \"tagName eq 'k' and tagValue eq 'v'\","
                    + " \"resourceType eq 'Namespace/type'\", name, location and resourceGroup with eq,"
                    + " substringof('v', name), startswith(field, 'v'), and, or and parentheses.");
        }

        private static List<String> tokenize(String text) {
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '(' || c == ')' || c == ',') {
                    out.add(String.valueOf(c));
                    i++;
                } else if (c == '\'') {
                    int j = i + 1;
                    while (j < text.length()) {
                        if (text.charAt(j) == '\'') {
                            if (j + 1 < text.length() && text.charAt(j + 1) == '\'') {
                                j += 2;
                                continue;
                            }
                            break;
                        }
                        j++;
                    }
                    out.add(text.substring(i, Math.min(j + 1, text.length())));
                    i = j + 1;
                } else {
                    int start = i;
                    while (i < text.length() && !Character.isWhitespace(text.charAt(i))
                            && "(),'".indexOf(text.charAt(i)) < 0) {
                        i++;
                    }
                    out.add(text.substring(start, i));
                }
            }
            return out;
        }
    }
}
