package dev.kiln.gate.internal;

import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The body framings of HTTP/1.1: how a body is delimited on the wire, read and written. */
final class Bodies {

    /** How a message's body is delimited. */
    enum Framing {
        NONE, FIXED, CHUNKED, UNTIL_CLOSE
    }

    private Bodies() {
    }

    /** The framing of a request's body (RFC 9112 6.3); a request is never delimited by close. */
    static Framing requestFraming(Fields fields) throws HttpFormatException {
        String te = fields.first("Transfer-Encoding");
        if (te != null) {
            if (!lastCodingIsChunked(fields)) {
                throw new HttpFormatException("a request with Transfer-Encoding must end with chunked");
            }
            return Framing.CHUNKED;
        }
        return contentLength(fields) < 0 ? Framing.NONE : Framing.FIXED;
    }

    /** The framing of a response's body to a request of {@code method}. */
    static Framing responseFraming(String method, int status, Fields fields) throws HttpFormatException {
        if (method.equals("HEAD") || status < 200 || status == 204 || status == 304) {
            return Framing.NONE;
        }
        if (fields.first("Transfer-Encoding") != null) {
            return lastCodingIsChunked(fields) ? Framing.CHUNKED : Framing.UNTIL_CLOSE;
        }
        return contentLength(fields) < 0 ? Framing.UNTIL_CLOSE : Framing.FIXED;
    }

    private static boolean lastCodingIsChunked(Fields fields) {
        String last = null;
        // Only the final coding matters; several fields or a list are one list.
        for (String part : String.join(",", fields.all("Transfer-Encoding")).split(",")) {
            if (!part.isBlank()) {
                last = part.trim();
            }
        }
        return "chunked".equalsIgnoreCase(last);
    }

    /** The Content-Length, or -1 when there is none. Differing or malformed values are refused. */
    static long contentLength(Fields fields) throws HttpFormatException {
        if (fields.first("Content-Length") == null) {
            return -1;
        }
        long length = -1;
        for (String value : fields.all("Content-Length")) {
            for (String part : value.split(",")) {
                String p = part.trim();
                if (p.isEmpty() || p.length() > 18 || !p.chars().allMatch(Character::isDigit)) {
                    throw new HttpFormatException("malformed Content-Length");
                }
                long parsed = Long.parseLong(p);
                if (length >= 0 && parsed != length) {
                    throw new HttpFormatException("conflicting Content-Length values");
                }
                length = parsed;
            }
        }
        return length;
    }

    /** The decoded body of a message on {@code in} with {@code framing}; never closes {@code in}. */
    static InputStream reader(InputStream in, Framing framing, long length) {
        return switch (framing) {
            case NONE -> InputStream.nullInputStream();
            case FIXED -> new FixedLengthInput(in, length);
            case CHUNKED -> new ChunkedInput(in);
            case UNTIL_CLOSE -> new UncloseableInput(in);
        };
    }

    /** Exactly {@code length} bytes; an early end is an error. */
    static final class FixedLengthInput extends InputStream {
        private final InputStream in;
        private long remaining;

        FixedLengthInput(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("the body ended " + remaining + " bytes short of its Content-Length");
            }
            remaining -= n;
            return n;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), remaining);
        }

        @Override
        public void close() {
        }
    }

    /** A chunked body, decoded; trailers are read and dropped. */
    static final class ChunkedInput extends InputStream {
        private final InputStream in;
        private long chunkLeft;
        private boolean done;

        ChunkedInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            if (chunkLeft == 0) {
                chunkLeft = nextChunkSize();
                if (chunkLeft == 0) {
                    while (!Heads.readLine(in, false).isEmpty()) {
                        // trailer fields: dropped, the gate does not forward trailers
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, chunkLeft));
            if (n < 0) {
                throw new EOFException("connection closed in the middle of a chunk");
            }
            chunkLeft -= n;
            if (chunkLeft == 0 && !Heads.readLine(in, false).isEmpty()) {
                throw new HttpFormatException("chunk not followed by CRLF");
            }
            return n;
        }

        private long nextChunkSize() throws IOException {
            String line = Heads.readLine(in, false);
            int semi = line.indexOf(';');
            String hex = (semi < 0 ? line : line.substring(0, semi)).trim();
            if (hex.isEmpty() || hex.length() > 15) {
                throw new HttpFormatException("malformed chunk size");
            }
            try {
                return Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new HttpFormatException("malformed chunk size");
            }
        }

        @Override
        public int available() throws IOException {
            return done ? 0 : (int) Math.min(in.available(), chunkLeft);
        }

        @Override
        public void close() {
        }
    }

    /** The rest of a connection. */
    static final class UncloseableInput extends InputStream {
        private final InputStream in;

        UncloseableInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() {
        }
    }

    /** Writes each {@code write} as one chunk; {@link #finish()} writes the last chunk. Never closes {@code out}. */
    static final class ChunkedOutput extends FilterOutputStream {

        ChunkedOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            out.write(Integer.toHexString(len).getBytes(StandardCharsets.ISO_8859_1));
            out.write('\r');
            out.write('\n');
            out.write(b, off, len);
            out.write('\r');
            out.write('\n');
        }

        void finish() throws IOException {
            out.write('0');
            out.write('\r');
            out.write('\n');
            out.write('\r');
            out.write('\n');
        }

        @Override
        public void close() {
        }
    }
}
