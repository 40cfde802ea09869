package dev.kiln.spi;

import dev.kiln.internal.coordination.InMemoryCoordination;
import dev.kiln.limits.LimitKey;
import dev.kiln.time.TimeSource;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Everything runs share: token buckets, fixed-window counters, reservations (quotas and
 * concurrency costs), image-name reservations and job leases. The in-memory store shares them
 * between runs in one JVM; a database-backed store shares them between nodes.
 *
 * <p>Implementations are thread-safe. Every method is atomic on its own; {@link #tryReserve}
 * is atomic over all its items.
 *
 * <p>Stability: evolving SPI. Implementations must pass the store contract kit in
 * {@code kiln-testkit}.
 */
public interface Coordination extends AutoCloseable {

    /**
     * The token bucket for {@code key}, created with {@code configuration} on first use. Later
     * calls return the same live bucket whatever configuration they pass; change it with
     * {@link Bucket#replaceConfiguration}.
     */
    Bucket bucket(LimitKey key, BucketConfiguration configuration);

    /**
     * Adds {@code amount} to the counter of {@code key} for the window starting at
     * {@code windowStart}, if the total stays within {@code limit}.
     *
     * @return the count in that window after the call, or -1 when refused
     */
    long tryCountInWindow(LimitKey key, Instant windowStart, long amount, long limit);

    /** The count of {@code key} in the window starting at {@code windowStart}. */
    long countInWindow(LimitKey key, Instant windowStart);

    /**
     * Reserves every item for {@code holder} on behalf of {@code node}, or none of them: each item's
     * key must have room for its amount under its capacity. A holder reserving a key again replaces
     * its earlier amount. Reservations of a node that stops sending {@link #heartbeat}s lapse when
     * its last heartbeat's time to live runs out, so a node that dies gives its quota back.
     */
    boolean tryReserve(String node, String holder, List<Reservation> items);

    /** {@link #tryReserve(String, String, List)} for a node that never lapses (one process). */
    default boolean tryReserve(String holder, List<Reservation> items) {
        return tryReserve(LOCAL_NODE, holder, items);
    }

    /** The node of single-process use: it sends no heartbeats and never lapses. */
    String LOCAL_NODE = "local";

    /**
     * {@code node} is alive for {@code ttl} more. A node that has never sent one never lapses; once
     * it has, it lapses (with its reservations) when the last one runs out.
     */
    void heartbeat(String node, Duration ttl);

    /** Releases everything {@code holder} reserved. */
    void release(String holder);

    /** What all holders together reserve of {@code key}. */
    long reserved(LimitKey key);

    /** Reserves an image name within a uniqueness scope; false when someone else holds it. */
    boolean reserveName(String scope, String name, String owner);

    /** Gives a name back, if {@code owner} holds it. */
    void releaseName(String scope, String name, String owner);

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
    void releaseLease(Lease lease);

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

    @Override
    default void close() {
    }

    /** Shares limits, reservations, names and leases between the runs of this JVM. */
    static Coordination inMemory(TimeSource time) {
        return new InMemoryCoordination(time);
    }

    /**
     * One item of a reservation.
     *
     * @param key      quota metric or concurrency limit
     * @param amount   how much the holder takes
     * @param capacity how much may be reserved in total (limit minus outside usage)
     */
    record Reservation(LimitKey key, long amount, long capacity) {
    }

    /**
     * A job lease.
     *
     * @param resource     what is leased (a job key)
     * @param owner        who holds it (a node id)
     * @param fencingToken increases with every new lease of the resource; a holder whose token is
     *                     no longer the latest must not act
     * @param expiresAt    when it lapses unless renewed
     */
    record Lease(String resource, String owner, long fencingToken, Instant expiresAt) {
    }
}
