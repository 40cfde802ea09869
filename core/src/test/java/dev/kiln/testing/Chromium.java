package dev.kiln.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Headless Chromium (Debian's {@code chromium}) for tests that look at a page as a browser does:
 * a screenshot, the DOM after scripts ran, and what the page logged. Every run gets a fresh
 * profile and no network features.
 */
public final class Chromium {

    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");

    private final Path executable;
    private final Path work;

    public Chromium(Path executable, Path work) {
        this.executable = executable;
        this.work = work;
    }

    /** The first Chromium on {@code KILN_CHROMIUM} or PATH. */
    public static Optional<Path> find() {
        String env = System.getenv("KILN_CHROMIUM");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String name : NAMES) {
            for (String dir : path.split(Pattern.quote(File.pathSeparator))) {
                Path candidate = Path.of(dir, name);
                if (!dir.isBlank() && Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** What one headless run printed. */
    public record Output(int exit, String stdout, String stderr) {
    }

    /** Takes a screenshot of {@code page} ({@code width} x {@code height}) into {@code png}. */
    public Output screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
        return run(List.of("--screenshot=" + png, "--window-size=" + width + "," + height, page.toUri().toString()));
    }

    /** The DOM of {@code page} after its scripts ran, and the console messages on stderr. */
    public Output dumpDom(Path page) throws IOException, InterruptedException {
        return run(List.of("--enable-logging=stderr", "--v=0", "--dump-dom", page.toUri().toString()));
    }

    private Output run(List<String> extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        List<String> argv = new ArrayList<>(List.of(executable.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                "--user-data-dir=" + profile));
        argv.addAll(extra);
        Path out = Files.createTempFile(work, "chromium", ".out");
        Path err = Files.createTempFile(work, "chromium", ".err");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("HOME", profile.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not finish within 90 s: " + argv);
        }
        return new Output(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
