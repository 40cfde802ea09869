package dev.kiln.coordination;

import dev.kiln.spi.Lease;
import dev.kiln.spi.Leases;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Live leases by resource, the fencing token each resource reached, outcomes and run starts. */
final class MemoryLeases implements Leases {

    private final TimeSource time;
    /** Live leases by resource, each renewed in place: a run renews hundreds every few seconds. */
    private final Map<String, Live> leases = new HashMap<>();
    private final Map<String, Long> fencing = new HashMap<>();
    private final Map<String, String> outcomes = new HashMap<>();
    private final Map<String, Instant> runs = new HashMap<>();

    MemoryLeases(TimeSource time) {
        this.time = time;
    }

    @Override
    public synchronized Optional<Lease> tryLease(String resource, String owner, Duration ttl) {
        Live current = live(resource, time.now());
        if (current != null && !current.lease.owner().equals(owner)) {
            return Optional.empty();
        }
        long token = fencing.merge(resource, 1L, Long::sum);
        Lease lease = new Lease(resource, owner, token, time.now().plus(ttl));
        leases.put(resource, new Live(lease));
        return Optional.of(lease);
    }

    @Override
    public synchronized boolean renew(Lease lease, Duration ttl) {
        Instant now = time.now();
        return renew(lease, now, now.plus(ttl));
    }

    private boolean renew(Lease lease, Instant now, Instant expires) {
        Live current = live(lease.resource(), now);
        if (current == null || current.lease.fencingToken() != lease.fencingToken()) {
            return false;
        }
        current.expiresAt = expires;
        return true;
    }

    /** Renews every lease at one instant: a run renews all it holds every few seconds, a big plan's hundreds. */
    @Override
    public synchronized List<Lease> renewAll(Collection<Lease> held, Duration ttl) {
        Instant now = time.now();
        Instant expires = now.plus(ttl);
        List<Lease> lost = new ArrayList<>();
        for (Lease lease : held) {
            if (!renew(lease, now, expires)) {
                lost.add(lease);
            }
        }
        return lost;
    }

    @Override
    public synchronized void release(Lease lease) {
        Live current = leases.get(lease.resource());
        if (current != null && current.lease.fencingToken() == lease.fencingToken()) {
            leases.remove(lease.resource());
        }
    }

    @Override
    public synchronized boolean complete(Lease lease, String outcome) {
        Live current = live(lease.resource(), time.now());
        if (current == null || current.lease.fencingToken() != lease.fencingToken()) {
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

    /** The lease on {@code resource} unless it has expired by {@code now} (an expired one is forgotten). */
    private Live live(String resource, Instant now) {
        Live current = leases.get(resource);
        if (current != null && !current.expiresAt.isAfter(now)) {
            leases.remove(resource);
            return null;
        }
        return current;
    }

    /** A lease as granted, and when it lapses now that it may have been renewed. */
    private static final class Live {
        final Lease lease;
        Instant expiresAt;

        Live(Lease lease) {
            this.lease = lease;
            this.expiresAt = lease.expiresAt();
        }
    }
}
