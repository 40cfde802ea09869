/** Simulation: a simulated cloud and packer runner that run whole plans in virtual time. */
package dev.kiln.sim;
