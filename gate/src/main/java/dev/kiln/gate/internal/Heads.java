package dev.kiln.gate.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads request and response heads: a start line and header fields, bounded in size. */
final class Heads {

    static final int MAX_LINE = 16 * 1024;
    static final int MAX_HEAD = 64 * 1024;
    static final int MAX_FIELDS = 200;

    /** A request line and its fields. */
    record Request(String method, String target, String version, Fields fields) {
        boolean keepAlive() {
            return version.equals("HTTP/1.1") ? !fields.hasToken("Connection", "close")
                    : fields.hasToken("Connection", "keep-alive") || fields.hasToken("Proxy-Connection", "keep-alive");
        }
    }

    /** A status line and its fields. */
    record Response(String version, int status, String reason, Fields fields) {
    }

    private Heads() {
    }

    /** The next request on {@code in}, or null when the peer closed before sending a byte of one. */
    static Request readRequest(InputStream in) throws IOException {
        String line = readLine(in, true);
        if (line == null) {
            return null;
        }
        while (line.isEmpty()) {
            // RFC 9112 2.2: a server ignores empty lines before a request line.
            line = readLine(in, true);
            if (line == null) {
                return null;
            }
        }
        int sp1 = line.indexOf(' ');
        int sp2 = line.lastIndexOf(' ');
        if (sp1 <= 0 || sp2 == sp1) {
            throw new HttpFormatException("malformed request line");
        }
        String version = line.substring(sp2 + 1);
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new HttpFormatException("unsupported protocol version " + printable(version));
        }
        String method = line.substring(0, sp1);
        if (!method.chars().allMatch(c -> c > ' ' && c < 127 && c != '(' && c != ')')) {
            throw new HttpFormatException("malformed method");
        }
        return new Request(method, line.substring(sp1 + 1, sp2), version, readFields(in, line.length()));
    }

    /** The next response on {@code in}; EOF before its first byte is an {@link EOFException}. */
    static Response readResponse(InputStream in) throws IOException {
        String line = readLine(in, true);
        if (line == null) {
            throw new EOFException("the upstream closed the connection without answering");
        }
        if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
            throw new HttpFormatException("the upstream's answer is not HTTP/1.x: " + printable(line));
        }
        int status;
        try {
            status = Integer.parseInt(line.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new HttpFormatException("malformed status line: " + printable(line));
        }
        String reason = line.length() > 13 ? line.substring(13) : "";
        return new Response(line.substring(0, 8), status, reason, readFields(in, line.length()));
    }

    private static Fields readFields(InputStream in, int used) throws IOException {
        Fields fields = new Fields();
        int total = used;
        int count = 0;
        while (true) {
            String line = readLine(in, false);
            if (line.isEmpty()) {
                return fields;
            }
            total += line.length();
            if (total > MAX_HEAD || ++count > MAX_FIELDS) {
                throw new HttpFormatException("header section larger than " + MAX_HEAD + " bytes or "
                        + MAX_FIELDS + " fields");
            }
            char first = line.charAt(0);
            if (first == ' ' || first == '\t') {
                throw new HttpFormatException("obsolete line folding in a header field");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || line.substring(0, colon).chars().anyMatch(c -> c <= ' ' || c >= 127)) {
                throw new HttpFormatException("malformed header field");
            }
            fields.add(line.substring(0, colon), line.substring(colon + 1).strip());
        }
    }

    /**
     * One line without its CRLF (a bare LF is accepted). Null at EOF before the first byte when
     * {@code eofAllowed}; an {@link EOFException} otherwise.
     */
    static String readLine(InputStream in, boolean eofAllowed) throws IOException {
        byte[] buf = new byte[128];
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (n == 0 && eofAllowed) {
                    return null;
                }
                throw new EOFException("connection closed in the middle of a header line");
            }
            if (b == '\n') {
                if (n > 0 && buf[n - 1] == '\r') {
                    n--;
                }
                return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (n == buf.length) {
                if (n >= MAX_LINE) {
                    throw new HttpFormatException("header line longer than " + MAX_LINE + " bytes");
                }
                buf = java.util.Arrays.copyOf(buf, n * 2);
            }
            buf[n++] = (byte) b;
        }
    }

    /** {@code s} cut to 60 characters with anything unprintable replaced, for error messages. */
    static String printable(String s) {
        String cut = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
