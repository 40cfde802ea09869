/**
 * The Google Compute Engine emulator, {@link dev.kiln.emulators.gcp.GceEmulator}, with the token
 * endpoint and metadata server that packer's own googlecompute builder needs to run against it
 * through a proxy that takes TLS off its calls (Kiln's gate). Everything else in this package is the
 * emulator's implementation. {@code PACKER_CALLS.md} beside these classes records the calls of one
 * such build.
 */
package dev.kiln.emulators.gcp;
