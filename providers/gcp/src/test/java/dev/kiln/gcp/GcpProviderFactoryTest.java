package dev.kiln.gcp;

import dev.kiln.plan.ProviderCatalog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.KilnException;
import dev.kiln.emulators.gcp.GceEmulator;
import dev.kiln.plan.Target;
import dev.kiln.spi.Budget;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderFactory;
import dev.kiln.spi.ProviderSettings;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Tools find the GCP provider through ServiceLoader and configure it from KILN_GCP_* settings. */
class GcpProviderFactoryTest {

    private static final Target TARGET = new Target("gcp", "kiln-test", "us-east1", Map.of("zone", "us-east1-c"));

    private static ProviderFactory factory() {
        return ServiceLoader.load(ProviderFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.id().equals("gcp")).findFirst().orElseThrow();
    }

    @Test
    void settingsFromTheEnvironmentPointItAtAnEmulatorWithoutCredentials() {
        try (GceEmulator gce = GceEmulator.start()) {
            ProviderSettings settings = ProviderSettings.fromEnvironment("gcp", Map.of(
                    "KILN_GCP_ENDPOINT", gce.endpoint() + "/", "KILN_GCP_NO_CREDENTIALS", "true",
                    "KILN_GCP_POLL_SECONDS", "1.5", "KILN_GCP_OPERATION_POLL", "200ms"));
            try (CloudProvider gcp = factory().create(settings)) {
                assertThat(gcp.id()).isEqualTo("gcp");
                assertThat(gcp.probeQuotas(TARGET).quotas()).containsKey("vcpus");
                assertThat(gcp.packerEnv(TARGET, Budget.UNLIMITED))
                        .containsEntry(GcpProvider.ENV_ENDPOINT, gce.endpoint().toString())
                        .containsEntry(GcpProvider.ENV_POLL_SECONDS, "1.500")
                        .containsEntry(GcpProvider.ENV_ZONE, "us-east1-c");
            }
        }
    }

    @Test
    void noSettingsMeanGooglesEndpointAndPackersPolling() {
        try (CloudProvider gcp = factory().create(ProviderSettings.none("gcp"))) {
            assertThat(gcp.packerEnv(TARGET, Budget.UNLIMITED)).containsEntry(GcpProvider.ENV_POLL_SECONDS, "2.000")
                    .doesNotContainKey(GcpProvider.ENV_ENDPOINT);
        }
    }

    @Test
    void badSettingsAreNamedWithWhatIsAllowed() {
        assertThatThrownBy(() -> factory().create(new ProviderSettings("gcp", Map.of("endpiont", "x"))))
                .isInstanceOf(KilnException.class)
                .hasMessage("unknown setting(s) [endpiont] for provider gcp; known: [call_timeout, endpoint,"
                        + " max_attempts, no_credentials, operation_poll, operation_timeout, poll_seconds]");
        assertThatThrownBy(() -> factory().create(new ProviderSettings("gcp", Map.of("poll_seconds", "soon"))))
                .isInstanceOf(KilnException.class)
                .hasMessage("setting poll_seconds of provider gcp: 'soon' is not a positive duration such as 2s, 1.5,"
                        + " 500ms, 10m or 1h");
        assertThatThrownBy(() -> factory().create(new ProviderSettings("gcp", Map.of("endpoint", "127.0.0.1:8085"))))
                .isInstanceOf(KilnException.class)
                .hasMessage("setting endpoint of provider gcp: '127.0.0.1:8085' is not a URL such as"
                        + " http://127.0.0.1:8085");
        assertThatThrownBy(() -> factory().create(new ProviderSettings("gcp", Map.of("max_attempts", "0"))))
                .isInstanceOf(KilnException.class).hasMessageContaining("'0' is not a whole number of at least 1");
    }

    @Test
    void itsCatalogHasKilnsListOfRegionsAndTheRateQuotasOffline() {
        ProviderCatalog catalog = factory().catalog();

        assertThat(catalog.regions()).contains("us-central1", "europe-west4", "asia-east1", "us-east1");
        assertThat(catalog.knowsRegion("us-centrl1")).isFalse();
        assertThat(catalog.knowsRegion("us-central1-a")).as("a zone is not a region").isFalse();
        assertThat(catalog.knowsLimit(TARGET, "gce.reads")).isTrue();
        assertThat(catalog.knowsLimit(TARGET, "RunInstances")).isFalse();
        assertThat(catalog.aliases()).contains("gcloud", "google");
    }
}
