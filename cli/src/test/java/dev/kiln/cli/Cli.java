package dev.kiln.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** Runs {@code kiln} in-process as a user would, with its own streams and environment. */
final class Cli {

    /** What one command printed and how it exited. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    static Result run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("PATH", System.getenv("PATH"));
        int code = KilnCommand.execute(CliContext.of(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), all), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result run(String... args) {
        return run(Map.of(), args);
    }

    /** The test plans (src/test/resources/plans) copied into {@code dir}, so runs can write next to them. */
    static Path plans(Path dir) {
        try {
            Path source = Path.of(Cli.class.getResource("/plans/small.yaml").toURI()).getParent();
            Path target = dir.resolve("plans");
            try (Stream<Path> files = Files.walk(source)) {
                for (Path p : files.toList()) {
                    Path to = target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The repository's root: cli/.. */
    static Path repository() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("examples")) ? here : here.getParent();
    }
}
