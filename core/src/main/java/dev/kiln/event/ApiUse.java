package dev.kiln.event;

/**
 * What one build made of one API class through Kiln's network, next to what its cost model
 * predicted for the time it ran.
 *
 * @param calls      calls packer made (retries included)
 * @param retries    of those, retries packer's SDK made on its own
 * @param throttled  answers that were throttles all the same (429, 503 RequestLimitExceeded, 403 rateLimitExceeded)
 * @param heldMillis how long Kiln held these calls, in all, until its limits allowed them
 * @param predicted  calls the cost model predicted: start and teardown bursts, plus its polling rate
 *                   for the time the build ran
 */
public record ApiUse(long calls, long retries, long throttled, long heldMillis, double predicted) {

    /** Nothing used, nothing predicted. */
    public static final ApiUse NONE = new ApiUse(0, 0, 0, 0, 0);

    /** This use and {@code other} added up. */
    public ApiUse plus(ApiUse other) {
        return new ApiUse(calls + other.calls, retries + other.retries, throttled + other.throttled,
                heldMillis + other.heldMillis, predicted + other.predicted);
    }
}
