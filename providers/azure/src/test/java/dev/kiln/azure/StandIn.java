package dev.kiln.azure;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.testkit.azure.ArmBuildStandIn;
import dev.kiln.time.TimeSource;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/** Where the stand-in's classes and packer are, for tests that run real packer builds. */
final class StandIn {

    private StandIn() {
    }

    /** testkit's kiln-emulators.jar when the reactor has packaged it, else the stand-in's own class path. */
    static String classpath() {
        Path testkitClasses = location(ArmBuildStandIn.class);
        Path shaded = testkitClasses.getParent() == null ? null : testkitClasses.getParent().resolve(
                "kiln-emulators.jar");
        if (shaded != null && Files.isRegularFile(shaded)) {
            return shaded.toString();
        }
        Set<String> parts = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {ArmBuildStandIn.class, TimeSource.class, ObjectMapper.class,
            JsonFactory.class, JsonAutoDetect.class}) {
            parts.add(location(c).toString());
        }
        return String.join(File.pathSeparator, parts);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Path template() {
        try {
            return Path.of(StandIn.class.getResource("/packer/azure-arm-stand-in.json").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The packer to run, or a skip (a failure under kiln.requireTools=true) that says why there is none. */
    static Path packer() {
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
