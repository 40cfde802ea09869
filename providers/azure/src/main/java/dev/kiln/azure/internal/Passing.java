package dev.kiln.azure.internal;

import com.azure.core.exception.HttpResponseException;
import dev.kiln.azure.AzureProvider;
import dev.kiln.spi.ProviderUnavailableException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * ARM failures that may pass, told apart from the rest: a 5xx or a 429 the pipeline's retries did
 * not outlast, or no answer at all, become {@link ProviderUnavailableException}, which Kiln tries
 * again with backoff before refusing a build; anything else is thrown as it came.
 */
public final class Passing {

    private Passing() {
    }

    /** {@code call}, with a passing failure of it reported as one, naming {@code what}. */
    public static <T> T failures(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (HttpResponseException e) {
            int status = e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
            if (status >= 500 || status == 429) {
                throw new ProviderUnavailableException(AzureProvider.ID, "ARM answered " + what + " with HTTP " + status
                        + ": " + firstLine(e.getMessage()), e);
            }
            throw e;
        } catch (UncheckedIOException e) {
            throw new ProviderUnavailableException(AzureProvider.ID, "ARM did not answer " + what + ": "
                    + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
