package dev.kiln.examples.local;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** packer for the example tests: skipped where missing, a failure under -Dkiln.requireTools=true. */
final class Packer {

    private Packer() {
    }

    static void require() {
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, "packer"))) {
                return;
            }
        }
        String why = "packer not found on PATH; install it (Debian: apt-get install packer)";
        if (Boolean.getBoolean("kiln.requireTools")) {
            fail(why + " -- kiln.requireTools=true makes this a failure");
        }
        Assumptions.abort(why + "; skipped");
    }

    static Path examples() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("plans")) ? here : here.resolve("examples");
    }
}
