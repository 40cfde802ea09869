package dev.kiln.spi;

import dev.kiln.KilnException;
import java.util.Objects;

/**
 * A provider found no credentials, or its cloud rejected the ones it found. The message is one
 * sentence for the person who has to fix it: the provider, what went wrong, and where the provider
 * reads credentials from; never an SDK's dump of every credential source it tried. Preflight
 * refuses the builds it concerns as {@link Refusal.Kind#CREDENTIALS}.
 *
 * <p>Providers throw it from any call (quota probes, name checks, sweeps) where their SDK reports
 * missing or rejected credentials; see {@link #missing} and {@link #rejected} for the wording.
 */
public final class CredentialsException extends KilnException {

    private static final long serialVersionUID = 1L;

    /** {@code provider} is the id of the provider whose credentials are missing or rejected ({@link #provider()}). */
    public CredentialsException(String provider, String message, Throwable cause) {
        super(message, Context.ofProvider(Objects.requireNonNull(provider, "provider")), cause);
    }

    /**
     * No credentials: {@code aws: no credentials (what the SDK said): ... reads them from WHERE}.
     *
     * @param reason what was missing, in a few words (e.g. {@code profile 'prod' is not in ~/.aws/credentials})
     * @param where  where the provider reads credentials from, in the order it tries them
     */
    public static CredentialsException missing(String provider, String reason, String where, Throwable cause) {
        return new CredentialsException(provider, provider + ": no credentials" + (reason.isBlank() ? "" : " ("
                + reason + ")") + "; it reads them from " + where, cause);
    }

    /** Credentials the cloud refused: expired, revoked, or for another account. */
    public static CredentialsException rejected(String provider, String reason, String where, Throwable cause) {
        return new CredentialsException(provider, provider + ": the cloud rejected the credentials (" + reason
                + "); it reads them from " + where, cause);
    }
}
