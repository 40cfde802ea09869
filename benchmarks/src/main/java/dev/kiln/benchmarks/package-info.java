/**
 * Benchmarks: scheduling against fixed and reactive concurrency and the lower bound (in virtual time),
 * Kiln's dispatch overhead over bare packer, and retained heap per queued job. Speed is reported here,
 * never asserted in tests; see {@code docs/benchmarks.md}.
 */
package dev.kiln.benchmarks;
