package dev.kiln.emulators.gcp;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compute Engine's list {@code filter}: comparisons {@code field = value}, {@code field != value},
 * {@code field:value} (with {@code :*} meaning "present"), and the older regular-expression forms
 * {@code field eq 'regex'} / {@code field ne 'regex'}; joined by {@code AND} (or just spaces),
 * {@code OR}, {@code NOT} and parentheses. Values may be bare, "double" or 'single' quoted; {@code *}
 * in a value of {@code =}, {@code !=} or {@code :} matches any run of characters. Fields are
 * {@code name}, {@code status}, {@code labels.KEY} and whatever else the resource answers.
 */
final class Filter {

    /** The filter that keeps everything. */
    static final Predicate<Function<String, String>> ALL = r -> true;

    private final String text;
    private final List<String> tokens;
    private int pos;

    private Filter(String text) {
        this.text = text;
        this.tokens = tokenize(text);
    }

    /**
     * Parses {@code text} into a test over a resource's fields (a function from field name to
     * value, null when absent).
     *
     * @throws GceError 400 when the filter cannot be read
     */
    static Predicate<Function<String, String>> parse(String text) {
        if (text == null || text.isBlank()) {
            return ALL;
        }
        Filter f = new Filter(text);
        Predicate<Function<String, String>> p = f.or();
        if (f.pos != f.tokens.size()) {
            throw f.invalid();
        }
        return p;
    }

    private Predicate<Function<String, String>> or() {
        Predicate<Function<String, String>> left = and();
        while (peekIs("OR")) {
            pos++;
            left = left.or(and());
        }
        return left;
    }

    private Predicate<Function<String, String>> and() {
        Predicate<Function<String, String>> left = unary();
        while (pos < tokens.size() && !peekIs("OR") && !tokens.get(pos).equals(")")) {
            if (peekIs("AND")) {
                pos++;
            }
            left = left.and(unary());
        }
        return left;
    }

    private Predicate<Function<String, String>> unary() {
        if (pos >= tokens.size()) {
            throw invalid();
        }
        String t = tokens.get(pos);
        if (t.equals("NOT") || t.equals("-")) {
            pos++;
            return unary().negate();
        }
        if (t.equals("(")) {
            pos++;
            Predicate<Function<String, String>> inner = or();
            expect(")");
            return inner;
        }
        return comparison();
    }

    private Predicate<Function<String, String>> comparison() {
        String field = next();
        if (!field.matches("[A-Za-z][A-Za-z0-9_.\\-]*")) {
            throw invalid();
        }
        String op = next();
        String value = unquote(next());
        switch (op) {
            case "=":
                return r -> glob(value).matcher(nullToEmpty(r.apply(field))).matches();
            case "!=":
                return r -> !glob(value).matcher(nullToEmpty(r.apply(field))).matches();
            case ":":
                if (value.equals("*")) {
                    return r -> r.apply(field) != null;
                }
                return r -> r.apply(field) != null && glob(value).matcher(r.apply(field)).matches();
            case "eq":
            case "ne":
                Pattern regex;
                try {
                    regex = Pattern.compile(value);
                } catch (PatternSyntaxException e) {
                    throw invalid();
                }
                boolean eq = op.equals("eq");
                return r -> regex.matcher(nullToEmpty(r.apply(field))).matches() == eq;
            default:
                throw invalid();
        }
    }

    private static Pattern glob(String value) {
        String[] parts = value.split("\\*", -1);
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                re.append(".*");
            }
            re.append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(re.toString());
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private boolean peekIs(String word) {
        return pos < tokens.size() && tokens.get(pos).equals(word);
    }

    private String next() {
        if (pos >= tokens.size()) {
            throw invalid();
        }
        return tokens.get(pos++);
    }

    private void expect(String token) {
        if (!token.equals(next())) {
            throw invalid();
        }
    }

    private GceError invalid() {
        return GceError.invalid("Invalid value for field 'filter': '" + text + "'. Invalid list filter expression.");
    }

    private static String unquote(String token) {
        if (token.length() >= 2 && (token.startsWith("\"") && token.endsWith("\"")
                || token.startsWith("'") && token.endsWith("'"))) {
            return token.substring(1, token.length() - 1);
        }
        return token;
    }

    private static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == ':' || c == '=') {
                out.add(String.valueOf(c));
                i++;
            } else if (c == '!' && i + 1 < text.length() && text.charAt(i + 1) == '=') {
                out.add("!=");
                i += 2;
            } else if (c == '"' || c == '\'') {
                int end = text.indexOf(c, i + 1);
                if (end < 0) {
                    end = text.length() - 1;
                }
                out.add(text.substring(i, end + 1));
                i = end + 1;
            } else {
                int start = i;
                while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && "():=\"'".indexOf(text.charAt(i)) < 0
                        && !(text.charAt(i) == '!' && i + 1 < text.length() && text.charAt(i + 1) == '=')) {
                    i++;
                }
                out.add(text.substring(start, i));
            }
        }
        return out;
    }
}
