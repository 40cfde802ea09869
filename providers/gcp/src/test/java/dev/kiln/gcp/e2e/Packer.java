package dev.kiln.gcp.e2e;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The packer these tests run, or a skip that says why there is none; under
 * {@code -Dkiln.requireTools=true} (as CI runs) a missing packer fails instead, as in testkit's
 * PackerAmazonEbsTest.
 */
final class Packer {

    private Packer() {
    }

    static Path require() {
        Optional<Path> found = Optional.ofNullable(System.getProperty("kiln.packer")).map(Path::of)
                .or(() -> Optional.of(Path.of("/usr/bin/packer")).filter(Files::isExecutable))
                .or(() -> onPath("packer"));
        if (found.isPresent() && Files.isExecutable(found.get())) {
            return found.get();
        }
        String why = "packer is not installed (looked at -Dkiln.packer, /usr/bin/packer and PATH);"
                + " install Debian's packer 1.6.6 (apt-get install packer) to run this test";
        if (Boolean.getBoolean("kiln.requireTools")) {
            fail(why + " -- kiln.requireTools=true makes this a failure");
        }
        Assumptions.abort(why);
        throw new AssertionError("unreachable");
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
