package dev.kiln.spi;

/**
 * What runs share, in four parts: {@link Rates} (token buckets and fixed-window counters),
 * {@link Reservations} (quota and concurrency, lapsing with their node), {@link ImageNames}
 * (image-name reservations) and {@link Leases} (fenced leases on jobs and builds, their outcomes,
 * shared run starts). The in-memory store
 * ({@code dev.kiln.coordination.InMemoryCoordination}) shares them between the runs of one JVM; a
 * database-backed store shares them between nodes.
 *
 * <p>A store returns the same part every time it is asked. Parts are thread-safe, and every method
 * is atomic on its own ({@link Reservations#tryReserve} over all its items).
 *
 * <p>Stability: evolving SPI. Implementations must pass the store contract kit in
 * {@code kiln-testkit} ({@code CoordinationContract}), which has a section per part.
 */
public interface Coordination extends AutoCloseable {

    /** The node of single-process use: it sends no heartbeats and never lapses. */
    String LOCAL_NODE = "local";

    Rates rates();

    Reservations reservations();

    ImageNames imageNames();

    Leases leases();

    /** Releases what the store holds open (a connection pool); the in-memory store holds nothing. */
    @Override
    default void close() {
    }
}
