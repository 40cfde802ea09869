package dev.kiln.coordination;

import dev.kiln.spi.Lease;
import dev.kiln.spi.Leases;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
        Lease current = live(lease.resource());
        if (current == null || current.fencingToken() != lease.fencingToken()) {
            return false;
        }
        leases.put(lease.resource(), new Lease(lease.resource(), lease.owner(), lease.fencingToken(),
                time.now().plus(ttl)));
        return true;
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
        Lease current = leases.get(resource);
        if (current != null && !current.expiresAt().isAfter(time.now())) {
            leases.remove(resource);
            return null;
        }
        return current;
    }
}
