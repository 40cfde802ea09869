/**
 * The vCenter emulator, {@link dev.kiln.emulators.vsphere.VcenterEmulator}: the vSphere Automation
 * REST API and the vim25 SOAP API packer's vsphere builders speak, over one inventory. Everything
 * else in this package is the emulator's implementation: the REST services, the vim25 methods
 * ({@code Vim*}, {@code PropertyCollector}, {@code Tasks}), and the world they share
 * ({@code Inventory}, {@code Devices}, {@code Provisioning}, {@code Sessions}).
 */
package dev.kiln.emulators.vsphere;
