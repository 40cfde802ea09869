package dev.kiln.vsphere;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The packer a test runs, or a skip saying why there is none; under {@code -Dkiln.requireTools=true}
 * (what CI sets) a missing packer fails the test instead, so CI cannot pass by skipping.
 */
final class Packer {

    private Packer() {
    }

    static Path require() {
        Optional<Path> found = Optional.ofNullable(System.getProperty("kiln.packer")).map(Path::of)
                .or(() -> Optional.ofNullable(System.getenv("KILN_PACKER")).filter(s -> !s.isBlank()).map(Path::of))
                .or(() -> Optional.of(Path.of("/usr/bin/packer")).filter(Files::isExecutable))
                .or(Packer::onPath);
        if (found.isPresent() && Files.isExecutable(found.get())) {
            return found.get();
        }
        String why = "packer is not installed (looked at -Dkiln.packer, KILN_PACKER, /usr/bin/packer and PATH);"
                + " install Debian's packer 1.6.6 (apt-get install packer) to run this test";
        if (Boolean.getBoolean("kiln.requireTools")) {
            fail(why + " -- kiln.requireTools=true makes this a failure");
        }
        Assumptions.abort(why);
        throw new AssertionError("unreachable");
    }

    private static Optional<Path> onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "packer");
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
