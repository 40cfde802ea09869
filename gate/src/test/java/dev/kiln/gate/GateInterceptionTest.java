package dev.kiln.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calls to intercepted hosts, made by the JDK's HttpClient through the gate, reach a routed upstream. */
class GateInterceptionTest {

    @TempDir
    Path dir;

    private Fixtures.Upstream upstream;
    private Gate gate;
    private GateClient build;
    private HttpClient http;
    private final List<GateEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        upstream = new Fixtures.Upstream();
        gate = Gate.builder()
                .intercept(Interception.hosts("management.azure.com", "login.microsoftonline.com"))
                .router(Router.all(upstream.uri()))
                .listener(events::add)
                .bundleDirectory(dir)
                .start();
        build = gate.newClient("build-1");
        http = Fixtures.client(gate, build, Fixtures.trusting(gate.caCertificate()), HttpClient.Version.HTTP_1_1);
    }

    @AfterEach
    void stop() {
        gate.close();
        upstream.close();
    }

    @Test
    void a_get_reaches_the_routed_upstream_with_the_original_host_header() throws Exception {
        HttpResponse<String> arm = http.send(HttpRequest.newBuilder(
                URI.create("https://management.azure.com/subscriptions/s1?api-version=2018-02-01"))
                .header("X-Ms-Client-Request-Id", "r-1").build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> aad = http.send(HttpRequest.newBuilder(
                URI.create("https://login.microsoftonline.com/tenant/oauth2/token")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(arm.statusCode()).isEqualTo(200);
        assertThat(arm.body()).isEqualTo("GET management.azure.com /subscriptions/s1?api-version=2018-02-01 ");
        assertThat(aad.body()).isEqualTo("GET login.microsoftonline.com /tenant/oauth2/token ");
        assertThat(upstream.seen.get(0).headers()).contains("X-ms-client-request-id=[r-1]");
        // The JDK's client asks without credentials first; Go's sends them at once.
        assertThat(events).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(GateEvent.ClientRefused.class,
                r -> assertThat(r.refusal()).isEqualTo(GateEvent.Refusal.UNAUTHENTICATED)));
    }

    @Test
    void request_bodies_of_every_framing_arrive_whole() throws Exception {
        byte[] form = "Action=RunInstances&ImageId=ami-1".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> fixed = http.send(HttpRequest.newBuilder(URI.create("https://management.azure.com/put"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(form)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(URI.create("https://management.azure.com/post"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(form)))
                .build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> expecting = http.send(HttpRequest.newBuilder(
                URI.create("https://management.azure.com/expect")).expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form)).build(), HttpResponse.BodyHandlers.ofString());

        String sent = new String(form, StandardCharsets.UTF_8);
        assertThat(fixed.body()).isEqualTo("PUT management.azure.com /put " + sent);
        assertThat(chunked.body()).isEqualTo("POST management.azure.com /post " + sent);
        assertThat(expecting.body()).isEqualTo("POST management.azure.com /expect " + sent);
    }

    @Test
    void responses_of_every_framing_come_back_on_one_kept_alive_connection() throws Exception {
        HttpResponse<String> chunked = get("/chunked/stream");
        HttpResponse<String> fixed = get("/fixed");
        HttpResponse<String> noContent = get("/status/204");
        HttpResponse<String> notModified = get("/status/304");
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create("https://management.azure.com/head"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> after = get("/after");

        assertThat(chunked.body()).isEqualTo("GET management.azure.com /chunked/stream ");
        assertThat(chunked.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        assertThat(fixed.body()).isEqualTo("GET management.azure.com /fixed ");
        assertThat(noContent.statusCode()).isEqualTo(204);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("X-Answer-Length")).hasValue("32");
        assertThat(after.body()).isEqualTo("GET management.azure.com /after ");
        // Sequential calls share one upstream connection: the gate kept it alive between them.
        assertThat(upstream.seen).extracting(Fixtures.Seen::remotePort).hasSize(6).containsOnly(
                upstream.seen.get(0).remotePort());
    }

    @Test
    void a_body_delimited_by_the_upstream_closing_reaches_the_client_chunked_and_the_connection_stays() throws Exception {
        try (Fixtures.UntilCloseUpstream raw = new Fixtures.UntilCloseUpstream("until the end");
             Gate closing = Gate.builder().intercept(Interception.hosts("compute.googleapis.com"))
                     .router(Router.all(raw.uri())).bundleDirectory(dir.resolve("closing")).start()) {
            GateClient client = closing.newClient("gce");
            HttpClient gce = Fixtures.client(closing, client, Fixtures.trusting(closing.caCertificate()),
                    HttpClient.Version.HTTP_1_1);
            URI uri = URI.create("https://compute.googleapis.com/compute/v1/projects/p/zones");

            HttpResponse<String> first = gce.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> second = gce.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(first.body()).isEqualTo("until the end");
            assertThat(first.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
            assertThat(second.body()).isEqualTo("until the end");
        }
    }

    @Test
    void alpn_selects_http_1_1_for_a_client_that_offers_h2() throws Exception {
        HttpClient h2 = Fixtures.client(gate, build, Fixtures.trusting(gate.caCertificate()),
                HttpClient.Version.HTTP_2);

        HttpResponse<String> response = h2.send(HttpRequest.newBuilder(
                URI.create("https://management.azure.com/alpn")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(response.body()).isEqualTo("GET management.azure.com /alpn ");
    }

    @Test
    void a_plain_http_request_to_an_intercepted_host_is_forwarded_and_to_another_refused_with_403() throws Exception {
        HttpResponse<String> intercepted = http.send(HttpRequest.newBuilder(
                URI.create("http://management.azure.com/plain?x=1")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create("http://example.com/")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(intercepted.body()).isEqualTo("GET management.azure.com /plain?x=1 ");
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.body()).contains("plain HTTP to example.com is not forwarded");
        assertThat(events).filteredOn(e -> e instanceof GateEvent.ClientRefused r
                        && r.refusal() == GateEvent.Refusal.NOT_INTERCEPTED)
                .singleElement().extracting(e -> ((GateEvent.ClientRefused) e).host()).isEqualTo("example.com");
    }

    @Test
    void the_environment_for_packer_names_the_proxy_with_the_token_the_bundle_for_go_and_aws_sdk_go_and_loopback_exceptions() {
        Map<String, String> env = gate.env(build);

        String proxy = "http://" + build.token() + "@127.0.0.1:" + gate.address().getPort();
        assertThat(env).containsEntry("HTTPS_PROXY", proxy).containsEntry("HTTP_PROXY", proxy)
                .containsEntry("https_proxy", proxy).containsEntry("http_proxy", proxy)
                .containsEntry("NO_PROXY", "127.0.0.1,localhost,::1")
                .containsEntry("SSL_CERT_FILE", gate.caBundle().toString())
                .containsEntry("AWS_CA_BUNDLE", gate.caBundle().toString());
        assertThat(gate.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("https://management.azure.com" + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
