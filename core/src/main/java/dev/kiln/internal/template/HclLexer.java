package dev.kiln.internal.template;

import dev.kiln.internal.template.Token.Kind;

/**
 * Cuts HCL2 native syntax into tokens on demand. Strings and heredocs are not tokens: the lexer
 * stops at their opening {@code "} or {@code <<MARKER} line and the parser reads their contents
 * itself ({@link #resetTo(int)} hands the position back), so {@code ${ ... }} can nest expressions
 * holding strings holding {@code ${ ... }}.
 */
final class HclLexer {

    private final Source src;
    private int pos;
    private Token peeked;

    HclLexer(Source src) {
        this.src = src;
    }

    Token peek() {
        if (peeked == null) {
            peeked = scan();
        }
        return peeked;
    }

    Token next() {
        Token t = peek();
        peeked = null;
        return t;
    }

    void resetTo(int offset) {
        peeked = null;
        pos = offset;
    }

    private Token scan() {
        skipSpaceAndComments();
        int start = pos;
        int c = src.at(pos);
        if (c == Source.END) {
            return new Token(Kind.EOF, start, start, "");
        }
        if (c == '\n') {
            pos++;
            return new Token(Kind.NEWLINE, start, pos, "\n");
        }
        if (Character.isLetter(c) || c == '_') {
            pos++;
            while (true) {
                int d = src.at(pos);
                if (d != Source.END && (Character.isLetterOrDigit(d) || d == '_' || d == '-')) {
                    pos++;
                } else {
                    break;
                }
            }
            return token(Kind.IDENT, start);
        }
        if (c >= '0' && c <= '9') {
            return number(start);
        }
        pos++;
        int d = src.at(pos);
        switch (c) {
            case '"':
                return token(Kind.QUOTE, start);
            case '{':
                return token(Kind.LBRACE, start);
            case '}':
                return token(Kind.RBRACE, start);
            case '[':
                return token(Kind.LBRACK, start);
            case ']':
                return token(Kind.RBRACK, start);
            case '(':
                return token(Kind.LPAREN, start);
            case ')':
                return token(Kind.RPAREN, start);
            case '+':
                return token(Kind.PLUS, start);
            case '-':
                return token(Kind.MINUS, start);
            case '*':
                return token(Kind.STAR, start);
            case '/':
                return token(Kind.SLASH, start);
            case '%':
                return token(Kind.PERCENT, start);
            case '?':
                return token(Kind.QUESTION, start);
            case ':':
                return token(Kind.COLON, start);
            case ',':
                return token(Kind.COMMA, start);
            case '~':
                return token(Kind.TILDE, start);
            case '.':
                if (d == '.' && src.at(pos + 1) == '.') {
                    pos += 2;
                    return token(Kind.ELLIPSIS, start);
                }
                return token(Kind.DOT, start);
            case '=':
                if (d == '=') {
                    pos++;
                    return token(Kind.EQ, start);
                }
                if (d == '>') {
                    pos++;
                    return token(Kind.ARROW, start);
                }
                return token(Kind.ASSIGN, start);
            case '!':
                if (d == '=') {
                    pos++;
                    return token(Kind.NE, start);
                }
                return token(Kind.NOT, start);
            case '>':
                if (d == '=') {
                    pos++;
                    return token(Kind.GE, start);
                }
                return token(Kind.GT, start);
            case '<':
                if (d == '<') {
                    return heredoc(start);
                }
                if (d == '=') {
                    pos++;
                    return token(Kind.LE, start);
                }
                return token(Kind.LT, start);
            case '&':
                if (d == '&') {
                    pos++;
                    return token(Kind.AND, start);
                }
                break;
            case '|':
                if (d == '|') {
                    pos++;
                    return token(Kind.OR, start);
                }
                break;
            default:
                break;
        }
        throw new SyntaxError(Messages.unexpectedCharacter(src.position(start), src.text.codePointAt(start)));
    }

    private Token token(Kind kind, int start) {
        return new Token(kind, start, pos, src.slice(start, pos));
    }

    private Token number(int start) {
        digits();
        if (src.at(pos) == '.' && isDigit(src.at(pos + 1))) {
            pos++;
            digits();
        }
        int e = src.at(pos);
        if (e == 'e' || e == 'E') {
            int sign = src.at(pos + 1);
            int first = sign == '+' || sign == '-' ? pos + 2 : pos + 1;
            if (isDigit(src.at(first))) {
                pos = first;
                digits();
            }
        }
        return token(Kind.NUMBER, start);
    }

    private void digits() {
        while (isDigit(src.at(pos))) {
            pos++;
        }
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    /** {@code <<MARKER} or {@code <<-MARKER} and the end of its line; the token's text is the marker. */
    private Token heredoc(int start) {
        pos++;
        boolean indent = src.at(pos) == '-';
        if (indent) {
            pos++;
        }
        int markerStart = pos;
        while (src.at(pos) != Source.END && (Character.isLetterOrDigit(src.at(pos)) || src.at(pos) == '_'
                || src.at(pos) == '-')) {
            pos++;
        }
        String marker = src.slice(markerStart, pos);
        if (src.at(pos) == '\r') {
            pos++;
        }
        if (marker.isEmpty() || !(Character.isLetter(marker.charAt(0)) || marker.charAt(0) == '_')
                || src.at(pos) != '\n') {
            throw new SyntaxError(Messages.badHeredocStart(src.position(start)));
        }
        pos++;
        return new Token(Kind.HEREDOC, start, pos, (indent ? "-" : "") + marker);
    }

    private void skipSpaceAndComments() {
        while (true) {
            int c = src.at(pos);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\uFEFF') {
                pos++;
            } else if (c == '#' || (c == '/' && src.at(pos + 1) == '/')) {
                while (src.at(pos) != Source.END && src.at(pos) != '\n') {
                    pos++;
                }
            } else if (c == '/' && src.at(pos + 1) == '*') {
                int end = src.text.indexOf("*/", pos + 2);
                if (end < 0) {
                    throw new SyntaxError(Messages.unterminatedComment(src.position(pos)));
                }
                pos = end + 2;
            } else {
                return;
            }
        }
    }
}
