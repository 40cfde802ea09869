package dev.kiln.postgres.internal;

import dev.kiln.limits.LimitKey;
import dev.kiln.spi.Rates;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets in the {@code bucket} table through Bucket4j's PostgreSQL backend (row lock per
 * draw; reads unlocked, see {@link PgBucketProxies}), and fixed-window counters in
 * {@code window_count}. A bucket proxy holds no tokens
 * itself: every call reads and writes the shared row, so one proxy per key is kept only to avoid
 * rebuilding it.
 */
public final class PgRates implements Rates {

    /** Windows kept per key, as the in-memory store: the current one and a few before it. */
    private static final int WINDOWS_KEPT = 4;

    private final Database db;
    private final PgBucketProxies proxies;
    private final Map<LimitKey, Bucket> buckets = new ConcurrentHashMap<>();
    private final String countUpsert;
    private final String countUpdate;
    private final String countPrune;
    private final String countRead;

    public PgRates(Database db, TimeMeter meter) {
        this.db = db;
        this.proxies = new PgBucketProxies(db, Bucket4jPostgreSQL.selectForUpdateBasedBuilder(db.dataSource())
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table(db.schema() + ".bucket")
                .idColumn("id")
                .stateColumn("state")
                .clientClock(meter));
        // xmax = 0 only on a freshly inserted row: a new window, the moment to forget old ones.
        countUpsert = db.sql("INSERT INTO {schema}.window_count AS w (limit_key, window_start, count) VALUES (?, ?, ?)"
                + " ON CONFLICT (limit_key, window_start) DO UPDATE SET count = w.count + EXCLUDED.count"
                + " WHERE w.count + EXCLUDED.count <= ? RETURNING w.count, (w.xmax = 0) AS inserted");
        countUpdate = db.sql("UPDATE {schema}.window_count SET count = count + ?"
                + " WHERE limit_key = ? AND window_start = ? AND count + ? <= ? RETURNING count");
        countPrune = db.sql("DELETE FROM {schema}.window_count WHERE limit_key = ? AND window_start <"
                + " (SELECT window_start FROM {schema}.window_count WHERE limit_key = ?"
                + " ORDER BY window_start DESC OFFSET " + (WINDOWS_KEPT - 1) + " LIMIT 1)");
        countRead = db.sql("SELECT count FROM {schema}.window_count WHERE limit_key = ? AND window_start = ?");
    }

    /** The live bucket of {@code key}; {@code configuration} is used only if no node created it yet. */
    @Override
    public Bucket bucket(LimitKey key, BucketConfiguration configuration) {
        return buckets.computeIfAbsent(key, k -> proxies.builder().build(k.toString(), () -> configuration));
    }

    /** One statement for every bucket that exists; one that does not is created as {@link #bucket} would. */
    @Override
    public Map<LimitKey, Long> availableTokens(Map<LimitKey, BucketConfiguration> buckets) {
        Map<String, Long> read = proxies.availableTokens(buckets.keySet().stream().map(LimitKey::toString).toList());
        Map<LimitKey, Long> available = new LinkedHashMap<>();
        buckets.forEach((key, configuration) -> {
            Long tokens = read.get(key.toString());
            available.put(key, tokens != null ? tokens : bucket(key, configuration).getAvailableTokens());
        });
        return available;
    }

    @Override
    public long tryCountInWindow(LimitKey key, Instant windowStart, long amount, long limit) {
        String k = key.toString();
        String what = "counting " + amount + " in window " + windowStart + " of " + key;
        if (amount > limit) {
            // Only an existing window could take it (if earlier amounts were negative); never insert.
            return db.autocommit(what, c -> {
                try (PreparedStatement ps = c.prepareStatement(countUpdate)) {
                    ps.setLong(1, amount);
                    ps.setString(2, k);
                    ps.setObject(3, Database.param(windowStart));
                    ps.setLong(4, amount);
                    ps.setLong(5, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getLong(1) : -1L;
                    }
                }
            });
        }
        long[] countAndInserted = db.autocommit(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(countUpsert)) {
                ps.setString(1, k);
                ps.setObject(2, Database.param(windowStart));
                ps.setLong(3, amount);
                ps.setLong(4, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new long[] {rs.getLong(1), rs.getBoolean(2) ? 1 : 0} : null;
                }
            }
        });
        if (countAndInserted == null) {
            return -1;
        }
        if (countAndInserted[1] == 1) {
            // Its own statement, after the count is committed: retrying it can never count twice.
            db.autocommit("forgetting old windows of " + key, c -> {
                try (PreparedStatement ps = c.prepareStatement(countPrune)) {
                    ps.setString(1, k);
                    ps.setString(2, k);
                    return ps.executeUpdate();
                }
            });
        }
        return countAndInserted[0];
    }

    @Override
    public long countInWindow(LimitKey key, Instant windowStart) {
        return db.autocommit("reading window " + windowStart + " of " + key, c -> {
            try (PreparedStatement ps = c.prepareStatement(countRead)) {
                ps.setString(1, key.toString());
                ps.setObject(2, Database.param(windowStart));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }
}
