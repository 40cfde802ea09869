package dev.kiln.emulators.gcp;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the emulator's operations and resources stay in their transitional states, counted on
 * the emulator's time source. Real Compute Engine takes seconds to minutes; the defaults are
 * scaled down so one build takes seconds.
 *
 * @param operationPending how long every operation stays {@code PENDING} before {@code RUNNING}
 * @param instanceStart    after that, {@code PROVISIONING} then {@code STAGING} (half each) until the
 *                         instance is {@code RUNNING} and its insert operation {@code DONE}
 * @param instanceStop     {@code STOPPING} until {@code TERMINATED} (stop) or gone (delete)
 * @param imageCreate      a new image {@code PENDING} until {@code READY} and its operation {@code DONE}
 * @param otherChange      every other change: disks created or deleted, images deleted, labels set
 */
public record GceDelays(Duration operationPending, Duration instanceStart, Duration instanceStop,
        Duration imageCreate, Duration otherChange) {

    public GceDelays {
        for (Duration d : new Duration[] {operationPending, instanceStart, instanceStop, imageCreate, otherChange}) {
            Objects.requireNonNull(d, "delay");
            if (d.isNegative()) {
                throw new IllegalArgumentException("delays cannot be negative, got " + d);
            }
        }
    }

    /** Scaled down: operations pending 200 ms, instances start in 1 s and stop in 1 s, images take 2 s, the rest 500 ms. */
    public static GceDelays defaults() {
        return new GceDelays(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofMillis(500));
    }

    /** Every operation is {@code DONE} by the time anyone asks (the call creating it still answers {@code PENDING}). */
    public static GceDelays none() {
        return new GceDelays(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }

    /** Operations pending for nothing; every change takes {@code each}. */
    public static GceDelays uniform(Duration each) {
        return new GceDelays(Duration.ZERO, each, each, each, each);
    }
}
