package dev.kiln.postgres.internal;

import dev.kiln.limits.LimitKey;
import dev.kiln.spi.Reservation;
import dev.kiln.spi.Reservations;
import dev.kiln.time.TimeSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reservations in {@code reservation}, locked key by key through {@code reservation_key}, and node
 * heartbeats in {@code node}.
 */
public final class PgReservations implements Reservations {

    private final Database db;
    private final TimeSource time;
    private final String defaultNode;

    private final String purgeLapsed;
    private final String lapseNode;
    private final String beat;
    private final String lockKeys;
    private final String othersReserved;
    private final String upsertReservation;
    private final String moveHolder;
    private final String releaseHolder;
    private final String reservedOfKey;

    /** @param defaultNode the node of {@link #tryReserve(String, List)}, which names none */
    public PgReservations(Database db, TimeSource time, String defaultNode) {
        this.db = db;
        this.time = time;
        this.defaultNode = defaultNode;
        purgeLapsed = db.sql("WITH lapsed AS (DELETE FROM {schema}.node WHERE expires_at <= ? RETURNING node_id)"
                + " DELETE FROM {schema}.reservation r USING lapsed WHERE r.node = lapsed.node_id");
        lapseNode = db.sql("WITH lapsed AS (DELETE FROM {schema}.node WHERE node_id = ? AND expires_at <= ?"
                + " RETURNING node_id) DELETE FROM {schema}.reservation r USING lapsed WHERE r.node = lapsed.node_id");
        beat = db.sql("INSERT INTO {schema}.node (node_id, expires_at, heartbeat_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (node_id) DO UPDATE SET expires_at = EXCLUDED.expires_at,"
                + " heartbeat_at = EXCLUDED.heartbeat_at");
        // Sorted inserts and sorted row locks: two reservations over the same keys queue instead of
        // deadlocking, whatever order their items came in. One statement makes each key's row and
        // locks it: a conflicting row is locked by ON CONFLICT DO UPDATE even where its WHERE
        // holds for no row, so nothing is written to rows that exist.
        lockKeys = db.sql("INSERT INTO {schema}.reservation_key AS rk (limit_key)"
                + " SELECT k FROM unnest(?::text[]) AS k ORDER BY k"
                + " ON CONFLICT (limit_key) DO UPDATE SET limit_key = EXCLUDED.limit_key WHERE false");
        othersReserved = db.sql("SELECT r.limit_key, sum(r.amount) FROM {schema}.reservation r"
                + " LEFT JOIN {schema}.node n ON n.node_id = r.node"
                + " WHERE r.limit_key = ANY(?) AND r.holder <> ? AND (n.expires_at IS NULL OR n.expires_at > ?)"
                + " GROUP BY r.limit_key");
        upsertReservation = db.sql("INSERT INTO {schema}.reservation (limit_key, holder, node, amount, reserved_at)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (limit_key, holder) DO UPDATE"
                + " SET node = EXCLUDED.node, amount = EXCLUDED.amount, reserved_at = EXCLUDED.reserved_at");
        moveHolder = db.sql("UPDATE {schema}.reservation SET node = ? WHERE holder = ? AND node <> ?");
        releaseHolder = db.sql("DELETE FROM {schema}.reservation WHERE holder = ?");
        reservedOfKey = db.sql("SELECT coalesce(sum(r.amount), 0) FROM {schema}.reservation r"
                + " LEFT JOIN {schema}.node n ON n.node_id = r.node"
                + " WHERE r.limit_key = ? AND (n.expires_at IS NULL OR n.expires_at > ?)");
    }

    /**
     * Reserves every item or none. Items without a bound ({@code capacity} of {@link Long#MAX_VALUE}:
     * polling, teardowns, and the prepaid calls a metered build updates at each of its packer's
     * calls) cannot fail, so a reservation of only such items locks its keys, so that a bounded
     * check over them waits for it, and writes: no purge of lapsed nodes, no sums.
     */
    @Override
    public boolean tryReserve(String node, String holder, List<Reservation> items) {
        List<Reservation> copy = List.copyOf(items);
        Instant now = time.now();
        boolean bounded = copy.stream().anyMatch(r -> r.capacity() != Long.MAX_VALUE);
        return db.transaction("reserving for holder " + holder + " on node " + node, c -> {
            if (bounded || copy.isEmpty()) {
                purgeLapsed(c, now);
            }
            if (copy.isEmpty()) {
                return true;
            }
            String[] keys = copy.stream().map(r -> r.key().toString()).distinct().sorted().toArray(String[]::new);
            Array keyArray = c.createArrayOf("text", keys);
            try (PreparedStatement ps = c.prepareStatement(lockKeys)) {
                ps.setArray(1, keyArray);
                ps.executeUpdate();
            }
            if (bounded && !fits(c, holder, copy, keyArray, now)) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement(upsertReservation)) {
                for (Reservation r : copy) {
                    ps.setString(1, r.key().toString());
                    ps.setString(2, holder);
                    ps.setString(3, node);
                    ps.setLong(4, r.amount());
                    ps.setObject(5, Database.param(now));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            // A holder belongs to one node: the one that reserved for it last.
            try (PreparedStatement ps = c.prepareStatement(moveHolder)) {
                ps.setString(1, node);
                ps.setString(2, holder);
                ps.setString(3, node);
                ps.executeUpdate();
            }
            return true;
        });
    }

    /** Whether every item fits beside what other holders of its key reserved (their keys locked). */
    private boolean fits(Connection c, String holder, List<Reservation> items, Array keyArray, Instant now)
            throws SQLException {
        Map<String, Long> others = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(othersReserved)) {
            ps.setArray(1, keyArray);
            ps.setString(2, holder);
            ps.setObject(3, Database.param(now));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    others.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        for (Reservation r : items) {
            if (others.getOrDefault(r.key().toString(), 0L) + r.amount() > r.capacity()) {
                return false;
            }
        }
        return true;
    }

    /** Reserves on behalf of the store's node: it lapses only once it has sent heartbeats and they stop. */
    @Override
    public boolean tryReserve(String holder, List<Reservation> items) {
        return tryReserve(defaultNode, holder, items);
    }

    @Override
    public void release(String holder) {
        db.autocommit("releasing holder " + holder, c -> {
            try (PreparedStatement ps = c.prepareStatement(releaseHolder)) {
                ps.setString(1, holder);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public long reserved(LimitKey key) {
        Instant now = time.now();
        return db.autocommit("reading reservations of " + key, c -> {
            try (PreparedStatement ps = c.prepareStatement(reservedOfKey)) {
                ps.setString(1, key.toString());
                ps.setObject(2, Database.param(now));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public void heartbeat(String node, Duration ttl) {
        Instant now = time.now();
        db.transaction("heartbeat of node " + node, c -> {
            // A node that comes back after it lapsed starts afresh: what it held is gone for good.
            try (PreparedStatement ps = c.prepareStatement(lapseNode)) {
                ps.setString(1, node);
                ps.setObject(2, Database.param(now));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(beat)) {
                ps.setString(1, node);
                ps.setObject(2, Database.param(now.plus(ttl)));
                ps.setObject(3, Database.param(now));
                return ps.executeUpdate();
            }
        });
    }

    /** Deletes nodes whose heartbeats ran out, and their reservations. */
    private void purgeLapsed(Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(purgeLapsed)) {
            ps.setObject(1, Database.param(now));
            ps.executeUpdate();
        }
    }
}
