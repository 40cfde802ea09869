package dev.kiln.internal.template;

import dev.kiln.internal.template.JsonParser.StringNode;
import dev.kiln.template.Expression;
import dev.kiln.template.Expression.Directive;
import dev.kiln.template.Expression.EngineCall;
import dev.kiln.template.Expression.Literal;
import dev.kiln.template.Expression.StringTemplate;
import dev.kiln.template.TemplatePosition;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Reads the {@code {{ ... }}} actions of a JSON template's strings (Go's text/template, as packer's
 * legacy templates use it): {@code {{user `x`}}}, {@code {{env "X"}}}, {@code {{timestamp}}},
 * {@code {{isotime "2006"}}}, {@code {{.Path}}}, pipelines. Control actions ({@code if}, {@code range},
 * ...) and anything it cannot read are kept as {@link Directive}s; only an action never closed is an error.
 */
final class EngineTemplates {

    private static final Set<String> CONTROL = Set.of("if", "else", "end", "range", "with", "define", "template",
            "block", "break", "continue");

    private EngineTemplates() {
    }

    static Expression parse(Source src, StringNode string) {
        int[] offsets = string.offsets();
        return parse(string.value(), i -> src.position(offsets[i]), src.position(string.start()));
    }

    /**
     * Reads the actions of a string that HCL2 produced: packer's builders still render {@code {{ }}} in
     * their fields' values ({@code ami_name = "web_{{timestamp}}"}). Every part is placed at {@code at}.
     */
    static Expression parse(String s, TemplatePosition at) {
        return parse(s, i -> at, at);
    }

    private static Expression parse(String s, IntFunction<TemplatePosition> positionOf, TemplatePosition at) {
        if (!s.contains("{{")) {
            return new Literal(s, at);
        }
        List<Expression> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int textStart = 0;
        int i = 0;
        boolean trimNext = false;
        while (i < s.length()) {
            int open = s.indexOf("{{", i);
            String before = s.substring(i, open < 0 ? s.length() : open);
            if (trimNext) {
                int skip = before.length() - before.stripLeading().length();
                before = before.stripLeading();
                i += skip;
                trimNext = false;
            }
            if (text.length() == 0) {
                textStart = i;
            }
            text.append(before);
            if (open < 0) {
                break;
            }
            int close = s.indexOf("}}", open + 2);
            if (close < 0) {
                throw new SyntaxError(Messages.unclosedAction(positionOf.apply(open)));
            }
            String action = s.substring(open + 2, close);
            if (action.startsWith("- ") || action.startsWith("-\t") || action.startsWith("-\n")) {
                int n = text.length();
                while (n > 0 && Character.isWhitespace(text.charAt(n - 1))) {
                    n--;
                }
                text.setLength(n);
                action = action.substring(2);
            }
            if (action.endsWith(" -") || action.endsWith("\t-") || action.endsWith("\n-")) {
                trimNext = true;
                action = action.substring(0, action.length() - 2);
            }
            if (text.length() > 0) {
                parts.add(new Literal(text.toString(), positionOf.apply(textStart)));
                text.setLength(0);
            }
            TemplatePosition actionAt = positionOf.apply(open);
            if (!action.strip().startsWith("/*")) {
                parts.add(action(action, s.substring(open, close + 2), actionAt));
            }
            i = close + 2;
        }
        if (text.length() > 0) {
            parts.add(new Literal(text.toString(), positionOf.apply(Math.min(textStart, s.length()))));
        }
        if (parts.isEmpty()) {
            return new Literal("", at);
        }
        if (parts.size() == 1 && parts.get(0) instanceof Literal l) {
            return new Literal(l.value(), at);
        }
        return new StringTemplate(parts, at);
    }

    private static Expression action(String action, String written, TemplatePosition at) {
        try {
            ActionParser p = new ActionParser(action, at);
            Expression e = p.pipeline();
            p.skipSpace();
            if (p.pos < action.length()) {
                return new Directive(written, at);
            }
            return e;
        } catch (Unreadable e) {
            return new Directive(written, at);
        }
    }

    /** An action Kiln does not read; kept as a directive. */
    private static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unreadable() {
            super(null, null, false, false);
        }
    }

    private static final class ActionParser {
        private static final int MAX_DEPTH = 32;

        private final String s;
        private final TemplatePosition at;
        private int pos;
        private int depth;

        ActionParser(String s, TemplatePosition at) {
            this.s = s;
            this.at = at;
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        /** A pipeline; each command and each parenthesis is a level deeper, and more than 32 is not read. */
        Expression pipeline() {
            int start = depth;
            try {
                Expression result = command(null);
                skipSpace();
                while (pos < s.length() && s.charAt(pos) == '|') {
                    pos++;
                    result = command(result);
                    skipSpace();
                }
                return result;
            } finally {
                depth = start;
            }
        }

        /** One command; {@code piped} is the previous command's result, passed as the last argument. */
        private Expression command(Expression piped) {
            if (++depth > MAX_DEPTH) {
                throw new Unreadable();
            }
            List<Expression> operands = new ArrayList<>();
            List<Boolean> isName = new ArrayList<>();
            while (true) {
                skipSpace();
                if (pos >= s.length() || s.charAt(pos) == '|' || s.charAt(pos) == ')') {
                    break;
                }
                int c = s.charAt(pos);
                if (Character.isLetter(c) || c == '_') {
                    String name = identifier();
                    if (operands.isEmpty() && CONTROL.contains(name)) {
                        throw new Unreadable();
                    }
                    switch (name) {
                        case "true" -> operands.add(new Literal(Boolean.TRUE, at));
                        case "false" -> operands.add(new Literal(Boolean.FALSE, at));
                        case "nil" -> operands.add(new Literal(null, at));
                        default -> operands.add(new EngineCall(name, List.of(), at));
                    }
                    isName.add(!name.equals("true") && !name.equals("false") && !name.equals("nil"));
                } else if (c == '.') {
                    pos++;
                    String field = pos < s.length() && Character.isLetter(s.charAt(pos)) ? identifier() : "";
                    operands.add(new EngineCall("." + field, List.of(), at));
                    isName.add(false);
                } else if (c == '"' || c == '`') {
                    operands.add(new Literal(string(), at));
                    isName.add(false);
                } else if (Character.isDigit(c) || c == '-') {
                    operands.add(new Literal(number(), at));
                    isName.add(false);
                } else if (c == '(') {
                    pos++;
                    operands.add(pipeline());
                    skipSpace();
                    if (pos >= s.length() || s.charAt(pos) != ')') {
                        throw new Unreadable();
                    }
                    pos++;
                    isName.add(false);
                } else {
                    throw new Unreadable();
                }
            }
            if (operands.isEmpty()) {
                throw new Unreadable();
            }
            if (operands.size() == 1 && piped == null) {
                return operands.get(0);
            }
            if (!isName.get(0)) {
                if (operands.get(0) instanceof EngineCall field && piped == null) {
                    return new EngineCall(field.function(), operands.subList(1, operands.size()), at);
                }
                throw new Unreadable();
            }
            List<Expression> arguments = new ArrayList<>(operands.subList(1, operands.size()));
            if (piped != null) {
                arguments.add(piped);
            }
            return new EngineCall(((EngineCall) operands.get(0)).function(), arguments, at);
        }

        private String identifier() {
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                pos++;
            }
            return s.substring(start, pos);
        }

        private String string() {
            char quote = s.charAt(pos++);
            StringBuilder out = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == quote) {
                    return out.toString();
                }
                if (c == '\\' && quote == '"' && pos < s.length()) {
                    char e = s.charAt(pos++);
                    switch (e) {
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        case 'r' -> out.append('\r');
                        case '"', '\\' -> out.append(e);
                        default -> throw new Unreadable();
                    }
                } else {
                    out.append(c);
                }
            }
            throw new Unreadable();
        }

        private BigDecimal number() {
            int start = pos;
            pos++;
            while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
                pos++;
            }
            try {
                return new BigDecimal(s.substring(start, pos));
            } catch (NumberFormatException e) {
                throw new Unreadable();
            }
        }
    }
}
