package dev.kiln.emulators;

import java.time.Duration;
import java.util.Objects;

/**
 * A fault to inject into one API action (or every action, under {@link Faults#ANY_ACTION}).
 * Combine the parts with the {@code with...} methods:
 * {@code Fault.errorRate(0.2).withLatency(Duration.ofMillis(300))}.
 *
 * <p>One draw from the emulator's seeded random decides each call: a connection reset with
 * probability {@code resetRate}, else a throttle with probability {@code throttleRate}, else an
 * internal error with probability {@code errorRate}; so the three rates add up to at most 1.
 * Everything injected counts as an injected fault in the emulator's counters, never as one of its
 * own throttles: "throttled: 0" still means the client kept to the limits.
 *
 * @param errorRate    fraction of calls, 0 to 1, answered with the provider's internal-error response
 *                     (drawn from the emulator's seeded random, so a run repeats)
 * @param latency      added to every call before it is answered, waited through the emulator's time source
 * @param outageAfter  how long after injection the outage window opens
 * @param outageFor    how long the outage lasts; zero for none. During it every call is answered
 *                     with the provider's service-unavailable response
 * @param throttleRate fraction of calls answered with the provider's own throttling response (EC2
 *                     503 {@code RequestLimitExceeded}, ARM 429, Compute Engine 403/429
 *                     {@code rateLimitExceeded}, vCenter 503), whatever the buckets hold
 * @param resetRate    fraction of calls whose connection is closed without an answer, as a proxy or
 *                     load balancer that drops connections does
 */
public record Fault(double errorRate, Duration latency, Duration outageAfter, Duration outageFor,
                    double throttleRate, double resetRate) {

    public Fault {
        rate(errorRate, "error rate");
        rate(throttleRate, "throttle rate");
        rate(resetRate, "reset rate");
        if (errorRate + throttleRate + resetRate > 1 + 1e-9) {
            throw new IllegalArgumentException("error, throttle and reset rates are shares of one draw and add up to"
                    + " at most 1, got " + errorRate + " + " + throttleRate + " + " + resetRate);
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

    /** A fault without throttles or resets. */
    public Fault(double errorRate, Duration latency, Duration outageAfter, Duration outageFor) {
        this(errorRate, latency, outageAfter, outageFor, 0, 0);
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

    /** Answers a fraction {@code rate} of calls with the provider's throttling response. */
    public static Fault throttleRate(double rate) {
        return none().withThrottleRate(rate);
    }

    /** Closes the connection of a fraction {@code rate} of calls without answering them. */
    public static Fault resetRate(double rate) {
        return none().withResetRate(rate);
    }

    public Fault withErrorRate(double rate) {
        return new Fault(rate, latency, outageAfter, outageFor, throttleRate, resetRate);
    }

    public Fault withLatency(Duration added) {
        return new Fault(errorRate, added, outageAfter, outageFor, throttleRate, resetRate);
    }

    public Fault withOutage(Duration after, Duration length) {
        return new Fault(errorRate, latency, after, length, throttleRate, resetRate);
    }

    public Fault withThrottleRate(double rate) {
        return new Fault(errorRate, latency, outageAfter, outageFor, rate, resetRate);
    }

    public Fault withResetRate(double rate) {
        return new Fault(errorRate, latency, outageAfter, outageFor, throttleRate, rate);
    }

    private static void rate(double rate, String what) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(what + " must be between 0 and 1, got " + rate);
        }
    }
}
