package dev.kiln.packer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Variables of Kiln's environment a runner withholds never reach packer. */
class WithheldEnvironmentTest {

    @TempDir
    Path dir;

    @Test
    void a_withheld_variable_is_not_inherited_and_the_rest_are() throws Exception {
        // Given a stand-in packer that writes down its environment (as packer's provisioners could read it)
        assertThat(System.getenv("HOME")).as("the test needs a variable it can withhold").isNotNull();
        Path seen = dir.resolve("env.txt");
        Path packer = dir.resolve("packer");
        Files.writeString(packer, "#!/bin/sh\nenv > '" + seen + "'\necho 'Packer v1.6.6'\n");
        Files.setPosixFilePermissions(packer, PosixFilePermissions.fromString("rwx------"));

        // When a runner withholding HOME asks it its version
        try (ProcessPackerRunner runner = PackerRunners.processBuilder().executable(packer).withholdEnv("HOME")
                .build()) {
            runner.version();
        }

        // Then packer saw PATH but not HOME
        String env = Files.readString(seen);
        assertThat(env).containsPattern("(?m)^PATH=").doesNotContainPattern("(?m)^HOME=");
    }
}
