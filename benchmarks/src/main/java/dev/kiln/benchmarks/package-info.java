/**
 * Benchmarks: scheduling against fixed and reactive concurrency and the lower bound (in virtual time),
 * Kiln's dispatch overhead over bare packer, retained heap per queued job, one node's reach in real
 * packer builds, and several coordinated nodes against one. Speed is reported here,
 * never asserted in tests; see {@code docs/benchmarks.md}.
 */
package dev.kiln.benchmarks;
