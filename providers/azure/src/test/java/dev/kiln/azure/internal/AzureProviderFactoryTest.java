package dev.kiln.azure.internal;

import dev.kiln.plan.Target;
import dev.kiln.plan.ProviderCatalog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.KilnException;
import dev.kiln.spi.ProviderFactory;
import dev.kiln.spi.ProviderSettings;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Tools find the Azure provider by its id and build it from non-secret settings. */
class AzureProviderFactoryTest {

    @Test
    void the_factory_is_registered_under_azure() {
        // On the module path these tests run inside dev.kiln.azure, which provides factories but never loads one.
        AzureProviderFactoryTest.class.getModule().addUses(ProviderFactory.class);
        assertThat(ServiceLoader.load(ProviderFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.id().equals("azure"))).singleElement().isInstanceOf(AzureProviderFactory.class);
    }

    @Test
    void settings_come_from_kiln_azure_variables() {
        ProviderSettings settings = ProviderSettings.fromEnvironment("azure", Map.of(
                "KILN_AZURE_ENDPOINT", "http://127.0.0.1:8601", "KILN_AZURE_MAX_ATTEMPTS", "3"));
        assertThat(new AzureProviderFactory().create(settings).toString())
                .isEqualTo("AzureProvider[http://127.0.0.1:8601]");
    }

    @Test
    void bad_settings_are_named() {
        AzureProviderFactory f = new AzureProviderFactory();
        assertThatThrownBy(() -> f.create(new ProviderSettings("azure", Map.of("region", "x"))))
                .isInstanceOf(KilnException.class).hasMessage("unknown setting(s) [region] for provider azure; known:"
                        + " [cloud, endpoint, max_attempts, operation_timeout, tenant]");
        assertThatThrownBy(() -> f.create(new ProviderSettings("azure", Map.of("cloud", "mars"))))
                .hasMessage("setting cloud of provider azure: 'mars' is not one of [china, public, usgovernment]");
        assertThatThrownBy(() -> f.create(new ProviderSettings("azure", Map.of("operation_timeout", "20m"))))
                .hasMessageContaining("is not a positive ISO-8601 duration such as PT20M");
    }

    @Test
    void its_catalog_has_the_sdks_locations_and_arms_limits_offline() {
        ProviderCatalog catalog = new AzureProviderFactory().catalog();
        Target t = new Target("azure", "2f1c7b4e-8a53-4d6e-9b0f-1c2d3e4f5a6b", "westeurope", Map.of());

        assertThat(catalog.regionWord()).isEqualTo("location");
        assertThat(catalog.regions()).contains("westeurope", "eastus", "southeastasia");
        assertThat(catalog.knowsRegion("westeuorpe")).isFalse();
        assertThat(catalog.knowsLimit(t, "arm.writes")).isTrue();
        assertThat(catalog.knowsLimit(t, "compute.PutVM")).isTrue();
        assertThat(catalog.knowsLimit(t, "RunInstances")).isFalse();
        assertThat(new AzureProviderFactory().create(ProviderSettings.none("azure")).catalog()).isSameAs(catalog);
    }
}
