package dev.kiln.postgres.internal;

import dev.kiln.limits.LimitKey;
import dev.kiln.spi.Coordination;
import dev.kiln.time.TimeSource;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The store: each concern in its own tables, all through one {@link Database}. */
public final class PgCoordination implements Coordination {

    private final PgBuckets buckets;
    private final PgLimits limits;
    private final PgNames names;
    private final PgLeases leases;
    private final String defaultNode;

    public PgCoordination(Database db, TimeSource time, String defaultNode) {
        this.buckets = new PgBuckets(db, new EpochMeter(time));
        this.limits = new PgLimits(db, time);
        this.names = new PgNames(db, time);
        this.leases = new PgLeases(db, time);
        this.defaultNode = defaultNode;
    }

    @Override
    public Bucket bucket(LimitKey key, BucketConfiguration configuration) {
        return buckets.bucket(key, configuration);
    }

    @Override
    public long tryCountInWindow(LimitKey key, Instant windowStart, long amount, long limit) {
        return limits.tryCountInWindow(key, windowStart, amount, limit);
    }

    @Override
    public long countInWindow(LimitKey key, Instant windowStart) {
        return limits.countInWindow(key, windowStart);
    }

    @Override
    public boolean tryReserve(String node, String holder, List<Reservation> items) {
        return limits.tryReserve(node, holder, List.copyOf(items));
    }

    @Override
    public boolean tryReserve(String holder, List<Reservation> items) {
        return tryReserve(defaultNode, holder, items);
    }

    @Override
    public void heartbeat(String node, Duration ttl) {
        limits.heartbeat(node, ttl);
    }

    @Override
    public void release(String holder) {
        limits.release(holder);
    }

    @Override
    public long reserved(LimitKey key) {
        return limits.reserved(key);
    }

    @Override
    public boolean reserveName(String scope, String name, String owner) {
        return names.reserveName(scope, name, owner);
    }

    @Override
    public void releaseName(String scope, String name, String owner) {
        names.releaseName(scope, name, owner);
    }

    @Override
    public Optional<Lease> tryLease(String resource, String owner, Duration ttl) {
        return leases.tryLease(resource, owner, ttl);
    }

    @Override
    public boolean renew(Lease lease, Duration ttl) {
        return leases.renew(lease, ttl);
    }

    @Override
    public List<Lease> renewAll(Collection<Lease> all, Duration ttl) {
        return leases.renewAll(all, ttl);
    }

    @Override
    public void releaseLease(Lease lease) {
        leases.releaseLease(lease);
    }

    @Override
    public boolean complete(Lease lease, String outcome) {
        return leases.complete(lease, outcome);
    }

    @Override
    public Optional<String> outcome(String resource) {
        return leases.outcome(resource);
    }

    @Override
    public Instant joinRun(String runId, Instant startedAt) {
        return leases.joinRun(runId, startedAt);
    }
}
