package dev.kiln.emulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.emulators.azure.ArmEmulator;
import dev.kiln.emulators.spi.EmulatorProviders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Collectors;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/** Every emulator answers over HTTPS too, with a certificate its test CA issued (issue 19). */
class TlsListenerTest {

    private static final TestCa CA = TestCa.create();
    private static final HttpClient TRUSTING = HttpClient.newBuilder().sslContext(CA.clientContext()).build();

    @Test
    void issue19_every_emulator_answers_the_same_api_over_https_and_plain_http() throws Exception {
        for (var provider : EmulatorProviders.all()) {
            try (Emulator emulator = provider.start(EmulatorSettings.defaults().withTls(CA, 0))) {
                TlsEndpoint tls = emulator.tls().orElseThrow();
                assertThat(tls.ca()).isSameAs(CA);
                assertThat(tls.endpoint().toString()).matches("https://127\\.0\\.0\\.1:\\d+");
                if (emulator.endpoint().getScheme().equals("https")) {
                    // vCenter answers over HTTPS only: its one listener carries the test CA's certificate
                    assertThat(tls.endpoint()).isEqualTo(emulator.endpoint());
                } else {
                    assertThat(tls.endpoint().getPort()).isNotEqualTo(emulator.endpoint().getPort());
                }
                HttpResponse<String> overTls = TRUSTING.send(HttpRequest.newBuilder(URI.create(tls.endpoint()
                        + "/_kiln/health")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(overTls.body()).isEqualTo("{\"provider\":\"" + provider.name() + "\",\"status\":\"up\"}");
                assertThat(TRUSTING.send(HttpRequest.newBuilder(URI.create(emulator.endpoint()
                        + "/_kiln/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                        .isEqualTo(200);
            }
        }
    }

    @Test
    void the_certificate_names_loopback_and_the_providers_hosts_and_nothing_else_trusts_it() throws Exception {
        try (ArmEmulator arm = ArmEmulator.builder().tls(CA).start()) {
            URI uri = URI.create(arm.tls().orElseThrow().endpoint() + "/_kiln/health");
            SSLSession session = TRUSTING.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                    .sslSession().orElseThrow();
            X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
            List<String> names = leaf.getSubjectAlternativeNames().stream().map(n -> n.get(1).toString())
                    .collect(Collectors.toList());
            assertThat(names).contains("127.0.0.1", "localhost", "management.azure.com", "login.microsoftonline.com");
            assertThat(names).anyMatch(n -> n.equals("0:0:0:0:0:0:0:1"));
            assertThat(leaf.getIssuerX500Principal()).isEqualTo(CA.certificate().getSubjectX500Principal());
            leaf.verify(CA.certificate().getPublicKey());

            // A client that trusts only the JDK's CAs refuses it, as it should.
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void links_in_answers_lead_back_over_the_listener_the_client_used() throws Exception {
        try (ArmEmulator arm = ArmEmulator.builder().tls(CA).start()) {
            String tls = arm.tls().orElseThrow().endpoint().toString();
            String group = "/subscriptions/" + ArmEmulator.DEFAULT_SUBSCRIPTION + "/resourcegroups/g";
            TRUSTING.send(HttpRequest.newBuilder(URI.create(tls + group + "?api-version=2022-09-01"))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"location\":\"eastus\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> deleted = TRUSTING.send(HttpRequest.newBuilder(URI.create(tls + group
                    + "?api-version=2022-09-01")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(deleted.statusCode()).isEqualTo(202);
            assertThat(deleted.headers().firstValue("Location").orElseThrow()).startsWith(tls + "/subscriptions/");
        }
    }

    @Test
    void the_ca_writes_a_pem_and_a_pkcs12_trust_store_and_never_its_key(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        TestCa.Files files = CA.writeTo(dir.resolve("ca"));
        assertThat(java.nio.file.Files.readString(files.pem())).isEqualTo(CA.pem())
                .startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(files.trustStore())) {
            store.load(in, TestCa.TRUST_STORE_PASSWORD.toCharArray());
        }
        List<String> aliases = java.util.Collections.list(store.aliases());
        assertThat(aliases).hasSize(1);
        assertThat(store.isCertificateEntry(aliases.get(0))).isTrue();
        assertThat(store.isKeyEntry(aliases.get(0))).isFalse();
        try (var listing = java.nio.file.Files.list(files.pem().getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(TestCa.PEM_FILE,
                    TestCa.TRUST_STORE_FILE);
        }
    }
}
