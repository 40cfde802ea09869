package dev.kiln.azure;

import dev.kiln.testkit.ProviderArchitecture;
import org.junit.jupiter.api.Test;

/** The provider template and core's house rules, kept by the Azure provider. */
class AzureArchitectureTest {

    @Test
    void the_module_keeps_the_provider_template() {
        ProviderArchitecture.of(AzureProvider.class).check();
    }
}
