package dev.kiln.emulators.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged kiln-emulators.jar serves the vCenter emulator and runs the clone-build stand-in,
 * the way a packer template runs it: {@code java -cp kiln-emulators.jar ...CloneBuildStandIn}.
 */
class VcenterEmulatorJarIT {

    private static final Path JAR = Path.of("target", "kiln-emulators.jar");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void the_launcher_serves_vsphere_and_the_stand_in_builds_against_it() throws Exception {
        assertThat(JAR).as("the shaded launcher built by package").exists();
        Process emulator = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "--providers", "vsphere", "--port", "0")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String line = new BufferedReader(new InputStreamReader(emulator.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(line).matches("vsphere http://127\\.0\\.0\\.1:\\d+");
            URI endpoint = URI.create(line.substring("vsphere ".length()));

            ProcessBuilder standIn = new ProcessBuilder(JAVA, "-cp", JAR.toString(),
                    "dev.kiln.emulators.vsphere.CloneBuildStandIn", "--endpoint", endpoint.toString(), "--name",
                    "from-the-jar", "--build-id", "b-jar", "--host", "esx-01", "--datastore", "datastore1",
                    "--poll", "200ms").redirectErrorStream(true);
            standIn.environment().put(CloneBuildStandIn.USER_VARIABLE, VcenterEmulator.DEFAULT_USER);
            standIn.environment().put(CloneBuildStandIn.PASSWORD_VARIABLE, VcenterEmulator.DEFAULT_PASSWORD);
            Process build = standIn.start();
            String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(build.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(build.exitValue()).as("stand-in output:%n%s", output).isZero();
            assertThat(output).contains("vsphere-clone: Build finished: from-the-jar");

            Rest rest = new Rest(endpoint).login();
            assertThat(rest.get("/api/vcenter/vm?names=from-the-jar").body()).hasSize(1);
            assertThat(List.of(rest.get("/api/vcenter/vm?names=from-the-jar").body().get(0).path("power_state")
                    .asText())).containsExactly("POWERED_OFF");
        } finally {
            emulator.getOutputStream().close();
            if (!emulator.waitFor(10, TimeUnit.SECONDS)) {
                emulator.destroyForcibly();
            }
        }
    }
}
