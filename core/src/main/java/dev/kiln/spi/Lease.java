package dev.kiln.spi;

import java.time.Instant;

/**
 * A lease on shared work ({@link Leases}).
 *
 * @param resource     what is leased (a job key)
 * @param owner        who holds it (a node id)
 * @param fencingToken increases with every new lease of the resource; a holder whose token is
 *                     no longer the latest must not act
 * @param expiresAt    when it lapses unless renewed
 */
public record Lease(String resource, String owner, long fencingToken, Instant expiresAt) {
}
