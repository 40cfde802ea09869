package dev.kiln.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upstream side: real hosts over verified TLS, chained through the user's proxy, and a 502
 * with a reason naming the host whenever that fails.
 */
class GateUpstreamTest {

    @TempDir
    Path dir;

    private Fixtures.SelfSigned armCert;
    private HttpsServer arm;
    private ExecutorService executor;
    private final List<GateEvent> events = new CopyOnWriteArrayList<>();
    private final List<GateResponse> responses = new CopyOnWriteArrayList<>();
    private final List<Integer> armConnections = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.Semaphore afterCalls = new java.util.concurrent.Semaphore(0);

    @BeforeEach
    void start() throws Exception {
        armCert = Fixtures.SelfSigned.of("management.azure.com");
        executor = Executors.newFixedThreadPool(2);
        arm = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        arm.setHttpsConfigurator(new HttpsConfigurator(armCert.serverContext()));
        arm.setExecutor(executor);
        arm.createContext("/", exchange -> {
            try (exchange) {
                armConnections.add(exchange.getRemoteAddress().getPort());
                byte[] answer = ("arm saw " + exchange.getRequestHeaders().getFirst("Host") + " "
                        + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        arm.start();
    }

    @AfterEach
    void stop() {
        arm.stop(0);
        executor.shutdownNow();
    }

    @Test
    void an_intercepted_call_goes_to_the_real_host_over_verified_tls_through_the_users_proxy() throws Exception {
        try (Fixtures.ConnectProxy proxy = new Fixtures.ConnectProxy(
                Map.of("management.azure.com", arm.getAddress().getPort()), "HTTP/1.1 403 Forbidden");
             Gate gate = gate(Gate.builder()
                     .upstreamProxy(UpstreamProxy.of("http://corp:s3cret@127.0.0.1:" + proxy.port()))
                     .upstreamTls(Fixtures.trusting(armCert.certificate())))) {

            HttpResponse<String> response = call(gate, "https://management.azure.com/subscriptions?api-version=1");

            assertThat(response.body()).isEqualTo("arm saw management.azure.com /subscriptions?api-version=1");
            assertThat(proxy.requests).singleElement().asString()
                    .startsWith("CONNECT management.azure.com:443 HTTP/1.1\r\n")
                    .contains("Proxy-Authorization: Basic Y29ycDpzM2NyZXQ=");
            assertThat(events).filteredOn(e -> !(e instanceof GateEvent.ClientRefused)).isEmpty();
        }
    }

    @Test
    void an_upstream_proxy_refusing_connect_is_a_502_naming_the_host_and_what_to_do() throws Exception {
        try (Fixtures.ConnectProxy proxy = new Fixtures.ConnectProxy(Map.of(), "HTTP/1.1 403 Forbidden");
             Gate gate = gate(Gate.builder().upstreamProxy(UpstreamProxy.of("127.0.0.1:" + proxy.port())))) {

            HttpResponse<String> response = call(gate, "https://management.azure.com/subscriptions");

            String expected = "kiln gate: the upstream proxy http://127.0.0.1:" + proxy.port()
                    + " refused CONNECT management.azure.com:443 with 403 Forbidden; ask for management.azure.com"
                    + " to be allowed through the proxy, or add it to NO_PROXY";
            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.body()).isEqualTo(expected + "\n");
            assertThat(failures()).singleElement().satisfies(e -> {
                assertThat(e.cause()).isEqualTo(GateEvent.Cause.PROXY_REFUSED);
                assertThat(e.host()).isEqualTo("management.azure.com");
                assertThat(e.client().name()).isEqualTo("build-1");
                assertThat(e.message()).isEqualTo(expected);
            });
            // Meter.after runs once packer has its answer.
            assertThat(afterCalls.tryAcquire(1, 30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(responses).singleElement().satisfies(r -> {
                assertThat(r.status()).isEqualTo(502);
                assertThat(r.byGate()).isTrue();
            });
        }
    }

    @Test
    void a_tunnel_the_upstream_proxy_refuses_carries_the_reason_in_its_status_line_as_go_shows_it() throws Exception {
        try (Fixtures.ConnectProxy proxy = new Fixtures.ConnectProxy(Map.of(),
                "HTTP/1.1 407 Proxy Authentication Required");
             Gate gate = gate(Gate.builder().upstreamProxy(UpstreamProxy.of("http://127.0.0.1:" + proxy.port())))) {
            GateClient build = gate.newClient("build-1");
            try (java.net.Socket socket = new java.net.Socket(gate.address().getAddress(), gate.address().getPort())) {
                socket.getOutputStream().write(("CONNECT releases.hashicorp.com:443 HTTP/1.1\r\nProxy-Authorization: "
                        + "Basic " + java.util.Base64.getEncoder().encodeToString((build.token() + ":").getBytes(
                        StandardCharsets.ISO_8859_1)) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));

                String head = GateAuthenticationTest.readHead(socket.getInputStream());

                assertThat(head).startsWith("HTTP/1.1 502 kiln gate: the upstream proxy http://127.0.0.1:"
                        + proxy.port() + " refused CONNECT releases.hashicorp.com:443 with 407 Proxy Authentication"
                        + " Required; put the proxy's credentials in HTTPS_PROXY (http://user:password@host:port)\r\n");
            }
        }
    }

    @Test
    void an_upstream_whose_certificate_is_not_trusted_is_a_502_saying_so() throws Exception {
        try (Gate gate = gate(Gate.builder().router(Router.all(
                URI.create("https://127.0.0.1:" + arm.getAddress().getPort()))))) {

            HttpResponse<String> response = call(gate, "https://management.azure.com/subscriptions");

            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.body()).startsWith("kiln gate: TLS with https://127.0.0.1:" + arm.getAddress().getPort()
                    + " failed (").contains("add its CA to the trust store Kiln's JVM uses");
            assertThat(failures()).singleElement().extracting(GateEvent.UpstreamFailed::cause)
                    .isEqualTo(GateEvent.Cause.UPSTREAM_TLS);
        }
    }

    @Test
    void an_https_route_is_verified_against_the_trust_the_gate_was_given_and_its_connection_kept() throws Exception {
        try (Gate gate = gate(Gate.builder()
                .router(Router.all(URI.create("https://127.0.0.1:" + arm.getAddress().getPort())))
                .upstreamTls(Fixtures.trusting(armCert.certificate())))) {
            HttpClient http = Fixtures.client(gate, gate.newClient("build-1"), Fixtures.trusting(gate.caCertificate()),
                    HttpClient.Version.HTTP_1_1);

            List<String> answers = new java.util.ArrayList<>();
            for (String path : List.of("/subscriptions", "/providers", "/resourceGroups")) {
                answers.add(http.send(HttpRequest.newBuilder(URI.create("https://management.azure.com" + path)).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
            }

            assertThat(answers).containsExactly("arm saw management.azure.com /subscriptions",
                    "arm saw management.azure.com /providers", "arm saw management.azure.com /resourceGroups");
            // The pooled TLS connection passed the check before each reuse: one handshake for three calls.
            assertThat(armConnections).hasSize(3).containsOnly(armConnections.get(0));
        }
    }

    @Test
    void a_host_that_does_not_resolve_is_a_502_naming_it() throws Exception {
        try (Gate gate = Gate.builder().intercept(Interception.hosts("nowhere.invalid")).listener(events::add)
                .bundleDirectory(dir).start()) {

            HttpResponse<String> response = call(gate, "https://nowhere.invalid/x");

            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.body()).isEqualTo("kiln gate: cannot resolve nowhere.invalid; check the host name in"
                    + " the template, or route the host to an emulator\n");
            assertThat(failures()).singleElement().extracting(GateEvent.UpstreamFailed::cause)
                    .isEqualTo(GateEvent.Cause.UNKNOWN_HOST);
        }
    }

    @Test
    void a_meter_that_throws_stops_the_call_with_a_502_and_an_event() throws Exception {
        try (Fixtures.Upstream upstream = new Fixtures.Upstream();
             Gate gate = Gate.builder().intercept(Interception.hosts("management.azure.com"))
                     .router(Router.all(upstream.uri())).listener(events::add).bundleDirectory(dir)
                     .meter(new Meter() {
                         @Override
                         public void before(GateRequest request) {
                             throw new IllegalStateException("secret-laden message");
                         }
                     }).start()) {

            HttpResponse<String> response = call(gate, "https://management.azure.com/subscriptions");

            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.body()).isEqualTo("kiln gate: Kiln's Meter.before failed for management.azure.com"
                    + " (java.lang.IllegalStateException); see Kiln's own report\n");
            assertThat(upstream.seen).isEmpty();
            assertThat(events).filteredOn(GateEvent.HookFailed.class::isInstance).singleElement()
                    .satisfies(e -> assertThat(e.toString()).doesNotContain("secret-laden"));
        }
    }

    private Gate gate(Gate.Builder builder) {
        return builder.intercept(Interception.hosts("management.azure.com")).listener(events::add)
                .meter(new Meter() {
                    @Override
                    public void after(GateRequest request, GateResponse response) {
                        responses.add(response);
                        afterCalls.release();
                    }
                })
                .bundleDirectory(dir).start();
    }

    private HttpResponse<String> call(Gate gate, String uri) throws Exception {
        HttpClient http = Fixtures.client(gate, gate.newClient("build-1"), Fixtures.trusting(gate.caCertificate()),
                HttpClient.Version.HTTP_1_1);
        return http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<GateEvent.UpstreamFailed> failures() {
        return events.stream().filter(GateEvent.UpstreamFailed.class::isInstance)
                .map(GateEvent.UpstreamFailed.class::cast).toList();
    }
}
