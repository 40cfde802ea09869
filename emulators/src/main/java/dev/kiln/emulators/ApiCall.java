package dev.kiln.emulators;

import java.time.Instant;
import java.util.Objects;

/**
 * One call an emulator answered, as its journal keeps it.
 *
 * @param at        when it was answered, as the emulator's time source counts time
 * @param provider  the emulator's provider name
 * @param account   the account (or subscription, project) the call was made as
 * @param region    the region it addressed
 * @param action    the API action, e.g. {@code RunInstances}
 * @param status    the HTTP status answered
 * @param errorCode the provider's error code, or {@code null} on success
 */
public record ApiCall(Instant at, String provider, String account, String region, String action, int status,
        String errorCode) {

    public ApiCall {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(action, "action");
    }

    /** True when the call was answered with a success status. */
    public boolean succeeded() {
        return status < 300;
    }

    @Override
    public String toString() {
        return provider + " " + account + " " + region + " " + action + " " + status
                + (errorCode == null ? "" : " " + errorCode);
    }
}
