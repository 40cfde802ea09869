/**
 * An Azure Resource Manager emulator ({@link dev.kiln.emulators.azure.ArmEmulator}) and the stand-in
 * for packer's azure-arm builder ({@link dev.kiln.emulators.azure.ArmBuildStandIn}) that replays its
 * call sequence against it.
 */
package dev.kiln.emulators.azure;
