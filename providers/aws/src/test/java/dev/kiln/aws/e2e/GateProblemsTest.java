package dev.kiln.aws.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.aws.AwsProvider;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.event.KilnEvent;
import dev.kiln.gate.GateNetwork;
import dev.kiln.gate.UpstreamProxy;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.testkit.RequiredTools;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * What a build meets when Kiln's gate cannot carry its calls, with real packer (amazon-ebs): a
 * template pointing at a host that does not resolve, a corporate proxy that refuses {@code CONNECT},
 * an upstream whose certificate the JVM does not trust. Each build fails with the gate's one line,
 * which names the host and says what to do, and is swept; the journal has the problem.
 */
class GateProblemsTest {

    private static final String ACCESS_KEY = "AKIAKILNE2EGATE00001";
    private static final String SECRET_KEY = "kiln-e2e-fake-secret-not-for-aws-000002";
    private static final String UNKNOWN = "ec2.kiln-no-such-host.invalid";

    @TempDir
    Path work;

    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();

    @Test
    void a_template_pointing_at_a_host_that_does_not_resolve_fails_naming_the_host() throws Exception {
        // Given a template whose EC2 endpoint is a host no one knows
        try (Ec2Emulator ec2 = Ec2Emulator.start()) {
            GateNetwork network = GateNetwork.builder().route(ec2.routes()).upstreamProxy(Optional.empty()).build();

            // When Kiln builds it through its gate
            JobResult j = buildOne(ec2, network, "https://" + UNKNOWN);

            // Then the build failed with the gate's line about that host, and was swept
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.message()).contains("cannot resolve " + UNKNOWN).contains("check the host name");
            assertThat(problems()).anySatisfy(p -> assertThat(p.host()).isEqualTo(UNKNOWN));
            assertSwept(j);
        }
    }

    @Test
    void a_proxy_that_refuses_connect_fails_the_build_saying_what_to_ask_for() throws Exception {
        // Given a corporate proxy that answers every CONNECT with 403, and no route to an emulator
        try (Ec2Emulator ec2 = Ec2Emulator.start(); RefusingProxy proxy = new RefusingProxy()) {
            GateNetwork network = GateNetwork.builder()
                    .upstreamProxy(Optional.of(UpstreamProxy.of("http://127.0.0.1:" + proxy.port()))).build();

            // When Kiln builds through its gate, which goes to EC2 through that proxy
            JobResult j = buildOne(ec2, network, null);

            // Then the build failed with the gate's line naming the host and the proxy's refusal
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.message()).contains("refused CONNECT ec2.us-east-1.amazonaws.com:443 with 403")
                    .contains("ask for ec2.us-east-1.amazonaws.com to be allowed through the proxy");
            assertSwept(j);
        }
    }

    @Test
    void an_upstream_certificate_the_jvm_rejects_fails_the_build_saying_which_trust_store() throws Exception {
        // Given EC2's host routed to an HTTPS server whose certificate no trust store holds
        try (Ec2Emulator ec2 = Ec2Emulator.start(); SelfSigned server = new SelfSigned()) {
            GateNetwork network = GateNetwork.builder().route(Map.of("ec2.*.amazonaws.com", server.uri()))
                    .upstreamProxy(Optional.empty()).build();

            // When Kiln builds through its gate
            JobResult j = buildOne(ec2, network, null);

            // Then the build failed with the gate's line about the certificate and what to do
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.message()).contains("TLS with " + server.uri()).contains("trust store");
            assertSwept(j);
        }
    }

    /** Builds one image in us-east-1 through {@code network}, EC2 at {@code endpoint} when given. */
    private JobResult buildOne(Ec2Emulator ec2, GateNetwork network, String endpoint) throws IOException {
        Path packer = RequiredTools.packer();
        Path template = work.resolve("amazon-ebs.json");
        Files.writeString(template, """
                {
                  "variables": {
                    "kiln_image_name": "", "kiln_build_id": "", "kiln_expires_at": "", "kiln_run_id": "",
                    "kiln_env": "", "kiln_region": "", "kiln_account": "", "kiln_provider": ""
                  },
                  "builders": [{
                    "type": "amazon-ebs", "region": "{{user `kiln_region`}}",
                    %s
                    "skip_region_validation": true, "skip_credential_validation": true,
                    "skip_metadata_api_check": true,
                    "source_ami_filter": {"filters": {"name": "amzn2-ami-hvm-*-x86_64-gp2"}, "owners": ["amazon"],
                                          "most_recent": true},
                    "instance_type": "t3.micro", "communicator": "none", "ami_name": "{{user `kiln_image_name`}}",
                    "run_tags": {"kiln:build-id": "{{user `kiln_build_id`}}"},
                    "tags": {"kiln:build-id": "{{user `kiln_build_id`}}"}
                  }]
                }
                """.formatted(endpoint == null ? "" : "\"custom_endpoint_ec2\": \"" + endpoint + "\","));
        AwsProvider aws = AwsProvider.builder().endpointOverride(ec2.endpoint())
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
        try (ProcessPackerRunner runner = PackerRunners.processBuilder().executable(packer)
                        .extraEnv("AWS_ACCESS_KEY_ID", ACCESS_KEY).extraEnv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                        .extraEnv("AWS_MAX_ATTEMPTS", "2").extraEnv("HOME", work.toString()).build();
                Kiln kiln = Kiln.builder().provider(aws).packerRunner(runner).network(network).listener(events::add)
                        .files(f -> f.withRunsDirectory(work.resolve("runs"))).build()) {
            BuildPlan plan = Fleet.builder("gate-problems").environments("dev").retryPolicy(RetryPolicy.never())
                    .target(Target.of("aws", Ec2Emulator.DEFAULT_ACCOUNT, "us-east-1"))
                    .image(ImageSpec.builder("base", template, "amazon-ebs").instanceSize("t3.micro")
                            .timeout(Duration.ofMinutes(2)).build())
                    .build(kiln.planContext());
            RunResult result = kiln.run(plan);
            return result.jobs().get(0);
        }
    }

    private List<KilnEvent.NetworkProblem> problems() {
        return events.stream().filter(KilnEvent.NetworkProblem.class::isInstance)
                .map(KilnEvent.NetworkProblem.class::cast).toList();
    }

    private void assertSwept(JobResult j) {
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(KilnEvent.Swept.class,
                s -> assertThat(s.buildId()).isEqualTo(j.job().buildId())));
    }

    /** A corporate proxy that refuses every CONNECT with 403. */
    private static final class RefusingProxy implements AutoCloseable {
        private final ServerSocket server;
        private final Thread thread;

        RefusingProxy() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "refusing-proxy");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    int last4 = 0;
                    int b;
                    while ((b = in.read()) >= 0) {
                        last4 = (last4 << 8) | b;
                        if (last4 == 0x0d0a0d0a) {
                            break;
                        }
                    }
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    // closed, or a client gone: serve the next
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** A TLS server on loopback whose certificate is self-signed, so no trust store holds it. */
    private static final class SelfSigned implements AutoCloseable {
        private final SSLServerSocket server;

        SelfSigned() throws Exception {
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(256);
            KeyPair keys = ec.generateKeyPair();
            X500Name name = new X500Name("CN=127.0.0.1");
            Instant now = TimeSource.system().now();
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                    name, BigInteger.ONE, Date.from(now.minusSeconds(3600)), Date.from(now.plusSeconds(3600)), name,
                    keys.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", keys.getPrivate(), new char[0], new X509Certificate[] {cert});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, new char[0]);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), null, null);
            server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        ((SSLSocket) s).startHandshake();
                    } catch (IOException e) {
                        // the gate refused our certificate, as it should: wait for the next
                    }
                }
            }, "self-signed");
            t.setDaemon(true);
            t.start();
        }

        URI uri() {
            return URI.create("https://127.0.0.1:" + server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
