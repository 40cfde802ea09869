/**
 * The Google Compute Engine emulator, {@link dev.kiln.emulators.gcp.GceEmulator}, and
 * {@link dev.kiln.emulators.gcp.GceBuildStandIn}, a program that makes the Compute Engine calls of
 * one packer googlecompute build, for packer (1.6.6) whose googlecompute builder cannot be pointed
 * at another endpoint. Everything else in this package is the emulator's implementation.
 * {@code PACKER_CALLS.md} beside these classes records the googlecompute builder's call sequence.
 */
package dev.kiln.emulators.gcp;
