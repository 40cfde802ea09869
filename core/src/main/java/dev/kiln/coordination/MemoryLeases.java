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
    private final Map<String, Lease> leases = new HashMap<>();
    private final Map<String, Long> fencing = new HashMap<>();
    private final Map<String, String> outcomes = new HashMap<>();
    private final Map<String, Instant> runs = new HashMap<>();

    MemoryLeases(TimeSource time) {
        this.time = time;
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
        Instant now = time.now();
        return renew(lease, now, now.plus(ttl));
    }

    private boolean renew(Lease lease, Instant now, Instant expires) {
        Lease current = live(lease.resource(), now);
        if (current == null || current.fencingToken() != lease.fencingToken()) {
            return false;
        }
        leases.put(lease.resource(), new Lease(lease.resource(), lease.owner(), lease.fencingToken(), expires));
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
        Lease current = leases.get(lease.resource());
        if (current != null && current.fencingToken() == lease.fencingToken()) {
            leases.remove(lease.resource());
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

    /** The lease on {@code resource} unless it has expired (an expired one is forgotten). */
    private Lease live(String resource) {
        return live(resource, time.now());
    }

    private Lease live(String resource, Instant now) {
        Lease current = leases.get(resource);
        if (current != null && !current.expiresAt().isAfter(now)) {
            leases.remove(resource);
            return null;
        }
        return current;
    }
}
