package dev.kiln.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only the processes Kiln gave a token get through; the rest get 407. */
class GateAuthenticationTest {

    @TempDir
    Path dir;

    private Gate gate;
    private final List<GateEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        gate = Gate.builder().intercept(Interception.hosts("management.azure.com")).listener(events::add)
                .bundleDirectory(dir).start();
    }

    @AfterEach
    void stop() {
        gate.close();
    }

    @Test
    void a_connect_without_a_token_gets_407_with_a_basic_challenge() throws IOException {
        String answer = connect(null);

        assertThat(answer).startsWith("HTTP/1.1 407 kiln gate: proxy authentication required")
                .contains("Proxy-Authenticate: Basic realm=\"kiln-gate\"");
        assertThat(events).singleElement().isInstanceOfSatisfying(GateEvent.ClientRefused.class,
                e -> assertThat(e.refusal()).isEqualTo(GateEvent.Refusal.UNAUTHENTICATED));
    }

    @Test
    void a_token_the_gate_did_not_hand_out_gets_407() throws IOException {
        String answer = connect(GateClient.create("stranger").token());

        assertThat(answer).startsWith("HTTP/1.1 407 ");
    }

    @Test
    void a_revoked_token_gets_407_and_has_no_environment_any_more() throws IOException {
        GateClient build = gate.newClient("build-1");
        assertThat(connect(build.token())).startsWith("HTTP/1.1 200 Connection established");

        gate.revoke(build);

        assertThat(connect(build.token())).startsWith("HTTP/1.1 407 ");
        assertThatThrownBy(() -> gate.env(build)).isInstanceOf(GateException.class)
                .hasMessage("gate client 'build-1' was not handed out by this gate, or was revoked;"
                        + " ask Gate.newClient for one");
    }

    @Test
    void the_token_is_taken_as_go_sends_it_user_name_and_empty_password() throws IOException {
        GateClient build = gate.newClient("build-1");

        assertThat(connect(build.token())).startsWith("HTTP/1.1 200 Connection established");
        assertThat(events).isEmpty();
    }

    /** Sends CONNECT with {@code Proxy-Authorization: Basic base64(token:)} when a token is given. */
    private String connect(String token) throws IOException {
        try (Socket socket = new Socket(gate.address().getAddress(), gate.address().getPort())) {
            String auth = token == null ? "" : "Proxy-Authorization: Basic "
                    + Base64.getEncoder().encodeToString((token + ":").getBytes(StandardCharsets.ISO_8859_1)) + "\r\n";
            socket.getOutputStream().write(("CONNECT management.azure.com:443 HTTP/1.1\r\n"
                    + "Host: management.azure.com:443\r\n" + auth + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return readHead(socket.getInputStream());
        }
    }

    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
