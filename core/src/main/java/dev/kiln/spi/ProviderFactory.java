package dev.kiln.spi;

import dev.kiln.plan.ProviderCatalog;

/**
 * Creates a {@link CloudProvider} from settings, so tools such as the {@code kiln} CLI can build
 * providers for the ids a plan names without knowing their classes. Provider modules register an
 * implementation in {@code META-INF/services/dev.kiln.spi.ProviderFactory}.
 *
 * <p>Stability: evolving SPI.
 */
public interface ProviderFactory {

    /** The provider id this factory builds, e.g. {@code aws}. */
    String id();

    /**
     * What plans may name with this provider (regions, limits), for checking a plan without
     * creating a provider: no settings, credentials or calls are needed. The provider's own
     * {@link CloudProvider#catalog()} by default accepts everything; factories of providers that
     * know their regions and limits return the same catalog here.
     */
    default ProviderCatalog catalog() {
        return ProviderCatalog.open(id());
    }

    /**
     * A provider configured from {@code settings}: the production defaults (SDK credential chains,
     * public endpoints) for anything not set. Secrets never come through settings; providers read
     * them from their usual places (environment, credential files, instance metadata).
     */
    CloudProvider create(ProviderSettings settings);
}
