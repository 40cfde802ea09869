package dev.kiln.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bin/kiln} as a user runs it: a process started in a directory of the test's, over the
 * packaged {@code cli/target/kiln.jar} (failsafe runs the tests using this after {@code package}).
 * KILN_NO_BUILD keeps the script from building inside the build; the test's own KILN_*, CI and
 * GITHUB_* variables are not passed on.
 */
final class KilnProcess {

    /** How one finished process went. */
    record Run(int exit, String out, String err, Duration took) {
        @Override
        public String toString() {
            return "exit " + exit + " after " + took + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private KilnProcess() {
    }

    /** Starts {@code bin/kiln args} in {@code cwd} with {@code env} added; its stdin is closed. */
    static Process start(Path cwd, Map<String, String> env, String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(Cli.repository().resolve("bin/kiln").toString());
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KILN_") || k.equals("CI") || k.startsWith("GITHUB_"));
        pb.environment().put("KILN_NO_BUILD", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    /** Runs {@code bin/kiln args} to its end (at most four minutes). */
    static Run run(Path cwd, Map<String, String> env, String... args) throws Exception {
        long t0 = System.nanoTime();
        Process p = start(cwd, env, args);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        if (!p.waitFor(4, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("bin/kiln " + String.join(" ", args) + " did not finish in 4 minutes:\n" + out);
        }
        return new Run(p.exitValue(), out, err.get(), Duration.ofNanos(System.nanoTime() - t0));
    }

    /** All of {@code in}, or what was read before it failed. */
    static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The one run directory under {@code runs}. */
    static Path onlyRun(Path runs) throws IOException {
        try (Stream<Path> s = Files.list(runs)) {
            List<Path> dirs = s.filter(Files::isDirectory).toList();
            if (dirs.size() != 1) {
                throw new AssertionError("expected one run directory in " + runs + ", found " + dirs);
            }
            return dirs.get(0);
        }
    }
}
