/**
 * Packer as Kiln drives it: the runners that start builds, packer's machine-readable output as events,
 * the artifacts it reports, the classification of its failures, the redaction of its output, and
 * versions and their constraints.
 */
package dev.kiln.packer;
