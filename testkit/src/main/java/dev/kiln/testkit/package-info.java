/**
 * Provider emulators for tests and local runs: each speaks its provider's real wire protocol on a
 * loopback port, throttles and enforces quotas like the provider, counts every call, injects
 * faults on request, and answers a loopback-only admin API under {@code /_kiln/}.
 *
 * <p>Three ways in: build one yourself ({@code Ec2Emulator.builder()...start()}), let JUnit hand one
 * to a test ({@link dev.kiln.testkit.KilnEmulators}), or run them as a process
 * ({@code java -jar kiln-emulators.jar}, {@link dev.kiln.testkit.EmulatorsMain}). A new provider
 * joins all three by implementing {@link dev.kiln.testkit.spi.EmulatorProvider} and adding one line
 * to {@code META-INF/services/dev.kiln.testkit.spi.EmulatorProvider}.
 */
package dev.kiln.testkit;
