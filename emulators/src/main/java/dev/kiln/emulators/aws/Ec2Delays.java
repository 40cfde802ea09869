package dev.kiln.emulators.aws;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the emulator's resources stay in their transitional states, counted on the emulator's
 * time source. Real EC2 takes tens of seconds to minutes; the defaults are scaled down so one
 * packer build takes seconds.
 *
 * @param instancePending      pending → running
 * @param instanceStopping     stopping → stopped
 * @param instanceShuttingDown shutting-down → terminated
 * @param imagePending         a new image (and its snapshots) pending → available (completed)
 * @param terminatedVisible    how long a terminated instance stays visible to DescribeInstances (EC2: about an hour)
 */
public record Ec2Delays(Duration instancePending, Duration instanceStopping, Duration instanceShuttingDown,
        Duration imagePending, Duration terminatedVisible) {

    public Ec2Delays {
        for (Duration d : new Duration[] {instancePending, instanceStopping, instanceShuttingDown, imagePending,
                terminatedVisible}) {
            Objects.requireNonNull(d, "delay");
            if (d.isNegative()) {
                throw new IllegalArgumentException("delays cannot be negative, got " + d);
            }
        }
    }

    /** Scaled down: 1 s pending, 1 s stopping, 1 s shutting down, 2 s for an image; terminated visible 1 h. */
    public static Ec2Delays defaults() {
        return new Ec2Delays(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofHours(1));
    }

    /** Every transition completes at once (a resource still answers its first state on the call creating it). */
    public static Ec2Delays none() {
        return new Ec2Delays(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ofHours(1));
    }

    /** All four transitions take {@code each}. */
    public static Ec2Delays uniform(Duration each) {
        return new Ec2Delays(each, each, each, each, Duration.ofHours(1));
    }
}
