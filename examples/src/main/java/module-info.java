/**
 * Kiln's examples: embedding Kiln, and a custom provider other tools find through the
 * {@code ProviderFactory} this module provides.
 */
module dev.kiln.examples {
    requires transitive dev.kiln.core;

    exports dev.kiln.examples;
    exports dev.kiln.examples.local;

    provides dev.kiln.spi.ProviderFactory with dev.kiln.examples.local.LocalDirectoryProviderFactory;
}
