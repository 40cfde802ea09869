package dev.kiln.emulators.spi;

import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import java.util.Objects;

/**
 * What a call was answered with: the response, and how the counters and the journal see it. A
 * call can succeed on the wire and still count as refused (Compute Engine answers an insert over
 * quota with a 200 and an operation that failed).
 *
 * @param errorCode the provider's code journaled with the call, or null
 */
public record Answer(Response response, Outcome outcome, String errorCode) {

    public Answer {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** A plain success. */
    public static Answer ok(Response response) {
        return new Answer(response, Outcome.OK, null);
    }
}
