/**
 * Extension points: cloud providers, coordination stores and packer runners.
 *
 * <p>Stability: these interfaces are versioned with Kiln's minor version. Methods may be added
 * with default implementations in a minor release; changing or removing one waits for a major
 * release. Every provider is expected to pass the provider contract kit in {@code kiln-testkit},
 * and every coordination store the store contract kit.
 */
package dev.kiln.spi;
