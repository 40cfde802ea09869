package dev.kiln.coordination;

import dev.kiln.limits.LimitKey;
import dev.kiln.spi.Reservation;
import dev.kiln.spi.Reservations;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reservations by key and by holder, with a running total per key, and the nodes' heartbeats. */
final class MemoryReservations implements Reservations {

    private final TimeSource time;
    private final Map<LimitKey, Map<String, Long>> reservations = new HashMap<>();
    private final Map<String, Map<LimitKey, Long>> byHolder = new HashMap<>();
    private final Map<LimitKey, Long> totals = new HashMap<>();
    private final Map<String, String> holderNodes = new HashMap<>();
    private final Map<String, Instant> nodeExpiry = new HashMap<>();

    MemoryReservations(TimeSource time) {
        this.time = time;
    }

    @Override
    public synchronized boolean tryReserve(String node, String holder, List<Reservation> items) {
        expireNodes();
        holderNodes.put(holder, node);
        Map<LimitKey, Long> mine = byHolder.getOrDefault(holder, Map.of());
        for (Reservation r : items) {
            long others = totals.getOrDefault(r.key(), 0L) - mine.getOrDefault(r.key(), 0L);
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
        return totals.getOrDefault(key, 0L);
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
}
