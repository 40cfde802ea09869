package dev.kiln.gate;

import dev.kiln.KilnException;

/**
 * The gate could not start, or was asked something it cannot do. Messages name the setting and
 * value at fault and what is allowed; they never carry a client token or a header value.
 */
public final class GateException extends KilnException {

    private static final long serialVersionUID = 1L;

    public GateException(String message) {
        super(message);
    }

    public GateException(String message, Throwable cause) {
        super(message, cause);
    }
}
