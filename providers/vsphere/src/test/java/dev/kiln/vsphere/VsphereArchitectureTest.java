package dev.kiln.vsphere;

import dev.kiln.testkit.ProviderArchitecture;
import org.junit.jupiter.api.Test;

/** The provider template and core's house rules, kept by the vSphere provider. */
class VsphereArchitectureTest {

    @Test
    void the_module_keeps_the_provider_template() {
        ProviderArchitecture.of(VsphereProvider.class).check();
    }
}
