package dev.kiln.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Work shared by nodes: fenced leases on resources (a shared run's jobs, identical builds of
 * different runs), the outcome the live holder records, and the start time of a shared run, which
 * every node must agree on before it can lease the run's jobs.
 *
 * <p>Stability: evolving SPI; part of {@link Coordination}.
 */
public interface Leases {

    /** Leases {@code resource} to {@code owner} for {@code ttl}, unless a live lease exists. */
    Optional<Lease> tryLease(String resource, String owner, Duration ttl);

    /** Extends a lease this owner still holds; false when it expired or was taken over. */
    boolean renew(Lease lease, Duration ttl);

    /**
     * Extends every lease of {@code leases} this owner still holds, at once where the store can (a
     * node renews all its leases every third of their time to live: one round trip, not one per
     * lease); returns those it no longer holds. By default, {@link #renew} one by one.
     */
    default List<Lease> renewAll(Collection<Lease> leases, Duration ttl) {
        List<Lease> lost = new ArrayList<>();
        for (Lease lease : leases) {
            if (!renew(lease, ttl)) {
                lost.add(lease);
            }
        }
        return lost;
    }

    /** Ends a lease this owner holds. */
    void release(Lease lease);

    /**
     * Records the outcome of the leased work and ends the lease, if {@code lease} is still the live
     * lease of its resource (its fencing token is the latest and it has not expired). A holder that
     * lost its lease can never record a result.
     *
     * @return false when the lease was lost; nothing is recorded then
     */
    boolean complete(Lease lease, String outcome);

    /** The outcome recorded for {@code resource}, if any. */
    Optional<String> outcome(String resource);

    /**
     * Registers a run that started at {@code startedAt}, or joins it: nodes running the same run id
     * agree on its start (and so on every name derived from it).
     *
     * @return the start time of the run as first registered
     */
    Instant joinRun(String runId, Instant startedAt);
}
