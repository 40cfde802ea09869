/** The vSphere provider's implementation: its REST client, quota probe and sweeper. Not exported: nothing here is API. */
package dev.kiln.vsphere.internal;
