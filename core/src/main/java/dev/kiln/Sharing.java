package dev.kiln;

import dev.kiln.spi.Coordination;
import java.time.Duration;
import java.util.Objects;

/**
 * What runs share beyond this process, through the {@link Coordination} store: as one node of
 * many running the same run, and builds identical to another run's.
 *
 * <p>A node other than {@link Coordination#LOCAL_NODE} leases every job before it starts, so each
 * runs on exactly one node; a node that dies loses its leases after {@code leaseTtl} and its jobs
 * move to the others. Nodes must run the same plan with the same run id
 * ({@link Kiln#planContext(String)}) on a shared store (PostgreSQL).
 *
 * <pre>{@code
 * Kiln.builder().coordination(store).sharing(s -> s.withNode("builder-7"))
 * }</pre>
 *
 * @param node                 this process's node id; {@link Coordination#LOCAL_NODE} (alone) by default
 * @param leaseTtl             how long job leases and node heartbeats live without renewal; 30 s by default
 * @param watchInterval        how often a node checks on jobs another node or run is building; 2 s by default
 * @param reuseIdenticalBuilds whether a build identical to one another run is building right now (same
 *                             job, template content and variables) waits for it and reuses its image;
 *                             on by default. Off rebuilds.
 */
public record Sharing(String node, Duration leaseTtl, Duration watchInterval, boolean reuseIdenticalBuilds) {

    public static final Sharing DEFAULT = new Sharing(Coordination.LOCAL_NODE, Duration.ofSeconds(30),
            Duration.ofSeconds(2), true);

    public Sharing {
        if (node == null || node.isBlank()) {
            throw new IllegalArgumentException("a node id cannot be blank");
        }
        if (leaseTtl.isZero() || leaseTtl.isNegative()) {
            throw new IllegalArgumentException("the lease TTL must be positive, got " + leaseTtl);
        }
        Objects.requireNonNull(watchInterval, "interval");
    }

    /** Whether this process is one node of a shared run (it leases every job). */
    public boolean shared() {
        return !Coordination.LOCAL_NODE.equals(node);
    }

    public Sharing withNode(String nodeId) {
        return new Sharing(nodeId, leaseTtl, watchInterval, reuseIdenticalBuilds);
    }

    public Sharing withLeaseTtl(Duration ttl) {
        return new Sharing(node, ttl, watchInterval, reuseIdenticalBuilds);
    }

    public Sharing withWatchInterval(Duration interval) {
        return new Sharing(node, leaseTtl, interval, reuseIdenticalBuilds);
    }

    public Sharing withReuseIdenticalBuilds(boolean reuse) {
        return new Sharing(node, leaseTtl, watchInterval, reuse);
    }
}
