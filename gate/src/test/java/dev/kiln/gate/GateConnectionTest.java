package dev.kiln.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
            try (Fixtures.PackerConnection packer = Fixtures.PackerConnection.open(gate, build,
                    "management.azure.com")) {

                packer.write("GET /one HTTP/1.1\r\nHost: management.azure.com\r\nAuthorization: Bearer abc\r\n\r\n");
                Fixtures.PackerConnection.Answer one = packer.read(false);
                packer.write("POST /two HTTP/1.1\r\nHost: management.azure.com\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
                Fixtures.PackerConnection.Answer two = packer.read(false);
                packer.write("PUT /three HTTP/1.1\r\nHost: management.azure.com\r\nContent-Length: 4\r\n"
                        + "Expect: 100-continue\r\n\r\n");
                String interim = packer.readHead();
                packer.write("body");
                Fixtures.PackerConnection.Answer three = packer.read(false);
                packer.write("HEAD /four HTTP/1.1\r\nHost: management.azure.com\r\n\r\n");
                Fixtures.PackerConnection.Answer four = packer.read(true);
                packer.write("GET /chunked/five HTTP/1.1\r\nHost: management.azure.com\r\n\r\n");
                Fixtures.PackerConnection.Answer five = packer.read(false);

                assertThat(java.util.List.of(one, two, three, four, five))
                        .extracting(Fixtures.PackerConnection.Answer::status).containsOnly(200);
                assertThat(one.body()).isEqualTo("GET management.azure.com /one ");
                assertThat(two.body()).isEqualTo("POST management.azure.com /two hello world");
                assertThat(interim).startsWith("HTTP/1.1 100 Continue");
                assertThat(three.body()).isEqualTo("PUT management.azure.com /three body");
                assertThat(four.body()).isEmpty();
                assertThat(five.body()).isEqualTo("GET management.azure.com /chunked/five ");
            }
            assertThat(upstream.seen.get(0).headers()).contains("Authorization=[Bearer abc]");
        }
    }
}
