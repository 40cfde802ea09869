package dev.kiln.spi;

import dev.kiln.limits.LimitKey;
import java.time.Duration;
import java.util.List;

/**
 * Quota and concurrency reservations shared by runs. Each belongs to a holder (a build) on
 * behalf of a node; the reservations of a node that stops sending {@link #heartbeat}s lapse when
 * its last heartbeat's time to live runs out, so a node that dies gives its quota back.
 *
 * <p>Stability: evolving SPI; part of {@link Coordination}.
 */
public interface Reservations {

    /**
     * Reserves every item for {@code holder} on behalf of {@code node}, or none of them: each item's
     * key must have room for its amount under its capacity. A holder reserving a key again replaces
     * its earlier amount.
     */
    boolean tryReserve(String node, String holder, List<Reservation> items);

    /**
     * {@link #tryReserve(String, String, List)} for the store's own node: {@link Coordination#LOCAL_NODE},
     * which never lapses, unless the store was given another.
     */
    default boolean tryReserve(String holder, List<Reservation> items) {
        return tryReserve(Coordination.LOCAL_NODE, holder, items);
    }

    /**
     * {@code node} is alive for {@code ttl} more. A node that has never sent one never lapses; once
     * it has, it lapses (with its reservations) when the last one runs out.
     */
    void heartbeat(String node, Duration ttl);

    /** Releases everything {@code holder} reserved. */
    void release(String holder);

    /** What all holders together reserve of {@code key}. */
    long reserved(LimitKey key);
}
