package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Tools tests need: where one is missing the test is skipped, saying so, unless
 * {@code -Dkiln.requireTools=true} (bin/test and CI) makes that a failure.
 */
final class Tools {

    private Tools() {
    }

    static Path packer() {
        return require("packer", "Debian: apt-get install packer");
    }

    private static Path require(String name, String how) {
        Optional<Path> found = onPath(name);
        if (found.isPresent()) {
            return found.get();
        }
        String why = name + " not found on PATH; install it (" + how + ")";
        if (Boolean.getBoolean("kiln.requireTools")) {
            fail(why + " -- kiln.requireTools=true makes this a failure");
        }
        Assumptions.abort(why + "; skipped");
        throw new AssertionError("unreachable");
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(Pattern.quote(File.pathSeparator))) {
            Path p = Path.of(dir, name);
            if (!dir.isBlank() && Files.isExecutable(p) && !Files.isDirectory(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
