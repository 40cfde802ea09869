/**
 * What an emulator of a new provider is built from: the provider registration the launcher and
 * the JUnit extension discover through {@link java.util.ServiceLoader}, the loopback HTTP server
 * with the shared admin API, rate limits on the emulator's time source, and the call journal.
 *
 * <p>Stability: for emulators inside this module; may change with any release.
 */
package dev.kiln.testkit.spi;
