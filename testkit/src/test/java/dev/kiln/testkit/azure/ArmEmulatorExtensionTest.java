package dev.kiln.testkit.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testkit.KilnEmulators;
import org.junit.jupiter.api.Test;

/** The JUnit extension hands out the ARM emulator like any registered emulator. */
@KilnEmulators
class ArmEmulatorExtensionTest {

    @Test
    void an_arm_emulator_parameter_is_started_for_the_class(ArmEmulator arm) {
        assertThat(arm.provider()).isEqualTo("azure");
        assertThat(arm.endpoint().toString()).matches("http://127\\.0\\.0\\.1:\\d+");
    }
}
