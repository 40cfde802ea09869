/** The GCP provider's implementation. Not API: the jar exports it only because it cannot be a named module. */
package dev.kiln.gcp.internal;
