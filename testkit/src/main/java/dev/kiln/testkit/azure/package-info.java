/**
 * An Azure Resource Manager emulator ({@link dev.kiln.testkit.azure.ArmEmulator}) and the stand-in
 * for packer's azure-arm builder ({@link dev.kiln.testkit.azure.ArmBuildStandIn}) that replays its
 * call sequence against it.
 */
package dev.kiln.testkit.azure;
