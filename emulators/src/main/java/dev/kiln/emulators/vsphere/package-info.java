/**
 * The vCenter emulator, {@link dev.kiln.emulators.vsphere.VcenterEmulator}, speaking the vSphere
 * Automation REST API, and {@link dev.kiln.emulators.vsphere.CloneBuildStandIn}, a program that makes
 * the REST calls of a vsphere-clone build for packer to run (packer's own builder speaks SOAP).
 * {@code PACKER_CALLS.md} beside these classes lists that call sequence and the SOAP calls each
 * stands for. Everything else in this package is the emulator's implementation.
 */
package dev.kiln.emulators.vsphere;
