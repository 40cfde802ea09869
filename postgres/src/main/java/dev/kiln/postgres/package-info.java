/**
 * Kiln's coordination store in PostgreSQL, for fleets run from many nodes:
 * {@link dev.kiln.postgres.PostgresCoordination}. See {@code docs/postgres.md}.
 */
package dev.kiln.postgres;
