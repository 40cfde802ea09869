/**
 * Kiln's provider for Google Compute Engine: {@link dev.kiln.gcp.GcpProvider}. See {@code docs/providers/gcp.md}.
 */
package dev.kiln.gcp;
