package dev.kiln.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.emulators.azure.ArmEmulator;
import dev.kiln.emulators.gcp.GceEmulator;
import dev.kiln.emulators.vsphere.VcenterEmulator;
import org.junit.jupiter.api.Test;

/** The JUnit extension hands out every registered emulator type, not only EC2's. */
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
    void a_vcenter_emulator_parameter_is_started_for_the_class(VcenterEmulator vcenter) {
        assertThat(vcenter.provider()).isEqualTo("vsphere");
        assertThat(vcenter.endpoint().toString()).matches("http://127\\.0\\.0\\.1:\\d+");
    }
}
