package dev.kiln.gate;

import java.time.Duration;
import java.util.Objects;

/**
 * What came back for a {@link GateRequest}, after it was relayed to packer.
 *
 * <p>{@link #toString()} gives the status and times only.
 *
 * @param status    the HTTP status packer received
 * @param headers   the response's header fields as the upstream sent them (empty when the gate answered)
 * @param held      how long {@link Meter#before(GateRequest)} held the call
 * @param elapsed   from the end of {@code before} to the last byte relayed to packer: the upstream's
 *                  time plus the gate's own
 * @param errorBody for a status of 400 or more, the first bytes of the body (a throttle is often told
 *                  apart only there: GCE's 403 {@code rateLimitExceeded}, EC2's
 *                  {@code RequestLimitExceeded}); empty otherwise
 * @param byGate    true when the gate answered itself (the upstream could not be reached, see
 *                  {@link GateEvent.UpstreamFailed}); the call then never left the machine
 */
public record GateResponse(int status, GateHeaders headers, Duration held, Duration elapsed, GateBody errorBody,
                           boolean byGate) {

    public GateResponse {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(held, "held");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(errorBody, "errorBody");
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status " + status + " is not between 100 and 999");
        }
    }

    /** Status and times; headers and body are left out on purpose. */
    @Override
    public String toString() {
        return "GateResponse[" + status + (byGate ? " by gate" : "") + ", held " + held.toMillis() + " ms, elapsed "
                + elapsed.toMillis() + " ms]";
    }
}
