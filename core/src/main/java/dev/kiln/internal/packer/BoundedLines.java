package dev.kiln.internal.packer;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines as {@link java.io.BufferedReader#readLine()} does (ended by LF, CR or CRLF), but
 * never holds more than {@link #MAX_LINE} characters of one: a longer line is dropped whole and
 * read as a note saying so. Packer's output is not trusted to be sane: one endless line must
 * not exhaust memory, nor keep the redactor busy for hours; and a line is dropped rather than cut,
 * so no part of a secret it held is ever written anywhere.
 */
final class BoundedLines {

    static final int MAX_LINE = 65_536;

    private final Reader in;
    private final char[] buffer = new char[8192];
    private int pos;
    private int end;
    private boolean skipLf;

    BoundedLines(Reader in) {
        this.in = in;
    }

    /** The next line without its terminator, or null at the end of the stream. */
    String readLine() throws IOException {
        StringBuilder line = null;
        long length = 0;
        while (true) {
            if (pos == end) {
                end = in.read(buffer, 0, buffer.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    return line == null ? null : finish(line, length);
                }
            }
            if (line == null) {
                line = new StringBuilder();
            }
            char c = buffer[pos++];
            if (skipLf) {
                skipLf = false;
                if (c == '\n') {
                    continue;
                }
            }
            if (c == '\n' || c == '\r') {
                skipLf = c == '\r';
                return finish(line, length);
            }
            if (length < MAX_LINE) {
                line.append(c);
            }
            length++;
        }
    }

    private static String finish(StringBuilder line, long length) {
        if (length > MAX_LINE) {
            return "kiln: dropped a line of " + length + " characters from packer's output (lines are kept up to "
                    + MAX_LINE + " characters)";
        }
        return line.toString();
    }
}
