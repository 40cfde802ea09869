package dev.kiln.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.kiln.gate.internal.GateServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host the gate does not intercept is tunnelled: TLS end to end, no leaf made, nothing metered. */
class GateTunnelTest {

    @TempDir
    Path dir;

    private Fixtures.SelfSigned otherCert;
    private HttpsServer other;
    private ExecutorService executor;
    private Gate gate;
    private final List<GateRequest> metered = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        otherCert = Fixtures.SelfSigned.of("other.kiln.test");
        executor = Executors.newFixedThreadPool(2);
        other = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        other.setHttpsConfigurator(new HttpsConfigurator(otherCert.serverContext()));
        other.setExecutor(executor);
        other.createContext("/", exchange -> {
            try (exchange) {
                byte[] answer = ("other saw " + exchange.getRequestHeaders().getFirst("Host"))
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        other.start();
        // There is no DNS here: the router says where other.kiln.test lives, as it would for an emulator.
        gate = Gate.builder()
                .intercept(Interception.hosts("management.azure.com"))
                .router(Router.to(Map.of("other.kiln.test",
                        URI.create("https://127.0.0.1:" + other.getAddress().getPort()))))
                .meter(new Meter() {
                    @Override
                    public void before(GateRequest request) {
                        metered.add(request);
                    }
                })
                .bundleDirectory(dir)
                .start();
    }

    @AfterEach
    void stop() {
        gate.close();
        other.stop(0);
        executor.shutdownNow();
    }

    @Test
    void a_host_outside_the_list_is_tunnelled_with_its_own_certificate_and_gets_no_leaf() throws Exception {
        GateClient build = gate.newClient("build-1");
        HttpClient http = Fixtures.client(gate, build, Fixtures.trusting(gate.caCertificate(), otherCert.certificate()),
                HttpClient.Version.HTTP_1_1);

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("https://other.kiln.test/x"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.body()).isEqualTo("other saw other.kiln.test");
        X509Certificate presented = (X509Certificate) response.sslSession().orElseThrow()
                .getPeerCertificates()[0];
        assertThat(presented).isEqualTo(otherCert.certificate());
        assertThat(metered).isEmpty();
        assertThat(((GateServer) gate).leavesIssued()).isZero();
    }

    @Test
    void a_client_trusting_only_the_gate_cannot_be_fooled_about_a_tunnelled_host() throws Exception {
        GateClient build = gate.newClient("build-1");
        HttpClient http = Fixtures.client(gate, build, Fixtures.trusting(gate.caCertificate()),
                HttpClient.Version.HTTP_1_1);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(
                        URI.create("https://other.kiln.test/x")).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        assertThat(((GateServer) gate).leavesIssued()).isZero();
    }
}
