package dev.kiln.emulators.vsphere;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * vCenter's provisioning limits: every host and every datastore has a maximum cost, each clone or
 * template export costs some of it while it runs, and an operation over the limit waits for a
 * slot instead of failing. Modelled as a FIFO queue with one server per unit of cost: an operation
 * starts when enough units of each resource it charges are free, and its start and end are known
 * when it is admitted, so waiting needs no thread to hand a slot over (and works in virtual time).
 *
 * <p>Besides queueing, it keeps what tests want to know: the highest cost each resource ever had
 * in flight at once, and how many operations had to wait. Guarded by its own monitor.
 */
final class Provisioning {

    /** One resource: a host or a datastore. */
    private static final class Resource {
        final String kind;
        final String name;
        final long[] freeAt;
        final List<long[]> inFlight = new ArrayList<>();
        long maxConcurrentCost;
        long operations;
        long queued;

        Resource(String kind, String name, long maxCost) {
            this.kind = kind;
            this.name = name;
            this.freeAt = new long[Math.toIntExact(maxCost)];
            Arrays.fill(freeAt, Long.MIN_VALUE);
        }

        /** When {@code cost} units are free, at {@code now} at the earliest. */
        long earliest(long cost, long now) {
            long[] sorted = freeAt.clone();
            Arrays.sort(sorted);
            return Math.max(now, sorted[Math.toIntExact(cost) - 1]);
        }

        void occupy(long cost, long start, long end, long now) {
            for (int taken = 0; taken < cost; taken++) {
                int best = -1;
                for (int i = 0; i < freeAt.length; i++) {
                    if (freeAt[i] <= start && (best < 0 || freeAt[i] > freeAt[best])) {
                        best = i;
                    }
                }
                freeAt[best] = end;
            }
            // Operations that ended before now cannot overlap any later one: no admission starts earlier.
            inFlight.removeIf(op -> op[1] <= now);
            inFlight.add(new long[] {start, end, cost});
            // A newcomer may start before operations admitted earlier (its other resource was free
            // sooner), so count at its start and at every start it overlaps.
            for (long[] at : inFlight) {
                long t = at[0];
                if (t < start || t >= end) {
                    continue;
                }
                long concurrent = 0;
                for (long[] op : inFlight) {
                    if (op[0] <= t && t < op[1]) {
                        concurrent += op[2];
                    }
                }
                maxConcurrentCost = Math.max(maxConcurrentCost, concurrent);
            }
            operations++;
        }
    }

    /** One admitted operation: when it starts and ends, and whether it had to wait. */
    record Slot(long startNanos, long endNanos, boolean queued) {
    }

    private final Map<String, Resource> resources = new LinkedHashMap<>();
    private final long hostMaxCost;
    private final long datastoreMaxCost;
    private long latest = Long.MIN_VALUE;

    Provisioning(long hostMaxCost, long datastoreMaxCost) {
        this.hostMaxCost = hostMaxCost;
        this.datastoreMaxCost = datastoreMaxCost;
    }

    /**
     * Admits an operation costing {@code cost} on {@code host} and {@code datastore} and lasting
     * {@code durationNanos}: it starts at {@code now} if both have room, otherwise when the last
     * of them frees enough.
     */
    synchronized Slot admit(String host, String datastore, long cost, long nowNanos, long durationNanos) {
        // Callers read the clock before taking this monitor; never let time run backwards in here.
        long now = Math.max(nowNanos, latest);
        latest = now;
        Resource h = resource("host", host, hostMaxCost);
        Resource d = resource("datastore", datastore, datastoreMaxCost);
        long hostCost = Math.min(cost, h.freeAt.length);
        long dsCost = Math.min(cost, d.freeAt.length);
        long start = Math.max(h.earliest(hostCost, now), d.earliest(dsCost, now));
        long end = Math.addExact(start, durationNanos);
        h.occupy(hostCost, start, end, now);
        d.occupy(dsCost, start, end, now);
        boolean queued = start > now;
        if (queued) {
            h.queued++;
            d.queued++;
        }
        return new Slot(start, end, queued);
    }

    private Resource resource(String kind, String name, long maxCost) {
        return resources.computeIfAbsent(kind + "/" + name, k -> new Resource(kind, name, maxCost));
    }

    synchronized List<ProvisioningStats> stats() {
        List<ProvisioningStats> out = new ArrayList<>();
        for (Resource r : resources.values()) {
            out.add(new ProvisioningStats(r.kind, r.name, r.freeAt.length, r.maxConcurrentCost, r.operations,
                    r.queued));
        }
        return List.copyOf(out);
    }

    synchronized void reset() {
        resources.clear();
        latest = Long.MIN_VALUE;
    }
}
