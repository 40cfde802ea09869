package dev.kiln.azure.internal;

import com.azure.core.management.AzureEnvironment;
import dev.kiln.KilnException;
import dev.kiln.azure.AzureProvider;
import dev.kiln.plan.ProviderCatalog;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderFactory;
import dev.kiln.spi.ProviderSettings;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds {@link AzureProvider}s for tools (the CLI) from non-secret settings:
 * {@code KILN_AZURE_ENDPOINT} (an ARM emulator), {@code KILN_AZURE_CLOUD} ({@code public},
 * {@code china}, {@code usgovernment}; Azure Germany is closed), {@code KILN_AZURE_TENANT},
 * {@code KILN_AZURE_MAX_ATTEMPTS}, {@code KILN_AZURE_OPERATION_TIMEOUT} (ISO-8601, e.g.
 * {@code PT20M}). Credentials come from {@code DefaultAzureCredential}, never from settings.
 * Registered for {@link java.util.ServiceLoader}.
 */
public final class AzureProviderFactory implements ProviderFactory {

    static final Set<String> KNOWN = Set.of("endpoint", "cloud", "tenant", "max_attempts", "operation_timeout");
    private static final Map<String, AzureEnvironment> CLOUDS = Map.of("public", AzureEnvironment.AZURE,
            "china", AzureEnvironment.AZURE_CHINA, "usgovernment", AzureEnvironment.AZURE_US_GOVERNMENT);

    @Override
    public String id() {
        return AzureProvider.ID;
    }

    @Override
    public ProviderCatalog catalog() {
        return AzureCatalog.catalog();
    }

    @Override
    public CloudProvider create(ProviderSettings settings) {
        Set<String> unknown = new TreeSet<>(settings.values().keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            throw new KilnException("unknown setting(s) " + unknown + " for provider azure; known: "
                    + new TreeSet<>(KNOWN));
        }
        AzureProvider.Builder b = AzureProvider.builder();
        settings.get("endpoint").filter(s -> !s.isBlank()).ifPresent(v -> {
            try {
                b.endpoint(URI.create(v.strip()));
            } catch (IllegalArgumentException e) {
                throw new KilnException("setting endpoint of provider azure: '" + v + "' is not a URI such as"
                        + " http://127.0.0.1:8601", e);
            }
        });
        settings.get("cloud").filter(s -> !s.isBlank()).ifPresent(v -> {
            AzureEnvironment env = CLOUDS.get(v.strip().toLowerCase(Locale.ROOT));
            if (env == null) {
                throw new KilnException("setting cloud of provider azure: '" + v + "' is not one of "
                        + new TreeSet<>(CLOUDS.keySet()));
            }
            b.environment(env);
        });
        settings.get("tenant").filter(s -> !s.isBlank()).ifPresent(v -> b.tenant(v.strip()));
        settings.get("max_attempts").ifPresent(v -> {
            try {
                b.maxAttempts(Integer.parseInt(v.strip()));
            } catch (IllegalArgumentException e) {
                throw new KilnException("setting max_attempts of provider azure: '" + v + "' is not a whole number"
                        + " of at least 1", e);
            }
        });
        settings.get("operation_timeout").ifPresent(v -> {
            try {
                b.operationTimeout(Duration.parse(v.strip()));
            } catch (DateTimeParseException | IllegalArgumentException e) {
                throw new KilnException("setting operation_timeout of provider azure: '" + v + "' is not a positive"
                        + " ISO-8601 duration such as PT20M", e);
            }
        });
        return b.build();
    }

    @Override
    public String toString() {
        return "AzureProviderFactory[azure]";
    }
}
