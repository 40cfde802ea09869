package dev.kiln.coordination;

import dev.kiln.spi.Coordination;
import dev.kiln.spi.ImageNames;
import dev.kiln.spi.Leases;
import dev.kiln.spi.Rates;
import dev.kiln.spi.Reservations;
import dev.kiln.time.TimeSource;
import java.util.Objects;

/**
 * The {@link Coordination} store of one JVM: runs of the same {@code Kiln} (or of several sharing
 * this store) share limits, reservations, names and leases; nothing outlives the process. Kiln
 * uses one of its own when it is given no store.
 */
public final class InMemoryCoordination implements Coordination {

    private final Rates rates;
    private final Reservations reservations;
    private final ImageNames imageNames = new MemoryImageNames();
    private final Leases leases;

    private InMemoryCoordination(TimeSource time) {
        this.rates = new MemoryRates(time);
        this.reservations = new MemoryReservations(time);
        this.leases = new MemoryLeases(time);
    }

    /** A new, empty store reading every time from {@code time}. */
    public static InMemoryCoordination of(TimeSource time) {
        return new InMemoryCoordination(Objects.requireNonNull(time, "time"));
    }

    @Override
    public Rates rates() {
        return rates;
    }

    @Override
    public Reservations reservations() {
        return reservations;
    }

    @Override
    public ImageNames imageNames() {
        return imageNames;
    }

    @Override
    public Leases leases() {
        return leases;
    }

    @Override
    public String toString() {
        return "InMemoryCoordination";
    }
}
