package dev.kiln.limits;

/**
 * How often one build calls one API: a burst when it starts, a steady rate while it runs (waiters
 * polling), and a burst when it tears down.
 *
 * @param api       the API as the provider's {@link LimitsTable} names it
 * @param atStart   calls in the start burst
 * @param perMinute calls per minute while running
 * @param atEnd     calls in the teardown burst
 */
public record ApiCost(String api, double atStart, double perMinute, double atEnd) {
    public ApiCost {
        if (atStart < 0 || perMinute < 0 || atEnd < 0) {
            throw new IllegalArgumentException("API costs cannot be negative: " + api);
        }
    }

    public ApiCost scaled(double factor) {
        return new ApiCost(api, atStart * factor, perMinute * factor, atEnd * factor);
    }
}
