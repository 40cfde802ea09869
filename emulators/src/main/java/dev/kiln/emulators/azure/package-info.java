/**
 * An Azure Resource Manager emulator ({@link dev.kiln.emulators.azure.ArmEmulator}), with the Azure
 * AD token endpoint and the guest SSH that packer's own azure-arm builder needs to run against it
 * through a proxy that takes TLS off its calls (Kiln's gate). {@code PACKER_CALLS.md} beside these
 * classes records the calls of one such build.
 */
package dev.kiln.emulators.azure;
