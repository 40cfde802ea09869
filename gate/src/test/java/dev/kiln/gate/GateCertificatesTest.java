package dev.kiln.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.time.TimeSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-run CA, its leaves and the bundle packer's SSL_CERT_FILE names. */
class GateCertificatesTest {

    private static final String FAKE_ROOTS = "-----BEGIN CERTIFICATE-----\nc3lzdGVtIHJvb3Q=\n-----END CERTIFICATE-----\n";

    @TempDir
    Path dir;

    @Test
    void the_bundle_is_readable_by_its_owner_only_and_holds_the_system_roots_then_the_ca() throws Exception {
        Path roots = Files.writeString(dir.resolve("roots.pem"), FAKE_ROOTS);
        Path run = dir.resolve("run");
        Path bundle;
        try (Gate gate = Gate.builder().bundleDirectory(run).systemRoots(roots).start()) {
            bundle = gate.caBundle();

            assertThat(bundle).hasParent(run);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(bundle))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run))).isEqualTo("rwx------");
            String content = Files.readString(bundle);
            assertThat(content).startsWith(FAKE_ROOTS);
            String caPem = content.substring(content.lastIndexOf("-----BEGIN CERTIFICATE-----"));
            X509Certificate fromBundle = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)));
            assertThat(fromBundle).isEqualTo(gate.caCertificate());
        }
        assertThat(bundle).doesNotExist();
    }

    @Test
    void a_relative_bundle_directory_still_gives_packer_an_absolute_bundle() throws Exception {
        // Given a bundle directory relative to Kiln's working directory, as kiln's default runs
        // directory is; packer runs elsewhere and would read a relative path from there
        Path cwd = Path.of("").toAbsolutePath();
        Path relative = cwd.relativize(dir.resolve("kiln-runs").resolve("k1").resolve("gate").toAbsolutePath());
        assertThat(relative).isRelative();

        try (Gate gate = Gate.builder().bundleDirectory(relative).start()) {
            Map<String, String> env = gate.env(gate.newClient("build"));

            // Then
            assertThat(Path.of(env.get("SSL_CERT_FILE"))).isAbsolute().isRegularFile().isEqualTo(gate.caBundle());
            assertThat(env.get("AWS_CA_BUNDLE")).isEqualTo(env.get("SSL_CERT_FILE"));
        }
    }

    @Test
    void without_system_roots_the_bundle_holds_the_ca_alone() throws Exception {
        try (Gate gate = Gate.builder().bundleDirectory(dir).systemRoots(dir.resolve("absent.pem")).start()) {
            assertThat(Files.readString(gate.caBundle())).containsOnlyOnce("BEGIN CERTIFICATE");
        }
    }

    @Test
    void the_ca_may_sign_leaves_only_and_is_valid_for_the_run_not_longer() {
        Instant start = Instant.parse("2030-05-01T10:00:00Z");
        try (Gate gate = Gate.builder().bundleDirectory(dir).time(TimeSource.virtual(start))
                .caValidity(Duration.ofDays(2)).start()) {
            X509Certificate ca = gate.caCertificate();

            assertThat(ca.getBasicConstraints()).isZero();
            assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
            assertThat(ca.getNotBefore().toInstant()).isEqualTo(start.minus(Duration.ofHours(1)));
            assertThat(ca.getNotAfter().toInstant()).isEqualTo(start.plus(Duration.ofDays(2)));
            assertThat(ca.getSubjectX500Principal().getName()).startsWith("CN=Kiln gate CA ");
        }
    }

    @Test
    void each_run_has_its_own_ca() {
        try (Gate one = Gate.builder().bundleDirectory(dir.resolve("one")).start();
             Gate two = Gate.builder().bundleDirectory(dir.resolve("two")).start()) {
            assertThat(one.caCertificate().getPublicKey()).isNotEqualTo(two.caCertificate().getPublicKey());
        }
    }

    @Test
    void a_leaf_names_exactly_the_host_asked_for_in_its_alternative_names_and_offers_http_1_1_only() throws Exception {
        try (Gate gate = Gate.builder().intercept(Interception.hosts("*.vault.azure.net")).bundleDirectory(dir)
                .start()) {
            GateClient build = gate.newClient("build-1");
            try (SSLSocket tls = handshake(gate, build, "kilnvault.vault.azure.net", "h2", "http/1.1")) {
                X509Certificate leaf = (X509Certificate) tls.getSession().getPeerCertificates()[0];

                assertThat(tls.getApplicationProtocol()).isEqualTo("http/1.1");
                assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, "kilnvault.vault.azure.net"));
                assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
                assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
                leaf.verify(gate.caCertificate().getPublicKey());
            }
        }
    }

    @Test
    void a_client_that_offers_only_h2_gets_no_connection() throws Exception {
        try (Gate gate = Gate.builder().intercept(Interception.hosts("management.azure.com")).bundleDirectory(dir)
                .start()) {
            GateClient build = gate.newClient("build-1");

            assertThatThrownBy(() -> handshake(gate, build, "management.azure.com", "h2").close())
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void a_client_that_does_not_trust_the_gates_ca_is_reported_by_host_and_build() throws Exception {
        java.util.concurrent.BlockingQueue<GateEvent> events = new java.util.concurrent.LinkedBlockingQueue<>();
        try (Gate gate = Gate.builder().intercept(Interception.hosts("management.azure.com")).listener(events::add)
                .bundleDirectory(dir).start()) {
            GateClient build = gate.newClient("build-1");
            SSLContext otherTrust = Fixtures.trusting(Fixtures.SelfSigned.of("elsewhere.kiln.test").certificate());

            assertThatThrownBy(() -> handshake(gate, build, otherTrust, "management.azure.com", "http/1.1").close())
                    .isInstanceOf(SSLHandshakeException.class);

            GateEvent event = events.poll(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(event).isInstanceOfSatisfying(GateEvent.ClientHandshakeFailed.class, e -> {
                assertThat(e.client()).isEqualTo(build);
                assertThat(e.host()).isEqualTo("management.azure.com");
                assertThat(e.message()).startsWith("kiln gate: packer did not complete TLS with the gate for"
                        + " management.azure.com (").endsWith("); run packer with the SSL_CERT_FILE Kiln gave it");
            });
        }
    }

    @Test
    void every_refusal_is_reported_even_when_the_client_hangs_up_while_the_gate_still_writes() throws Exception {
        // Given clients that refuse the gate's certificate: about one handshake in four, the client's
        // hang-up reaches the gate as a broken pipe while it writes its flight, not as the alert
        java.util.concurrent.BlockingQueue<GateEvent> events = new java.util.concurrent.LinkedBlockingQueue<>();
        try (Gate gate = Gate.builder().intercept(Interception.hosts("management.azure.com")).listener(events::add)
                .bundleDirectory(dir).start()) {
            GateClient build = gate.newClient("build-1");
            SSLContext otherTrust = Fixtures.trusting(Fixtures.SelfSigned.of("elsewhere.kiln.test").certificate());

            for (int i = 0; i < 50; i++) {
                // When one more client refuses it
                assertThatThrownBy(() -> handshake(gate, build, otherTrust, "management.azure.com", "http/1.1"))
                        .isInstanceOf(SSLHandshakeException.class);

                // Then the gate reports that refusal too
                assertThat(events.poll(30, java.util.concurrent.TimeUnit.SECONDS)).as("refusal %d", i + 1)
                        .isInstanceOf(GateEvent.ClientHandshakeFailed.class);
            }
        }
    }

    private static SSLSocket handshake(Gate gate, GateClient client, String host, String... protocols)
            throws Exception {
        return handshake(gate, client, Fixtures.trusting(gate.caCertificate()), host, protocols);
    }

    /** CONNECT through the gate, then a TLS handshake offering {@code protocols} in ALPN. */
    private static SSLSocket handshake(Gate gate, GateClient client, SSLContext trust, String host,
                                       String... protocols) throws Exception {
        Socket socket = new Socket(gate.address().getAddress(), gate.address().getPort());
        socket.getOutputStream().write(("CONNECT " + host + ":443 HTTP/1.1\r\nProxy-Authorization: Basic "
                + Base64.getEncoder().encodeToString((client.token() + ":").getBytes(StandardCharsets.ISO_8859_1))
                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(GateAuthenticationTest.readHead(socket.getInputStream()))
                .startsWith("HTTP/1.1 200 Connection established");
        SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(socket, host, 443, true);
        SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        params.setServerNames(List.of(new SNIHostName(host)));
        params.setApplicationProtocols(protocols);
        tls.setSSLParameters(params);
        try {
            tls.startHandshake();
        } catch (IOException e) {
            tls.close();
            throw e;
        }
        return tls;
    }
}
