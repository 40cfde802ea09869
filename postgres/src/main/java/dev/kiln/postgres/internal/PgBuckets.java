package dev.kiln.postgres.internal;

import dev.kiln.limits.LimitKey;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets in the {@code bucket} table through Bucket4j's PostgreSQL backend (row lock per
 * draw). A proxy holds no tokens itself: every call reads and writes the shared row, so one proxy
 * per key is kept only to avoid rebuilding it.
 */
public final class PgBuckets {

    private final ProxyManager<String> proxies;
    private final Map<LimitKey, Bucket> buckets = new ConcurrentHashMap<>();

    public PgBuckets(Database db, TimeMeter meter) {
        this.proxies = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(db.dataSource())
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table(db.schema() + ".bucket")
                .idColumn("id")
                .stateColumn("state")
                .clientClock(meter)
                .build();
    }

    /** The live bucket of {@code key}; {@code configuration} is used only if no node created it yet. */
    public Bucket bucket(LimitKey key, BucketConfiguration configuration) {
        return buckets.computeIfAbsent(key, k -> proxies.builder().build(k.toString(), () -> configuration));
    }
}
