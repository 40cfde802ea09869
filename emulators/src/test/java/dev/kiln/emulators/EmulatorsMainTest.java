package dev.kiln.emulators;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

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
                + " [--verbose] [--ignore-stdin] -- unknown provider 'openstack' (known: aws")
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
}
