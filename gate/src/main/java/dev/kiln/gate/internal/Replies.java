package dev.kiln.gate.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Answers the gate writes itself. The reason phrase carries the message: Go shows only it for a failed CONNECT. */
final class Replies {

    static final byte[] CONNECTION_ESTABLISHED =
            "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private Replies() {
    }

    /**
     * Writes a complete answer with {@code message} as reason phrase and body.
     *
     * @param code a short token for the {@code X-Kiln-Gate} field, saying what happened
     */
    static void write(OutputStream out, int status, String code, String message, boolean keepAlive)
            throws IOException {
        String line = message.replaceAll("[^\\x20-\\x7e]", "?");
        byte[] body = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
        StringBuilder head = new StringBuilder(256 + line.length())
                .append("HTTP/1.1 ").append(status).append(' ').append(line).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("X-Kiln-Gate: ").append(code).append("\r\n");
        if (status == 407) {
            head.append("Proxy-Authenticate: Basic realm=\"kiln-gate\"\r\n");
        }
        if (!keepAlive) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }
}
