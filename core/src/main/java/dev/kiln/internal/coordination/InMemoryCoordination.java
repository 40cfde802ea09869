package dev.kiln.internal.coordination;

import dev.kiln.limits.LimitKey;
import dev.kiln.internal.limits.Units;
import dev.kiln.spi.Coordination;
import dev.kiln.time.TimeSource;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Shares limits between the runs of one JVM. */
public final class InMemoryCoordination implements Coordination {

    private static final int WINDOWS_KEPT = 4;

    private final TimeSource time;
    private final TimeMeter meter;
    private final Map<LimitKey, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<LimitKey, Map<Instant, Long>> windows = new HashMap<>();
    private final Map<LimitKey, Map<String, Long>> reservations = new HashMap<>();
    private final Map<String, Map<LimitKey, Long>> byHolder = new HashMap<>();
    private final Map<LimitKey, Long> totals = new HashMap<>();
    private final Map<String, String> holderNodes = new HashMap<>();
    private final Map<String, Instant> nodeExpiry = new HashMap<>();
    private final Map<String, String> outcomes = new HashMap<>();
    private final Map<String, Instant> runs = new HashMap<>();
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, Lease> leases = new HashMap<>();
    private final Map<String, Long> fencing = new HashMap<>();

    public InMemoryCoordination(TimeSource time) {
        this.time = time;
        this.meter = Units.meter(time);
    }

    @Override
    public Bucket bucket(LimitKey key, BucketConfiguration configuration) {
        return buckets.computeIfAbsent(key, k -> {
            LocalBucketBuilder builder = Bucket.builder().withCustomTimePrecision(meter);
            for (Bandwidth b : configuration.getBandwidths()) {
                builder.addLimit(b);
            }
            return builder.build();
        });
    }

    @Override
    public synchronized long tryCountInWindow(LimitKey key, Instant windowStart, long amount, long limit) {
        Map<Instant, Long> counts = windows.computeIfAbsent(key, k -> new HashMap<>());
        long now = counts.getOrDefault(windowStart, 0L);
        if (now + amount > limit) {
            return -1;
        }
        counts.put(windowStart, now + amount);
        if (counts.size() > WINDOWS_KEPT) {
            Instant oldest = counts.keySet().stream().min(Instant::compareTo).orElseThrow();
            counts.remove(oldest);
        }
        return now + amount;
    }

    @Override
    public synchronized long countInWindow(LimitKey key, Instant windowStart) {
        return windows.getOrDefault(key, Map.of()).getOrDefault(windowStart, 0L);
    }

    @Override
    public synchronized boolean tryReserve(String node, String holder, List<Reservation> items) {
        expireNodes();
        holderNodes.put(holder, node);
        Map<LimitKey, Long> mine = byHolder.getOrDefault(holder, Map.of());
        for (Reservation r : items) {
            long others = reservedLocked(r.key()) - mine.getOrDefault(r.key(), 0L);
            if (others + r.amount() > r.capacity()) {
                return false;
            }
        }
        for (Reservation r : items) {
            Long before = reservations.computeIfAbsent(r.key(), k -> new HashMap<>()).put(holder, r.amount());
            totals.merge(r.key(), r.amount() - (before == null ? 0 : before), Long::sum);
            byHolder.computeIfAbsent(holder, h -> new HashMap<>()).put(r.key(), r.amount());
        }
        return true;
    }

    @Override
    public synchronized void release(String holder) {
        holderNodes.remove(holder);
        Map<LimitKey, Long> mine = byHolder.remove(holder);
        if (mine == null) {
            return;
        }
        for (var e : mine.entrySet()) {
            Map<String, Long> holders = reservations.get(e.getKey());
            holders.remove(holder);
            if (holders.isEmpty()) {
                reservations.remove(e.getKey());
                totals.remove(e.getKey());
            } else {
                totals.merge(e.getKey(), -e.getValue(), Long::sum);
            }
        }
    }

    @Override
    public synchronized long reserved(LimitKey key) {
        expireNodes();
        return reservedLocked(key);
    }

    @Override
    public synchronized void heartbeat(String node, Duration ttl) {
        nodeExpiry.put(node, time.now().plus(ttl));
    }

    /** Releases every reservation of nodes whose heartbeats ran out. */
    private void expireNodes() {
        if (nodeExpiry.isEmpty()) {
            return;
        }
        Instant now = time.now();
        for (var e : List.copyOf(nodeExpiry.entrySet())) {
            if (!e.getValue().isAfter(now)) {
                nodeExpiry.remove(e.getKey());
                for (var h : List.copyOf(holderNodes.entrySet())) {
                    if (h.getValue().equals(e.getKey())) {
                        release(h.getKey());
                    }
                }
            }
        }
    }

    @Override
    public synchronized boolean complete(Lease lease, String outcome) {
        Lease current = live(lease.resource());
        if (current == null || current.fencingToken() != lease.fencingToken()) {
            return false;
        }
        outcomes.put(lease.resource(), outcome);
        leases.remove(lease.resource());
        return true;
    }

    @Override
    public synchronized Optional<String> outcome(String resource) {
        return Optional.ofNullable(outcomes.get(resource));
    }

    @Override
    public synchronized Instant joinRun(String runId, Instant startedAt) {
        return runs.computeIfAbsent(runId, k -> startedAt);
    }

    private long reservedLocked(LimitKey key) {
        return totals.getOrDefault(key, 0L);
    }

    @Override
    public synchronized boolean reserveName(String scope, String name, String owner) {
        String holder = names.putIfAbsent(scope + "\u0000" + name, owner);
        return holder == null || holder.equals(owner);
    }

    @Override
    public synchronized void releaseName(String scope, String name, String owner) {
        names.remove(scope + "\u0000" + name, owner);
    }

    @Override
    public synchronized Optional<Lease> tryLease(String resource, String owner, Duration ttl) {
        Lease current = live(resource);
        if (current != null && !current.owner().equals(owner)) {
            return Optional.empty();
        }
        long token = fencing.merge(resource, 1L, Long::sum);
        Lease lease = new Lease(resource, owner, token, time.now().plus(ttl));
        leases.put(resource, lease);
        return Optional.of(lease);
    }

    @Override
    public synchronized boolean renew(Lease lease, Duration ttl) {
        Lease current = live(lease.resource());
        if (current == null || current.fencingToken() != lease.fencingToken()) {
            return false;
        }
        leases.put(lease.resource(), new Lease(lease.resource(), lease.owner(), lease.fencingToken(),
                time.now().plus(ttl)));
        return true;
    }

    @Override
    public synchronized void releaseLease(Lease lease) {
        Lease current = leases.get(lease.resource());
        if (current != null && current.fencingToken() == lease.fencingToken()) {
            leases.remove(lease.resource());
        }
    }

    /** The lease on {@code resource} unless it has expired (an expired one is forgotten). */
    private Lease live(String resource) {
        Lease current = leases.get(resource);
        if (current != null && !current.expiresAt().isAfter(time.now())) {
            leases.remove(resource);
            return null;
        }
        return current;
    }

    @Override
    public String toString() {
        return "Coordination.inMemory()";
    }
}
