/**
 * The gate: a loopback HTTPS proxy that packer processes use through {@code HTTPS_PROXY}, so every
 * call packer's own SDKs make to a provider API passes through Kiln. {@link dev.kiln.gate.Gate} is
 * the entry point; {@link dev.kiln.gate.Interception}, {@link dev.kiln.gate.Router} and
 * {@link dev.kiln.gate.Meter} are the seams through which Kiln decides which hosts are seen,
 * where their calls go and when they may leave.
 *
 * <p>Stability: evolving API.
 */
package dev.kiln.gate;
