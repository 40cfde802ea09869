package dev.kiln.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.TestCa;
import dev.kiln.testkit.RequiredTools;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One conformance script ({@code src/test/resources/conformance/*.py}) run as a process by a Python
 * that has its client library, with the emulators' URLs and the test CA in its environment and
 * nothing of the developer's: no cloud credentials, profiles or config files reach it. Each line
 * it prints is one JSON object, a {@code check} and what the client saw.
 */
final class PythonClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path python;
    private final String script;

    /** The script {@code conformance/NAME}, run by a python3 that imports {@code module} (Debian's {@code debianPackage}). */
    PythonClient(String script, String module, String debianPackage) {
        this.python = RequiredTools.python(module, debianPackage);
        this.script = script;
    }

    /**
     * Runs the script with {@code env} (the CA's PEM written to {@code work} and named by
     * {@code KILN_CA_BUNDLE}) and returns its checks by name; fails with its output when it exits
     * non-zero.
     */
    Map<String, JsonNode> run(Path work, TestCa ca, Map<String, String> env) throws IOException, InterruptedException {
        Path file;
        try {
            file = Path.of(PythonClient.class.getResource("/conformance/" + script).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path home = Files.createDirectories(work.resolve("home"));
        ProcessBuilder pb = new ProcessBuilder(python.toString(), file.toString()).directory(work.toFile());
        Map<String, String> environment = pb.environment();
        environment.clear();
        environment.put("PATH", "/usr/bin:/bin");
        environment.put("HOME", home.toString());
        environment.put("LANG", "C.UTF-8");
        environment.put("PYTHONDONTWRITEBYTECODE", "1");
        environment.put("KILN_CA_BUNDLE", ca.writeTo(work.resolve("ca")).pem().toString());
        environment.putAll(env);
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        // A guard against a client that hangs, not a measure of anything.
        boolean ended = p.waitFor(3, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly();
        }
        assertThat(ended && p.exitValue() == 0).as("%s ended well:%nstdout:%n%s%nstderr:%n%s", script, out, err.join())
                .isTrue();
        Map<String, JsonNode> checks = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                JsonNode n = JSON.readTree(line);
                checks.put(n.path("check").asText(), n);
            }
        }
        return checks;
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
