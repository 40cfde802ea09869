package dev.kiln.gate.internal;

import dev.kiln.gate.GateEvent;
import java.io.IOException;

/** An upstream could not be reached or broke; the message is what packer and Kiln are told. */
final class UpstreamFailure extends IOException {

    private static final long serialVersionUID = 1L;

    private final GateEvent.Cause cause;

    UpstreamFailure(GateEvent.Cause cause, String message) {
        super(message);
        this.cause = cause;
    }

    GateEvent.Cause reason() {
        return cause;
    }
}
