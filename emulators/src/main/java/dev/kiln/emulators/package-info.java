/**
 * Provider emulators for tests, demos and local runs: each speaks its provider's real wire
 * protocol on a loopback port, throttles and enforces quotas like the provider, counts every call,
 * injects faults on request, and answers a loopback-only admin API under {@code /_kiln/}. This
 * module is a runtime: it carries no test framework, so a CLI or a service can embed it.
 *
 * <p>Three ways in: build one yourself ({@code Ec2Emulator.builder()...start()}), let JUnit hand one
 * to a test (the testkit's {@code @KilnEmulators}), or run them as a process
 * ({@code java -jar kiln-emulators.jar}, {@link dev.kiln.emulators.EmulatorsMain}). A new provider
 * joins all three by implementing {@link dev.kiln.emulators.spi.EmulatorProvider} and adding one
 * line to {@code META-INF/services/dev.kiln.emulators.spi.EmulatorProvider}.
 */
package dev.kiln.emulators;
