package dev.kiln.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The external tools a test runs, found or explained: where one is missing the test is skipped,
 * saying why and how to install it, unless {@code -Dkiln.requireTools=true} (what {@code bin/test}
 * and CI set) makes that a failure, so CI cannot pass by skipping.
 */
public final class RequiredTools {

    private RequiredTools() {
    }

    /**
     * The packer to run: {@code -Dkiln.packer}, else {@code KILN_PACKER}, else Debian's
     * {@code /usr/bin/packer}, else the first on {@code PATH}.
     */
    public static Path packer() {
        Optional<Path> found = Optional.ofNullable(System.getProperty("kiln.packer")).map(Path::of)
                .or(() -> Optional.ofNullable(System.getenv("KILN_PACKER")).filter(s -> !s.isBlank()).map(Path::of))
                .or(() -> Optional.of(Path.of("/usr/bin/packer")))
                .filter(RequiredTools::runnable)
                .or(() -> onPath("packer"));
        return found.orElseGet(() -> unavailable("packer is not installed (looked at -Dkiln.packer, KILN_PACKER,"
                + " /usr/bin/packer and PATH); install Debian's packer 1.6.6 (apt-get install packer)"));
    }

    /**
     * A Python 3 that can import {@code module} (e.g. {@code boto3}): {@code -Dkiln.python}, else
     * {@code KILN_PYTHON}, else Debian's {@code /usr/bin/python3} (where Debian's {@code python3-*}
     * packages install), else the first {@code python3} on {@code PATH}; the first of them that
     * imports it. Unavailable, naming {@code debianPackage}, when none does.
     */
    public static Path python(String module, String debianPackage) {
        List<Path> tried = new ArrayList<>();
        Optional.ofNullable(System.getProperty("kiln.python")).map(Path::of).ifPresent(tried::add);
        Optional.ofNullable(System.getenv("KILN_PYTHON")).filter(s -> !s.isBlank()).map(Path::of)
                .ifPresent(tried::add);
        tried.add(Path.of("/usr/bin/python3"));
        onPath("python3").ifPresent(tried::add);
        for (Path python : tried) {
            if (runnable(python) && imports(python, module)) {
                return python;
            }
        }
        return unavailable("no python3 can import " + module + " (tried -Dkiln.python, KILN_PYTHON, /usr/bin/python3"
                + " and PATH: " + tried + "); install Debian's " + debianPackage + " (apt-get install "
                + debianPackage + "), or point -Dkiln.python at a python3 that has " + module);
    }

    private static boolean imports(Path python, String module) {
        try {
            Process p = new ProcessBuilder(python.toString(), "-c", "import " + module)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            // A guard against an interpreter that hangs, not a measure of anything.
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The first executable named {@code name} on {@code PATH}. */
    public static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (!dir.isBlank() && runnable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean runnable(Path p) {
        return Files.isExecutable(p) && !Files.isDirectory(p);
    }

    /**
     * Skips the calling test because a tool it needs is unavailable ({@code why} says which and
     * how to get it), or fails it under {@code -Dkiln.requireTools=true}. Never returns.
     */
    public static <T> T unavailable(String why) {
        if (Boolean.getBoolean("kiln.requireTools")) {
            Assertions.fail(why + " -- kiln.requireTools=true makes this a failure");
        }
        Assumptions.abort(why + "; skipped");
        throw new AssertionError("unreachable");
    }
}
