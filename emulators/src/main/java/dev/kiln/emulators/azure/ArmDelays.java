package dev.kiln.emulators.azure;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the emulator's long-running operations take, on its time source, and what
 * {@code Retry-After} it tells pollers.
 *
 * @param create      a VM, disk, network resource or deployment coming up
 * @param capture     a managed image or gallery image version being made
 * @param deallocate  a VM being deallocated
 * @param delete      any resource being deleted
 * @param groupDelete a resource group and everything in it being deleted
 * @param retryAfter  the {@code Retry-After} of every long-running answer
 */
public record ArmDelays(Duration create, Duration capture, Duration deallocate, Duration delete,
        Duration groupDelete, Duration retryAfter) {

    public ArmDelays {
        for (Duration d : new Duration[] {create, capture, deallocate, delete, groupDelete, retryAfter}) {
            Objects.requireNonNull(d, "delay");
            if (d.isNegative()) {
                throw new IllegalArgumentException("delays cannot be negative, got " + d);
            }
        }
    }

    /** Seconds, as a test wants them: a build through the emulator takes about ten seconds. */
    public static ArmDelays defaults() {
        return new ArmDelays(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1));
    }

    /** Every operation finishes at once; pollers are still told to come back after a second. */
    public static ArmDelays instant() {
        return new ArmDelays(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO,
                Duration.ofSeconds(1));
    }
}
