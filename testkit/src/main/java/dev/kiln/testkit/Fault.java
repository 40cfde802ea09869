package dev.kiln.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * A fault to inject into one API action (or every action, under {@link Faults#ANY_ACTION}).
 * Combine the parts with the {@code with...} methods:
 * {@code Fault.errorRate(0.2).withLatency(Duration.ofMillis(300))}.
 *
 * @param errorRate   fraction of calls, 0 to 1, answered with the provider's internal-error response
 *                    (drawn from the emulator's seeded random, so a run repeats)
 * @param latency     added to every call before it is answered, waited through the emulator's time source
 * @param outageAfter how long after injection the outage window opens
 * @param outageFor   how long the outage lasts; zero for none. During it every call is answered
 *                    with the provider's service-unavailable response
 */
public record Fault(double errorRate, Duration latency, Duration outageAfter, Duration outageFor) {

    public Fault {
        if (!(errorRate >= 0 && errorRate <= 1)) {
            throw new IllegalArgumentException("error rate must be between 0 and 1, got " + errorRate);
        }
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(outageAfter, "outageAfter");
        Objects.requireNonNull(outageFor, "outageFor");
        for (Duration d : new Duration[] {latency, outageAfter, outageFor}) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("fault durations cannot be negative, got " + d);
            }
        }
    }

    /** No fault. */
    public static Fault none() {
        return new Fault(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }

    /** Answers a fraction {@code rate} of calls with an internal error. */
    public static Fault errorRate(double rate) {
        return none().withErrorRate(rate);
    }

    /** Adds {@code latency} to every call. */
    public static Fault latency(Duration latency) {
        return none().withLatency(latency);
    }

    /** Answers every call with service-unavailable from {@code after} injection on, for {@code length}. */
    public static Fault outage(Duration after, Duration length) {
        return none().withOutage(after, length);
    }

    public Fault withErrorRate(double rate) {
        return new Fault(rate, latency, outageAfter, outageFor);
    }

    public Fault withLatency(Duration added) {
        return new Fault(errorRate, added, outageAfter, outageFor);
    }

    public Fault withOutage(Duration after, Duration length) {
        return new Fault(errorRate, latency, after, length);
    }
}
