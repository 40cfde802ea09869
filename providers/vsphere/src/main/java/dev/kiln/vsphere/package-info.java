/**
 * Kiln's provider for VMware vSphere: {@link dev.kiln.vsphere.VsphereProvider}. See
 * {@code docs/providers/vsphere.md}.
 */
package dev.kiln.vsphere;
