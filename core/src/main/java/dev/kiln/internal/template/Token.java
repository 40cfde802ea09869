package dev.kiln.internal.template;

/** One HCL2 token: its kind, where it starts and ends in the source, and its text. */
record Token(Kind kind, int start, int end, String text) {

    enum Kind {
        IDENT, NUMBER, QUOTE, HEREDOC, LBRACE, RBRACE, LBRACK, RBRACK, LPAREN, RPAREN, ASSIGN, EQ, NE, LT, GT,
        LE, GE, PLUS, MINUS, STAR, SLASH, PERCENT, AND, OR, NOT, QUESTION, COLON, DOT, COMMA, ELLIPSIS, ARROW,
        TILDE, NEWLINE, EOF
    }

    boolean is(Kind k) {
        return kind == k;
    }

    boolean isKeyword(String word) {
        return kind == Kind.IDENT && text.equals(word);
    }

    /** How a message names this token: {@code '='}, {@code identifier 'foo'}, {@code end of file}. */
    String describe() {
        return switch (kind) {
            case IDENT -> "'" + text + "'";
            case NUMBER -> "number " + text;
            case QUOTE -> "a string";
            case HEREDOC -> "a heredoc";
            case NEWLINE -> "the end of the line";
            case EOF -> "the end of the file";
            default -> "'" + text + "'";
        };
    }
}
