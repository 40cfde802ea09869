package dev.kiln.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.TestCa;
import dev.kiln.emulators.TlsEndpoint;
import dev.kiln.emulators.azure.ArmEmulator;
import dev.kiln.emulators.gcp.GceEmulator;
import dev.kiln.emulators.vsphere.VcenterEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JUnit extension hands out every registered emulator type, not only EC2's, and their test CA. */
@KilnEmulators
class EveryEmulatorExtensionTest {

    @Test
    void an_arm_emulator_parameter_is_started_for_the_class(ArmEmulator arm) {
        assertThat(arm.provider()).isEqualTo("azure");
        assertThat(arm.endpoint().toString()).matches("http://127\\.0\\.0\\.1:\\d+");
    }

    @Test
    void a_gce_emulator_parameter_is_started_for_the_class(GceEmulator gce) {
        assertThat(gce.provider()).isEqualTo("gcp");
        assertThat(gce.endpoint().toString()).matches("http://127\\.0\\.0\\.1:\\d+");
    }

    @Test
    void every_emulator_also_answers_over_https_with_a_certificate_of_the_classs_ca(ArmEmulator arm, GceEmulator gce,
            TestCa ca) throws Exception {
        HttpClient trusting = HttpClient.newBuilder().sslContext(ca.clientContext()).build();
        for (Emulator e : List.of(arm, gce)) {
            TlsEndpoint tls = e.tls().orElseThrow();
            assertThat(tls.ca()).isSameAs(ca);
            assertThat(trusting.send(HttpRequest.newBuilder(URI.create(tls.endpoint() + "/_kiln/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void a_vcenter_emulator_parameter_is_started_for_the_class(VcenterEmulator vcenter) {
        assertThat(vcenter.provider()).isEqualTo("vsphere");
        // vCenter answers over HTTPS only, as the real one does: with the test CA's certificate
        assertThat(vcenter.endpoint().toString()).matches("https://127\\.0\\.0\\.1:\\d+");
        assertThat(vcenter.tls()).hasValueSatisfying(t -> assertThat(t.endpoint()).isEqualTo(vcenter.endpoint()));
    }
}
