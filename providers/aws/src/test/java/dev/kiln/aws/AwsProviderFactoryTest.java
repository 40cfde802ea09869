package dev.kiln.aws;

import dev.kiln.plan.Target;
import dev.kiln.plan.ProviderCatalog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.KilnException;
import dev.kiln.spi.Budget;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderFactory;
import dev.kiln.spi.ProviderSettings;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Tools find the AWS provider through ServiceLoader and configure it from KILN_AWS_* settings. */
class AwsProviderFactoryTest {

    private static ProviderFactory factory() {
        // On the module path these tests run inside dev.kiln.aws, which provides factories but never loads one.
        AwsProviderFactoryTest.class.getModule().addUses(ProviderFactory.class);
        return ServiceLoader.load(ProviderFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.id().equals("aws")).findFirst().orElseThrow();
    }

    @Test
    void settings_from_the_environment_configure_endpoint_and_polling() {
        ProviderSettings settings = ProviderSettings.fromEnvironment("aws", Map.of(
                "KILN_AWS_ENDPOINT", "http://127.0.0.1:4566", "KILN_AWS_POLL_DELAY", "2s",
                "KILN_AWS_WAITER_TIMEOUT", "10m", "KILN_AWS_RETRY_MODE", "adaptive",
                "KILN_AWS_BUILD_HOST", "203.0.113.7, 198.51.100.0/24", "KILN_AWS_CHECK_ACCOUNT", "false",
                "KILN_AWS_ACCOUNT_PROFILES", "123456789012=prod,210987654321=staging"));

        try (CloudProvider aws = factory().create(settings)) {
            assertThat(aws.id()).isEqualTo("aws");
            assertThat(aws.packerEnv(Fixtures.target("us-east-1"), Budget.UNLIMITED))
                    .containsEntry("KILN_AWS_ENDPOINT", "http://127.0.0.1:4566")
                    .containsEntry("AWS_POLL_DELAY_SECONDS", "2").containsEntry("AWS_MAX_ATTEMPTS", "300");
        }
    }

    @Test
    void no_settings_mean_production_defaults() {
        try (CloudProvider aws = factory().create(ProviderSettings.none("aws"))) {
            assertThat(aws.packerEnv(Fixtures.target("eu-west-1"), Budget.UNLIMITED))
                    .containsEntry("AWS_POLL_DELAY_SECONDS", "15").doesNotContainKey("KILN_AWS_ENDPOINT");
        }
    }

    @Test
    void bad_settings_are_named_with_what_is_allowed() {
        assertThatThrownBy(() -> factory().create(new ProviderSettings("aws", Map.of("endpiont", "x"))))
                .isInstanceOf(KilnException.class).hasMessageContaining("unknown setting(s) [endpiont]")
                .hasMessageContaining("endpoint");
        assertThatThrownBy(() -> factory().create(new ProviderSettings("aws", Map.of("poll_delay", "soon"))))
                .isInstanceOf(KilnException.class)
                .hasMessage("setting poll_delay of provider aws: 'soon' is not a duration such as 15s, 2m, 1h or"
                        + " 500ms");
        assertThatThrownBy(() -> factory().create(new ProviderSettings("aws", Map.of("retry_mode", "eager"))))
                .isInstanceOf(KilnException.class).hasMessageContaining("'eager' is not one of [legacy, standard");
        assertThatThrownBy(() -> factory().create(new ProviderSettings("aws", Map.of("account_profiles", "prod"))))
                .isInstanceOf(KilnException.class).hasMessageContaining("'prod' is not account=profile");
    }

    @Test
    void its_catalog_has_the_sdks_regions_and_every_ec2_action_offline() {
        // Given no settings, no credentials, no calls
        ProviderCatalog catalog = factory().catalog();

        // Then the AWS SDK's regions and EC2 actions are known, typos are not
        assertThat(catalog.regions()).contains("us-east-1", "eu-west-1", "ap-southeast-7").doesNotContain("aws-global");
        assertThat(catalog.knowsRegion("us-east-9")).isFalse();
        Target t = Fixtures.target("us-east-1");
        assertThat(catalog.knowsLimit(t, "RunInstances")).isTrue();
        assertThat(catalog.knowsLimit(t, "DescribeImages")).isTrue();
        assertThat(catalog.knowsLimit(t, "RunInstances.instances")).isTrue();
        assertThat(catalog.knowsLimit(t, "RunInstancez")).isFalse();
        assertThat(catalog.aliases()).contains("ec2", "amazon");
        try (CloudProvider aws = factory().create(ProviderSettings.none("aws"))) {
            assertThat(aws.catalog()).isSameAs(catalog);
        }
    }
}
