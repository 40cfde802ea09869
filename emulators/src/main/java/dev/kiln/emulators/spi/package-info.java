/**
 * What an emulator of a new provider is built from. {@link dev.kiln.emulators.spi.EmulatorBase}
 * keeps what every emulator has the same way (counters, faults, rate limits, call journal, the
 * loopback server with the shared admin API) and runs each of the emulator's
 * {@link dev.kiln.emulators.spi.Protocol}s through one request pipeline: route, fault injection,
 * admission, limits, the work, the journal, the error format. A protocol gives only what is its
 * own: a {@link dev.kiln.emulators.spi.RouteTable} (or its protocol's equivalent, such as EC2's
 * action names) and how its errors read. One emulator may speak several protocols over one world,
 * chosen per request by path, header or host ({@link dev.kiln.emulators.spi.Mounts}). The builders
 * share their settings through {@link dev.kiln.emulators.spi.EmulatorBuilder} and
 * {@link dev.kiln.emulators.spi.RateLimitedEmulatorBuilder}; the launcher and the JUnit extension
 * find emulators through {@link dev.kiln.emulators.spi.EmulatorProvider}.
 *
 * <p>Stability: for emulators inside this module; may change with any release.
 */
package dev.kiln.emulators.spi;
