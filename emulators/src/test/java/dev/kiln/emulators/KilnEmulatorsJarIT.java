package dev.kiln.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged launcher, run the way CI and other modules will run it: {@code java -jar kiln-emulators.jar}. */
class KilnEmulatorsJarIT {

    private static final Path JAR = Path.of("target", "kiln-emulators.jar");

    private static ProcessBuilder launcher(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] command = new String[args.length + 3];
        command[0] = java;
        command[1] = "-jar";
        command[2] = JAR.toString();
        System.arraycopy(args, 0, command, 3, args.length);
        return new ProcessBuilder(command);
    }

    @Test
    void servesEc2UntilStandardInputEnds() throws Exception {
        assertThat(JAR).as("the shaded launcher built by package").exists();
        Process p = launcher("--providers", "aws", "--port", "0").redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).matches("aws http://127\\.0\\.0\\.1:\\d+");
            URI endpoint = URI.create(line.substring("aws ".length()));

            HttpResponse<String> regions = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint)
                    .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString("Action=DescribeRegions&Version=2016-11-15")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(regions.statusCode()).isEqualTo(200);
            assertThat(regions.body()).contains("<regionName>us-east-1</regionName>");

            p.getOutputStream().close();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the launcher stops when its stdin ends").isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void servesArmUnderItsName() throws Exception {
        Process p = launcher("--providers", "azure").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).matches("azure http://127\\.0\\.0\\.1:\\d+");
            URI endpoint = URI.create(line.substring("azure ".length()) + "/subscriptions?api-version=2022-12-01");
            HttpResponse<String> subscriptions = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(subscriptions.statusCode()).isEqualTo(200);
            assertThat(subscriptions.body()).contains("\"subscriptionId\"");
            p.getOutputStream().close();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void badArgumentsExitTwoWithOneLine() throws Exception {
        Path err = Files.createTempFile("kiln-emulators", ".err");
        try {
            Process p = launcher("--providers", "azure-stack").redirectError(err.toFile()).start();
            p.getOutputStream().close();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(2);
            // Every registered emulator is listed; more join as providers land.
            assertThat(Files.readAllLines(err)).singleElement().asString()
                    .contains("-- --providers: unknown provider 'azure-stack' (known: aws").contains("vsphere");
        } finally {
            Files.deleteIfExists(err);
        }
    }

    @Test
    void servesHttpsWithTheCaItWritesAndSaysSoInJson(@TempDir Path dir) throws Exception {
        Process p = launcher("--providers", "gcp", "--json", "--ca-dir", dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            JsonNode started = new ObjectMapper().readTree(out.readLine());
            String pem = Files.readString(Path.of(started.at("/ca/pem").asText()));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            URI region = URI.create(started.at("/emulators/0/tlsEndpoint").asText()
                    + "/compute/v1/projects/p/regions/us-east1");
            HttpResponse<String> r = HttpClient.newBuilder().sslContext(tls).build().send(
                    HttpRequest.newBuilder(region).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"kind\":\"compute#region\"");
            p.getOutputStream().close();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }
}
