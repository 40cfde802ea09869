package dev.kiln.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One TLS connection through the gate carrying request after request, written byte by byte as
 * Go writes them: the gate keeps packer's connection open across every framing.
 */
class GateConnectionTest {

    @TempDir
    Path dir;

    @Test
    void one_connection_carries_requests_of_every_framing_in_turn() throws Exception {
        try (Fixtures.Upstream upstream = new Fixtures.Upstream();
             Gate gate = Gate.builder().intercept(Interception.hosts("management.azure.com"))
                     .router(Router.all(upstream.uri())).bundleDirectory(dir).start()) {
            GateClient build = gate.newClient("build-1");
            try (SSLSocket tls = open(gate, build)) {
                OutputStream out = tls.getOutputStream();
                InputStream in = tls.getInputStream();

                write(out, "GET /one HTTP/1.1\r\nHost: management.azure.com\r\nAuthorization: Bearer abc\r\n\r\n");
                String one = read(in, false);
                write(out, "POST /two HTTP/1.1\r\nHost: management.azure.com\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
                String two = read(in, false);
                write(out, "PUT /three HTTP/1.1\r\nHost: management.azure.com\r\nContent-Length: 4\r\n"
                        + "Expect: 100-continue\r\n\r\n");
                String interim = readHead(in);
                write(out, "body");
                String three = read(in, false);
                write(out, "HEAD /four HTTP/1.1\r\nHost: management.azure.com\r\n\r\n");
                String four = read(in, true);
                write(out, "GET /chunked/five HTTP/1.1\r\nHost: management.azure.com\r\n\r\n");
                String five = read(in, false);

                assertThat(one).isEqualTo("GET management.azure.com /one ");
                assertThat(two).isEqualTo("POST management.azure.com /two hello world");
                assertThat(interim).startsWith("HTTP/1.1 100 Continue");
                assertThat(three).isEqualTo("PUT management.azure.com /three body");
                assertThat(four).isEmpty();
                assertThat(five).isEqualTo("GET management.azure.com /chunked/five ");
            }
            assertThat(upstream.seen.get(0).headers()).contains("Authorization=[Bearer abc]");
        }
    }

    private static SSLSocket open(Gate gate, GateClient client) throws Exception {
        Socket socket = new Socket(gate.address().getAddress(), gate.address().getPort());
        write(socket.getOutputStream(), "CONNECT management.azure.com:443 HTTP/1.1\r\nHost: management.azure.com:443\r\n"
                + "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString((client.token() + ":")
                .getBytes(StandardCharsets.ISO_8859_1)) + "\r\n\r\n");
        assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 200 ");
        SSLSocket tls = (SSLSocket) Fixtures.trusting(gate.caCertificate()).getSocketFactory()
                .createSocket(socket, "management.azure.com", 443, true);
        tls.startHandshake();
        return tls;
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        return GateAuthenticationTest.readHead(in);
    }

    /** One response's body, by its Content-Length or chunks; none for a HEAD. */
    private static String read(InputStream in, boolean head) throws IOException {
        String response = readHead(in);
        assertThat(response).startsWith("HTTP/1.1 200 ");
        if (head) {
            return "";
        }
        List<String> lines = response.lines().map(l -> l.toLowerCase(Locale.ROOT)).toList();
        if (lines.contains("transfer-encoding: chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line(in), 16);
                if (size == 0) {
                    line(in);
                    return body.toString(StandardCharsets.UTF_8);
                }
                body.write(in.readNBytes(size));
                line(in);
            }
        }
        int length = lines.stream().filter(l -> l.startsWith("content-length: ")).findFirst()
                .map(l -> Integer.parseInt(l.substring(16).trim())).orElseThrow();
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
