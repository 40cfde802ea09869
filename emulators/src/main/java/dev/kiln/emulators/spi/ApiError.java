package dev.kiln.emulators.spi;

import dev.kiln.emulators.ApiCounters.Outcome;
import java.util.Objects;

/**
 * An error answer of an emulated API, in the provider's words: the HTTP status, the provider's
 * error code (what the call journal keeps), and how the counters count it. Each emulator's own
 * error type extends this with what its wire format needs; its {@link Protocol} renders it.
 */
public abstract class ApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final transient Outcome outcome;

    protected ApiError(int status, String code, String message, Outcome outcome) {
        super(message, null, false, false);
        this.status = status;
        this.code = Objects.requireNonNull(code, "code");
        this.outcome = Objects.requireNonNull(outcome, "outcome");
    }

    public final int status() {
        return status;
    }

    /** The provider's code of this error, e.g. {@code RequestLimitExceeded}. */
    public final String code() {
        return code;
    }

    public final Outcome outcome() {
        return outcome;
    }
}
