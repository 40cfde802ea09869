package dev.kiln.aws;

import dev.kiln.testkit.ProviderArchitecture;
import org.junit.jupiter.api.Test;

/** The provider template and core's house rules, kept by the AWS provider. */
class AwsArchitectureTest {

    @Test
    void the_module_keeps_the_provider_template() {
        ProviderArchitecture.of(AwsProvider.class).check();
    }
}
