/**
 * Kiln: runs fleets of HashiCorp Packer builds as fast as the clouds allow. {@link dev.kiln.Kiln} is the
 * entry point (a builder, {@code AutoCloseable}) and hands back each run's result, job by job; what Kiln
 * throws is a {@link dev.kiln.KilnException}.
 */
package dev.kiln;
