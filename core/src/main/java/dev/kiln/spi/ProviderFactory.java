package dev.kiln.spi;

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
     * A provider configured from {@code settings}: the production defaults (SDK credential chains,
     * public endpoints) for anything not set. Secrets never come through settings; providers read
     * them from their usual places (environment, credential files, instance metadata).
     */
    CloudProvider create(ProviderSettings settings);
}
