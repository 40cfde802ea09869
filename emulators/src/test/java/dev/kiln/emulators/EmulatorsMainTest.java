package dev.kiln.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.spi.EmulatorProvider;
import dev.kiln.emulators.spi.EmulatorProviders;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's arguments, output and end of life, run in-process. */
class EmulatorsMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws InterruptedException {
        return EmulatorsMain.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badArgumentsAreOneUsageLineAndExitTwo() throws Exception {
        // The known list grows with every emulator registered, so only its sorted start is pinned.
        assertThat(run("--providers", "openstack")).isEqualTo(EmulatorsMain.USAGE);
        assertThat(err()).startsWith("usage: kiln-emulators [--providers NAME[,NAME...]] [--port N] [--seed N]"
                + " [--tls] [--ca-dir DIR] [--limits FILE] [--no-throttling] [--fault PROVIDER:ACTION:KEY=VALUE[,...]]..."
                + " [--json] [--verbose] [--ignore-stdin] -- --providers: unknown provider 'openstack' (known: aws")
                .endsWith(")" + System.lineSeparator()).contains("vsphere");
        err.reset();
        assertThat(run("--port", "http")).isEqualTo(2);
        assertThat(err()).endsWith("-- --port takes a number from 0 to 65535, got 'http'" + System.lineSeparator());
        err.reset();
        assertThat(run("--port")).isEqualTo(2);
        assertThat(err()).endsWith("-- --port needs a value" + System.lineSeparator());
        err.reset();
        assertThat(run("--frobnicate")).isEqualTo(2);
        assertThat(err()).endsWith("-- unknown argument '--frobnicate'" + System.lineSeparator());
        assertThat(out.size()).isZero();
    }

    /** Every registered emulator's name, as the launcher lists them. */
    static String known() {
        return EmulatorProviders.all().stream().map(EmulatorProvider::name).collect(Collectors.joining(", "));
    }

    @Test
    void everyRegisteredEmulatorIsKnownToTheLauncher() {
        assertThat(known()).contains("aws", "gcp");
    }

    @Test
    void servesTheComputeEngineEmulatorAsGcp() throws Exception {
        PipedOutputStream stdinWriter = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(stdinWriter);
        PipedInputStream stdoutReader = new PipedInputStream();
        PrintStream stdout = new PrintStream(new PipedOutputStream(stdoutReader), true, StandardCharsets.UTF_8);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return EmulatorsMain.run(new String[] {"--providers", "gcp"}, stdin, stdout,
                        new PrintStream(err, true, StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        });
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(stdoutReader, StandardCharsets.UTF_8))
                .readLine();
        assertThat(line).matches("gcp http://127\\.0\\.0\\.1:\\d+");

        URI region = URI.create(line.substring(4) + "/compute/v1/projects/kiln-test/regions/us-east1");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(region).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"metric\":\"CPUS\"");

        stdinWriter.close();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void servesUntilStandardInputEnds() throws Exception {
        PipedOutputStream stdinWriter = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(stdinWriter);
        PipedInputStream stdoutReader = new PipedInputStream();
        PrintStream stdout = new PrintStream(new PipedOutputStream(stdoutReader), true, StandardCharsets.UTF_8);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return EmulatorsMain.run(new String[] {"--providers", "aws", "--port=0"}, stdin, stdout,
                        new PrintStream(err, true, StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        });
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(stdoutReader, StandardCharsets.UTF_8))
                .readLine();
        assertThat(line).matches("aws http://127\\.0\\.0\\.1:\\d+");

        URI health = URI.create(line.substring(4) + "/_kiln/health");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(health).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);

        stdinWriter.close();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void limitsFaultsAndTlsAreChosenOnTheCommandLineAndPrintedAsJson(@TempDir Path dir) throws Exception {
        Path limits = dir.resolve("limits.yaml");
        Files.writeString(limits, "azure:\n  arm.reads: { capacity: 2, refill_per_second: 0.001 }\n");
        Path caDir = dir.resolve("ca");
        PipedOutputStream stdinWriter = new PipedOutputStream();
        PipedInputStream stdoutReader = new PipedInputStream();
        CompletableFuture<Integer> exit = launch(stdinWriter, stdoutReader, "--providers", "azure,gcp", "--json",
                "--ca-dir", caDir.toString(), "--limits", limits.toString(), "--fault",
                "gcp:regions.get:errorRate=1");
        JsonNode started = new ObjectMapper().readTree(firstLine(stdoutReader));

        assertThat(started.at("/ca/pem").asText()).isEqualTo(caDir.resolve(TestCa.PEM_FILE).toAbsolutePath()
                .toString());
        assertThat(started.at("/ca/trustStoreType").asText()).isEqualTo("PKCS12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(Path.of(started.at("/ca/trustStore").asText()))) {
            store.load(in, started.at("/ca/trustStorePassword").asText().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(trusting).build();

        JsonNode azure = started.at("/emulators/0");
        assertThat(azure.path("provider").asText()).isEqualTo("azure");
        assertThat(azure.path("endpoint").asText()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(azure.path("tlsEndpoint").asText()).matches("https://127\\.0\\.0\\.1:\\d+");
        URI subscriptions = URI.create(azure.path("tlsEndpoint").asText() + "/subscriptions?api-version=2022-12-01");
        // The limits file gave ARM's reads a bucket of two: the third read is throttled, over HTTPS too.
        assertThat(https.send(HttpRequest.newBuilder(subscriptions).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(azure.path("endpoint").asText()
                + "/subscriptions?api-version=2022-12-01")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        HttpResponse<String> third = https.send(HttpRequest.newBuilder(subscriptions).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.body()).contains("\"code\":\"SubscriptionRequestsThrottled\"");

        JsonNode gcp = started.at("/emulators/1");
        HttpResponse<String> region = https.send(HttpRequest.newBuilder(URI.create(gcp.path("tlsEndpoint").asText()
                + "/compute/v1/projects/p/regions/us-east1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(region.statusCode()).isEqualTo(500);
        assertThat(region.body()).contains("\"reason\":\"backendError\"");

        stdinWriter.close();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void limitsAndFaultsThatCannotApplyAreRefusedNamingWhatIsWrong(@TempDir Path dir) throws Exception {
        Path limits = dir.resolve("limits.yaml");
        Files.writeString(limits, "aws:\n  RunInstancez: { limit: 5, window: 1m }\n");
        assertThat(run("--providers", "aws", "--limits", limits.toString())).isEqualTo(EmulatorsMain.USAGE);
        assertThat(err()).contains("-- aws: the EC2 emulator's limits are TokenBuckets; got FixedWindow[limit=5,");
        err.reset();

        Files.writeString(limits, "aws:\n  RunInstances: { capacity: 5 }\n");
        assertThat(run("--providers", "aws", "--limits", limits.toString())).isEqualTo(EmulatorsMain.USAGE);
        assertThat(err()).contains("-- --limits " + limits + ": aws.RunInstances: expected { capacity: N,"
                + " refill_per_second: R } (a token bucket) or { limit: N, window: 1m } (a fixed window), got");
        err.reset();

        Files.writeString(limits, "azure:\n  arm.readz: { capacity: 5, refill_per_second: 1 }\n");
        assertThat(run("--providers", "azure", "--limits", limits.toString())).isEqualTo(EmulatorsMain.USAGE);
        assertThat(err()).contains("-- azure: no limit named 'arm.readz'; known: arm.reads, arm.writes");
        err.reset();

        Files.writeString(limits, "gcp:\n  gce.reads: { limit: 5, window: 1m }\n");
        assertThat(run("--providers", "aws", "--limits", limits.toString())).isEqualTo(EmulatorsMain.USAGE);
        assertThat(err()).contains("-- --limits " + limits + " sets limits of gcp, which is not started"
                + " (--providers aws)");
        err.reset();

        assertThat(run("--providers", "aws", "--fault", "aws:RunInstances:errorRate=2")).isEqualTo(
                EmulatorsMain.USAGE);
        assertThat(err()).contains("-- --fault aws:RunInstances:errorRate=2: error rate must be between 0 and 1,"
                + " got 2.0");
        err.reset();
        assertThat(run("--fault", "aws:RunInstances")).isEqualTo(EmulatorsMain.USAGE);
        assertThat(err()).contains("-- --fault takes PROVIDER:ACTION:KEY=VALUE[,KEY=VALUE...]");
        assertThat(out.size()).isZero();
    }

    private static CompletableFuture<Integer> launch(PipedOutputStream stdinWriter, PipedInputStream stdoutReader,
            String... args) throws java.io.IOException {
        PipedInputStream stdin = new PipedInputStream(stdinWriter);
        PrintStream stdout = new PrintStream(new PipedOutputStream(stdoutReader), true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return EmulatorsMain.run(args, stdin, stdout, stderr);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        });
    }

    private static String firstLine(PipedInputStream stdout) throws java.io.IOException {
        return new java.io.BufferedReader(new java.io.InputStreamReader(stdout, StandardCharsets.UTF_8)).readLine();
    }
}
