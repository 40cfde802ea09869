/**
 * What Kiln's tests, and the tests of a provider or store built on Kiln, share: the JUnit 5
 * extension that hands out emulators ({@link dev.kiln.testkit.KilnEmulators}, over
 * {@code kiln-emulators}), {@link dev.kiln.testkit.RunAudit} for what a finished run left on
 * disk, {@link dev.kiln.testkit.RequiredTools} for the external tools a test runs, and in
 * {@code dev.kiln.testkit.contract} the contract kits every provider and every coordination store
 * passes.
 */
package dev.kiln.testkit;
