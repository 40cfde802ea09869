package dev.kiln.gcp;

import dev.kiln.testkit.ProviderArchitecture;
import org.junit.jupiter.api.Test;

/** The provider template and core's house rules, kept by the GCP provider. */
class GcpArchitectureTest {

    @Test
    void the_module_keeps_the_provider_template() {
        ProviderArchitecture.of(GcpProvider.class).check();
    }
}
