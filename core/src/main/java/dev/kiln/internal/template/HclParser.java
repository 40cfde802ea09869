package dev.kiln.internal.template;

import static dev.kiln.internal.template.Token.Kind.ARROW;
import static dev.kiln.internal.template.Token.Kind.ASSIGN;
import static dev.kiln.internal.template.Token.Kind.COLON;
import static dev.kiln.internal.template.Token.Kind.COMMA;
import static dev.kiln.internal.template.Token.Kind.DOT;
import static dev.kiln.internal.template.Token.Kind.ELLIPSIS;
import static dev.kiln.internal.template.Token.Kind.EOF;
import static dev.kiln.internal.template.Token.Kind.IDENT;
import static dev.kiln.internal.template.Token.Kind.LBRACE;
import static dev.kiln.internal.template.Token.Kind.LBRACK;
import static dev.kiln.internal.template.Token.Kind.LPAREN;
import static dev.kiln.internal.template.Token.Kind.NEWLINE;
import static dev.kiln.internal.template.Token.Kind.QUESTION;
import static dev.kiln.internal.template.Token.Kind.QUOTE;
import static dev.kiln.internal.template.Token.Kind.RBRACE;
import static dev.kiln.internal.template.Token.Kind.RBRACK;
import static dev.kiln.internal.template.Token.Kind.RPAREN;
import static dev.kiln.internal.template.Token.Kind.STAR;
import static dev.kiln.internal.template.Token.Kind.TILDE;

import dev.kiln.internal.template.Token.Kind;
import dev.kiln.template.Expression;
import dev.kiln.template.Expression.Binary;
import dev.kiln.template.Expression.Conditional;
import dev.kiln.template.Expression.Directive;
import dev.kiln.template.Expression.For;
import dev.kiln.template.Expression.FunctionCall;
import dev.kiln.template.Expression.GetAttr;
import dev.kiln.template.Expression.Index;
import dev.kiln.template.Expression.Literal;
import dev.kiln.template.Expression.ObjectCons;
import dev.kiln.template.Expression.Splat;
import dev.kiln.template.Expression.StringTemplate;
import dev.kiln.template.Expression.Tuple;
import dev.kiln.template.Expression.Unary;
import dev.kiln.template.Expression.Variable;
import dev.kiln.template.TemplateAttribute;
import dev.kiln.template.TemplateBlock;
import dev.kiln.template.TemplateBody;
import dev.kiln.template.TemplatePosition;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A recursive-descent parser of HCL2 native syntax: bodies of attributes and blocks, and
 * expressions with HCL's operator precedence. Newlines end attributes in bodies and items in
 * objects, and are ignored inside parentheses, brackets and interpolations, as in HCL. Stops at the
 * first syntax error with a {@link SyntaxError}.
 */
final class HclParser {

    private static final int MAX_DEPTH = 128;

    private final Source src;
    private final HclLexer lexer;
    private final Deque<Boolean> newlinesCount = new ArrayDeque<>();
    private int depth;
    private int lastEnd;

    HclParser(Source src) {
        this.src = src;
        this.lexer = new HclLexer(src);
    }

    /** The file's top-level body. */
    TemplateBody parseFile() {
        return body(null, null);
    }

    // --- tokens

    private Token peek() {
        while (true) {
            Token t = lexer.peek();
            if (t.is(NEWLINE) && !newlinesCount.isEmpty() && !newlinesCount.peek()) {
                lexer.next();
                continue;
            }
            return t;
        }
    }

    private Token next() {
        Token t = peek();
        lexer.next();
        lastEnd = t.end();
        return t;
    }

    private TemplatePosition pos(Token t) {
        return src.position(t.start());
    }

    private void enter(int offset) {
        if (++depth > MAX_DEPTH) {
            throw new SyntaxError(Messages.tooDeep(src.position(offset), MAX_DEPTH));
        }
    }

    private void exit() {
        depth--;
    }

    // --- bodies

    private TemplateBody body(Token open, String owner) {
        enter(open == null ? 0 : open.start());
        newlinesCount.push(true);
        List<TemplateAttribute> attributes = new ArrayList<>();
        List<TemplateBlock> blocks = new ArrayList<>();
        Map<String, TemplateAttribute> seen = new HashMap<>();
        try {
            while (true) {
                Token t = peek();
                if (t.is(NEWLINE)) {
                    next();
                    continue;
                }
                if (t.is(EOF)) {
                    if (open != null) {
                        throw new SyntaxError(Messages.unterminatedBlock(pos(open), owner));
                    }
                    break;
                }
                if (t.is(RBRACE)) {
                    if (open == null) {
                        throw new SyntaxError(Messages.strayClosingBrace(pos(t)));
                    }
                    next();
                    break;
                }
                if (!t.is(IDENT)) {
                    throw new SyntaxError(Messages.expectedItem(pos(t), t.describe()));
                }
                next();
                Token after = peek();
                if (after.is(ASSIGN)) {
                    next();
                    int valueStart = peek().start();
                    Expression value = expression();
                    TemplateAttribute attribute = new TemplateAttribute(t.text(), value,
                            src.slice(valueStart, lastEnd), pos(t));
                    TemplateAttribute first = seen.putIfAbsent(t.text(), attribute);
                    if (first != null) {
                        throw new SyntaxError(Messages.duplicateAttribute(pos(t), t.text(), first.position()));
                    }
                    attributes.add(attribute);
                } else if (after.is(QUOTE) || after.is(IDENT) || after.is(LBRACE)) {
                    blocks.add(block(t));
                } else {
                    throw new SyntaxError(Messages.expectedAssignOrBlock(pos(after), t.text(), after.describe()));
                }
                Token end = peek();
                if (end.is(NEWLINE)) {
                    next();
                } else if (!end.is(EOF) && !end.is(RBRACE)) {
                    throw new SyntaxError(Messages.expectedNewline(pos(end), end.describe()));
                }
            }
        } finally {
            newlinesCount.pop();
            exit();
        }
        return new TemplateBody(attributes, blocks);
    }

    private TemplateBlock block(Token type) {
        List<String> labels = new ArrayList<>();
        while (!peek().is(LBRACE)) {
            Token label = next();
            if (label.is(QUOTE)) {
                Expression text = quoted(label);
                if (!(text instanceof Literal l)) {
                    throw new SyntaxError(Messages.labelWithInterpolation(pos(label)));
                }
                labels.add((String) l.value());
            } else if (label.is(IDENT)) {
                labels.add(label.text());
            } else {
                StringBuilder header = new StringBuilder(type.text());
                labels.forEach(l -> header.append(" \"").append(l).append('"'));
                throw new SyntaxError(Messages.expectedBlockOpen(pos(label), header.toString(), label.describe()));
            }
        }
        Token brace = next();
        StringBuilder owner = new StringBuilder(type.text());
        labels.forEach(l -> owner.append(" \"").append(l).append('"'));
        TemplateBody body = body(brace, owner.toString());
        return new TemplateBlock(type.text(), labels, body, pos(type));
    }

    // --- expressions

    Expression expression() {
        Token start = peek();
        enter(start.start());
        try {
            Expression condition = binary(1);
            if (!peek().is(QUESTION)) {
                return condition;
            }
            Token question = next();
            Expression whenTrue = expression();
            Token colon = peek();
            if (!colon.is(COLON)) {
                throw new SyntaxError(Messages.conditionalColon(pos(colon), colon.describe(), pos(question)));
            }
            next();
            Expression whenFalse = expression();
            return new Conditional(condition, whenTrue, whenFalse, condition.position());
        } finally {
            exit();
        }
    }

    /** HCL's binary operators, loosest first; 0 for a token that is none. */
    private static int precedence(Kind kind) {
        return switch (kind) {
            case OR -> 1;
            case AND -> 2;
            case EQ, NE -> 3;
            case LT, GT, LE, GE -> 4;
            case PLUS, MINUS -> 5;
            case STAR, SLASH, PERCENT -> 6;
            default -> 0;
        };
    }

    /**
     * Operators binding at least as tightly as {@code minPrecedence}, by precedence climbing: one frame
     * per nesting level, whatever the number of precedence levels. Each operator applied is one level
     * deeper in the tree, so chains count toward the depth limit as nesting does.
     */
    private Expression binary(int minPrecedence) {
        Expression left = unary();
        int links = 0;
        try {
            while (true) {
                Token op = peek();
                int precedence = precedence(op.kind());
                if (precedence == 0 || precedence < minPrecedence) {
                    return left;
                }
                next();
                enter(op.start());
                links++;
                Expression right = binary(precedence + 1);
                left = new Binary(op.text(), left, right, left.position());
            }
        } finally {
            depth -= links;
        }
    }

    private Expression unary() {
        Token t = peek();
        if (t.is(Kind.NOT) || t.is(Kind.MINUS)) {
            next();
            enter(t.start());
            try {
                return new Unary(t.text(), unary(), pos(t));
            } finally {
                exit();
            }
        }
        return postfix();
    }

    /** A primary and its steps ({@code .name}, {@code [key]}, splats); each step is one level deeper. */
    private Expression postfix() {
        Expression e = primary();
        int links = 0;
        try {
            while (true) {
                Token t = peek();
                if (!t.is(DOT) && !t.is(LBRACK)) {
                    return e;
                }
                enter(t.start());
                links++;
                e = t.is(DOT) ? attributeStep(e) : indexStep(e);
            }
        } finally {
            depth -= links;
        }
    }

    private Expression attributeStep(Expression e) {
        next();
        Token name = next();
        if (name.is(IDENT)) {
            return new GetAttr(e, name.text(), e.position());
        }
        if (name.is(Kind.NUMBER) && name.text().chars().allMatch(Character::isDigit)) {
            return new Index(e, new Literal(number(name), pos(name)), e.position());
        }
        if (name.is(STAR)) {
            return new Splat(e, e.position());
        }
        throw new SyntaxError(Messages.attributeName(pos(name), name.describe()));
    }

    private Expression indexStep(Expression e) {
        Token open = next();
        newlinesCount.push(false);
        try {
            if (peek().is(STAR)) {
                next();
                close(RBRACK, open, "index");
                return new Splat(e, e.position());
            }
            Expression key = expression();
            close(RBRACK, open, "index");
            return new Index(e, key, e.position());
        } finally {
            newlinesCount.pop();
        }
    }

    private BigDecimal number(Token t) {
        try {
            return new BigDecimal(t.text());
        } catch (NumberFormatException e) {
            throw new SyntaxError(Messages.numberOutOfRange(pos(t), t.text()));
        }
    }

    private void close(Kind closer, Token open, String what) {
        Token t = peek();
        if (!t.is(closer)) {
            throw new SyntaxError(Messages.unclosed(pos(t), t.describe(), what, open.text(), pos(open),
                    closer == RBRACK ? "]" : closer == RPAREN ? ")" : "}"));
        }
        next();
    }

    private Expression primary() {
        Token t = peek();
        switch (t.kind()) {
            case NUMBER:
                next();
                return new Literal(number(t), pos(t));
            case IDENT:
                next();
                switch (t.text()) {
                    case "true":
                        return new Literal(Boolean.TRUE, pos(t));
                    case "false":
                        return new Literal(Boolean.FALSE, pos(t));
                    case "null":
                        return new Literal(null, pos(t));
                    default:
                        break;
                }
                if (peek().is(LPAREN)) {
                    return call(t);
                }
                return new Variable(t.text(), pos(t));
            case QUOTE:
                next();
                return quoted(t);
            case HEREDOC:
                next();
                return heredoc(t);
            case LPAREN:
                next();
                newlinesCount.push(false);
                try {
                    Expression inner = expression();
                    close(RPAREN, t, "parenthesis");
                    return inner;
                } finally {
                    newlinesCount.pop();
                }
            case LBRACK:
                next();
                return tuple(t);
            case LBRACE:
                next();
                return object(t);
            default:
                throw new SyntaxError(Messages.expectedValue(pos(t), t.describe()));
        }
    }

    private Expression call(Token name) {
        Token open = next();
        newlinesCount.push(false);
        try {
            List<Expression> arguments = new ArrayList<>();
            boolean expand = false;
            while (!peek().is(RPAREN)) {
                if (expand || peek().is(EOF)) {
                    throw new SyntaxError(Messages.callSeparator(pos(peek()), peek().describe(), name.text(),
                            pos(open)));
                }
                arguments.add(expression());
                if (peek().is(ELLIPSIS)) {
                    next();
                    expand = true;
                }
                if (peek().is(COMMA)) {
                    next();
                } else if (!peek().is(RPAREN)) {
                    throw new SyntaxError(Messages.callSeparator(pos(peek()), peek().describe(), name.text(),
                            pos(open)));
                }
            }
            next();
            return new FunctionCall(name.text(), arguments, expand, pos(name));
        } finally {
            newlinesCount.pop();
        }
    }

    private Expression tuple(Token open) {
        newlinesCount.push(false);
        try {
            if (peek().isKeyword("for")) {
                next();
                return forExpression(open, false);
            }
            List<Expression> elements = new ArrayList<>();
            while (!peek().is(RBRACK)) {
                if (peek().is(EOF)) {
                    throw new SyntaxError(Messages.listSeparator(pos(peek()), peek().describe(), pos(open)));
                }
                elements.add(expression());
                if (peek().is(COMMA)) {
                    next();
                } else if (!peek().is(RBRACK)) {
                    throw new SyntaxError(Messages.listSeparator(pos(peek()), peek().describe(), pos(open)));
                }
            }
            next();
            return new Tuple(elements, pos(open));
        } finally {
            newlinesCount.pop();
        }
    }

    private Expression object(Token open) {
        newlinesCount.push(true);
        try {
            List<ObjectCons.Item> items = new ArrayList<>();
            while (true) {
                Token t = peek();
                if (t.is(NEWLINE)) {
                    next();
                    continue;
                }
                if (t.is(RBRACE)) {
                    next();
                    break;
                }
                if (t.is(EOF)) {
                    throw new SyntaxError(Messages.objectSeparator(pos(t), t.describe(), pos(open)));
                }
                Expression key;
                if (t.is(IDENT)) {
                    next();
                    Token after = peek();
                    if (t.text().equals("for") && after.is(IDENT) && items.isEmpty()) {
                        return forExpression(open, true);
                    }
                    if (!after.is(ASSIGN) && !after.is(COLON)) {
                        throw new SyntaxError(Messages.objectKey(pos(after), t.text(), after.describe()));
                    }
                    key = new Literal(t.text(), pos(t));
                } else {
                    key = expression();
                    Token after = peek();
                    if (!after.is(ASSIGN) && !after.is(COLON)) {
                        throw new SyntaxError(Messages.objectKey(pos(after), src.slice(t.start(), lastEnd),
                                after.describe()));
                    }
                }
                next();
                Expression value = expression();
                items.add(new ObjectCons.Item(key, value));
                Token end = peek();
                if (end.is(COMMA) || end.is(NEWLINE)) {
                    next();
                } else if (!end.is(RBRACE)) {
                    throw new SyntaxError(Messages.objectSeparator(pos(end), end.describe(), pos(open)));
                }
            }
            return new ObjectCons(items, pos(open));
        } finally {
            newlinesCount.pop();
        }
    }

    /** The rest of a for expression whose {@code for} was just read. */
    private Expression forExpression(Token open, boolean object) {
        newlinesCount.push(false);
        try {
            String first = forName(next());
            String keyVariable = null;
            String valueVariable = first;
            if (peek().is(COMMA)) {
                next();
                keyVariable = first;
                valueVariable = forName(next());
            }
            Token in = next();
            if (!in.isKeyword("in")) {
                throw new SyntaxError(Messages.forSyntax(pos(in), in.describe(), "'in'"));
            }
            Expression collection = expression();
            Token colon = next();
            if (!colon.is(COLON)) {
                throw new SyntaxError(Messages.forSyntax(pos(colon), colon.describe(), "':'"));
            }
            Expression key = null;
            if (object) {
                key = expression();
                Token arrow = next();
                if (!arrow.is(ARROW)) {
                    throw new SyntaxError(Messages.forSyntax(pos(arrow), arrow.describe(), "'=>'"));
                }
            }
            Expression value = expression();
            boolean grouping = false;
            if (object && peek().is(ELLIPSIS)) {
                next();
                grouping = true;
            }
            Expression condition = null;
            if (peek().isKeyword("if")) {
                next();
                condition = expression();
            }
            close(object ? RBRACE : RBRACK, open, "for expression");
            return new For(keyVariable, valueVariable, collection, key, value, condition, grouping, pos(open));
        } finally {
            newlinesCount.pop();
        }
    }

    private String forName(Token t) {
        if (!t.is(IDENT)) {
            throw new SyntaxError(Messages.forSyntax(pos(t), t.describe(), "a variable name"));
        }
        return t.text();
    }

    // --- string templates

    /** Collects a template's parts: literal text runs, interpolations and directives. */
    private final class Parts {
        private final List<Expression> parts = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private int textStart;
        private boolean stripNext;

        void text(int offset, String s) {
            if (stripNext) {
                if (s.isBlank()) {
                    return;
                }
                stripNext = false;
            }
            if (text.length() == 0) {
                textStart = offset;
            }
            text.append(s);
        }

        void stripTrailingSpace() {
            int n = text.length();
            while (n > 0 && Character.isWhitespace(text.charAt(n - 1))) {
                n--;
            }
            text.setLength(n);
        }

        void add(Expression e) {
            flush();
            parts.add(e);
        }

        private void flush() {
            if (text.length() > 0) {
                parts.add(new Literal(text.toString(), src.position(textStart)));
                text.setLength(0);
            }
        }

        Expression build(TemplatePosition at) {
            flush();
            if (parts.isEmpty()) {
                return new Literal("", at);
            }
            if (parts.size() == 1 && parts.get(0) instanceof Literal l) {
                return new Literal(l.value(), at);
            }
            return new StringTemplate(parts, at);
        }
    }

    private boolean escapedMarker(int p) {
        int c = src.at(p);
        return (c == '$' || c == '%') && src.at(p + 1) == c && src.at(p + 2) == '{';
    }

    private boolean marker(int p) {
        int c = src.at(p);
        return (c == '$' || c == '%') && src.at(p + 1) == '{';
    }

    /** A quoted string whose opening quote is {@code quote}. */
    private Expression quoted(Token quote) {
        Parts parts = new Parts();
        int p = quote.end();
        while (true) {
            int c = src.at(p);
            if (c == Source.END || c == '\n') {
                throw new SyntaxError(Messages.unterminatedString(pos(quote)));
            }
            if (c == '"') {
                p++;
                break;
            }
            if (c == '\\') {
                p = escape(p, parts);
            } else if (escapedMarker(p)) {
                parts.text(p, (char) c + "{");
                p += 3;
            } else if (marker(p)) {
                p = c == '$' ? interpolation(p, parts) : directive(p, parts, true);
            } else {
                parts.text(p, String.valueOf((char) c));
                p++;
            }
        }
        lexer.resetTo(p);
        lastEnd = p;
        return parts.build(pos(quote));
    }

    private int escape(int p, Parts parts) {
        int c = src.at(p + 1);
        switch (c) {
            case 'n':
                parts.text(p, "\n");
                return p + 2;
            case 'r':
                parts.text(p, "\r");
                return p + 2;
            case 't':
                parts.text(p, "\t");
                return p + 2;
            case '"':
                parts.text(p, "\"");
                return p + 2;
            case '\\':
                parts.text(p, "\\");
                return p + 2;
            case 'u':
            case 'U':
                int digits = c == 'u' ? 4 : 8;
                String hex = src.slice(p + 2, p + 2 + digits);
                if (hex.length() == digits && hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                    long code = Long.parseLong(hex, 16);
                    if (Character.isValidCodePoint((int) code) && code <= Character.MAX_CODE_POINT) {
                        parts.text(p, new String(Character.toChars((int) code)));
                        return p + 2 + digits;
                    }
                }
                throw new SyntaxError(Messages.badEscape(src.position(p), src.slice(p, Math.min(p + 2 + digits,
                        lineEnd(p)))));
            default:
                throw new SyntaxError(Messages.badEscape(src.position(p), src.slice(p, Math.min(p + 2, lineEnd(p)))));
        }
    }

    private int lineEnd(int p) {
        int end = src.text.indexOf('\n', p);
        return end < 0 ? src.length() : end;
    }

    private int interpolation(int p, Parts parts) {
        int exprStart = p + 2;
        if (src.at(exprStart) == '~') {
            parts.stripTrailingSpace();
            exprStart++;
        }
        parts.flush();
        lexer.resetTo(exprStart);
        newlinesCount.push(false);
        try {
            Expression e = expression();
            Token end = next();
            boolean strip = false;
            if (end.is(TILDE)) {
                strip = true;
                end = next();
            }
            if (!end.is(RBRACE)) {
                throw new SyntaxError(Messages.unclosedInterpolation(pos(end), end.describe(), src.position(p)));
            }
            parts.add(e);
            parts.stripNext = strip;
            return end.end();
        } finally {
            newlinesCount.pop();
        }
    }

    /** A {@code %{ ... }} directive, kept as written. */
    private int directive(int p, Parts parts, boolean singleLine) {
        if (src.at(p + 2) == '~') {
            parts.stripTrailingSpace();
        }
        int q = p + 2;
        boolean inString = false;
        while (true) {
            int c = src.at(q);
            if (c == Source.END || (singleLine && c == '\n')) {
                throw new SyntaxError(Messages.unterminatedDirective(src.position(p)));
            }
            if (inString) {
                if (c == '\\') {
                    q++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '}') {
                break;
            }
            q++;
        }
        String text = src.slice(p, q + 1);
        parts.add(new Directive(text, src.position(p)));
        parts.stripNext = text.endsWith("~}");
        return q + 1;
    }

    private Expression heredoc(Token t) {
        boolean indented = t.text().startsWith("-");
        String marker = indented ? t.text().substring(1) : t.text();
        int bodyStart = t.end();
        int closeStart = -1;
        int closeEnd = -1;
        int lineStart = bodyStart;
        while (lineStart <= src.length()) {
            int lineEnd = lineEnd(lineStart);
            if (src.slice(lineStart, lineEnd).strip().equals(marker)) {
                closeStart = lineStart;
                closeEnd = lineEnd;
                break;
            }
            lineStart = lineEnd + 1;
        }
        if (closeStart < 0) {
            throw new SyntaxError(Messages.unterminatedHeredoc(pos(t), marker));
        }
        int strip = indented ? smallestIndent(bodyStart, closeStart) : 0;
        Parts parts = new Parts();
        int p = bodyStart;
        boolean lineStarts = true;
        while (p < closeStart) {
            if (lineStarts) {
                for (int k = 0; k < strip && p < closeStart && (src.at(p) == ' ' || src.at(p) == '\t'); k++) {
                    p++;
                }
                lineStarts = false;
                continue;
            }
            int c = src.at(p);
            if (escapedMarker(p)) {
                parts.text(p, (char) c + "{");
                p += 3;
            } else if (marker(p)) {
                p = c == '$' ? interpolation(p, parts) : directive(p, parts, false);
            } else {
                parts.text(p, String.valueOf((char) c));
                p++;
                lineStarts = c == '\n';
            }
        }
        lexer.resetTo(closeEnd);
        lastEnd = closeEnd;
        return parts.build(pos(t));
    }

    private int smallestIndent(int from, int to) {
        int smallest = Integer.MAX_VALUE;
        int p = from;
        while (p < to) {
            int end = Math.min(lineEnd(p), to);
            String line = src.slice(p, end);
            if (!line.isBlank()) {
                int n = 0;
                while (n < line.length() && (line.charAt(n) == ' ' || line.charAt(n) == '\t')) {
                    n++;
                }
                smallest = Math.min(smallest, n);
            }
            p = end + 1;
        }
        return smallest == Integer.MAX_VALUE ? 0 : smallest;
    }
}
