/**
 * What an emulator of a new provider is built from. {@link dev.kiln.testkit.spi.EmulatorBase}
 * keeps what every emulator has the same way (counters, faults, rate limits, call journal, the
 * loopback server with the shared admin API) and runs each of the emulator's
 * {@link dev.kiln.testkit.spi.Protocol}s through one request pipeline: route, fault injection,
 * admission, limits, the work, the journal, the error format. A protocol gives only what is its
 * own: a {@link dev.kiln.testkit.spi.RouteTable} (or its protocol's equivalent, such as EC2's
 * action names) and how its errors read. One emulator may speak several protocols over one world,
 * chosen per request by path, header or host ({@link dev.kiln.testkit.spi.Mounts}). The builders
 * share their settings through {@link dev.kiln.testkit.spi.EmulatorBuilder} and
 * {@link dev.kiln.testkit.spi.RateLimitedEmulatorBuilder}; the launcher and the JUnit extension
 * find emulators through {@link dev.kiln.testkit.spi.EmulatorProvider}.
 *
 * <p>Stability: for emulators inside this module; may change with any release.
 */
package dev.kiln.testkit.spi;
