package dev.kiln.azure;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.azure.ArmBuildStandIn;
import dev.kiln.time.TimeSource;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/** Where the stand-in's classes and packer are, for tests that run real packer builds. */
final class StandIn {

    private StandIn() {
    }

    /** The shaded kiln-emulators.jar when the reactor has packaged it, else the stand-in's own class path. */
    static String classpath() {
        Path emulatorClasses = location(ArmBuildStandIn.class);
        Path shaded = emulatorClasses.getParent() == null ? null : emulatorClasses.getParent().resolve(
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
}
