/**
 * The PostgreSQL store's implementation: connections, the Flyway-managed schema and the tables behind
 * buckets, windows, reservations, names and leases. Not API; the jar is an automatic module (see
 * {@code docs/postgres.md}), so this package is readable, but it may change with any release.
 */
package dev.kiln.postgres.internal;
