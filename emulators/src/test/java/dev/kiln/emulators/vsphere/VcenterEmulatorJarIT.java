package dev.kiln.emulators.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged kiln-emulators.jar serves the vCenter emulator over HTTPS (its own certificate, Bouncy
 * Castle shaded in), both APIs on one port.
 */
class VcenterEmulatorJarIT {

    private static final Path JAR = Path.of("target", "kiln-emulators.jar");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void the_launcher_serves_vsphere_over_https_with_both_apis() throws Exception {
        assertThat(JAR).as("the shaded launcher built by package").exists();
        Process emulator = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "--providers", "vsphere", "--port", "0")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String line = new BufferedReader(new InputStreamReader(emulator.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(line).matches("vsphere https://127\\.0\\.0\\.1:\\d+");
            URI endpoint = URI.create(line.substring("vsphere ".length()));

            // Both APIs on the one port: vim25 at /sdk, REST under /api
            Soap soap = new Soap(endpoint, Rest.trustingAnything());
            assertThat(soap.call("<RetrieveServiceContent xmlns=\"urn:vim25\"><_this type=\"ServiceInstance\">"
                    + "ServiceInstance</_this></RetrieveServiceContent>").body()).contains("<apiType>VirtualCenter</apiType>");
            Rest rest = new Rest(endpoint, Rest.trustingAnything()).login();
            assertThat(rest.get("/api/vcenter/vm?names=" + VcenterEmulator.DEFAULT_SOURCE_VM).body()).hasSize(1);
        } finally {
            emulator.getOutputStream().close();
            if (!emulator.waitFor(10, TimeUnit.SECONDS)) {
                emulator.destroyForcibly();
            }
        }
    }
}
