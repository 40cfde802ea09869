/**
 * What a cloud allows: API limits (token buckets, fixed windows, concurrency), each provider's
 * documented defaults, quotas and their snapshots, and the cost model of one build in time and calls.
 */
package dev.kiln.limits;
