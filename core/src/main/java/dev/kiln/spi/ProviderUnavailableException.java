package dev.kiln.spi;

import dev.kiln.KilnException;

/**
 * A provider's call failed for a reason that may pass: the cloud answered that it is unavailable
 * (a 5xx), kept throttling past the SDK's retries, or could not be reached. Kiln tries the call
 * again with backoff before it refuses a build for it ({@link KilnException#isTransient()}).
 * Providers whose own failure types carry more may override {@code isTransient()} instead.
 *
 * <p>Stability: evolving SPI.
 */
public final class ProviderUnavailableException extends KilnException {

    private static final long serialVersionUID = 1L;

    /** {@code message} says which call of which provider failed, and what the cloud answered. */
    public ProviderUnavailableException(String provider, String message, Throwable cause) {
        super(message, Context.ofProvider(provider), cause);
    }

    /** Always: trying again later may succeed. */
    @Override
    public boolean isTransient() {
        return true;
    }
}
