package dev.kiln.gcp.internal;

import com.google.api.gax.core.CredentialsProvider;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import java.net.URI;
import java.time.Duration;

/**
 * What a {@code GcpProvider.Builder} produced.
 *
 * @param id                 the provider id plans use
 * @param endpoint           where the Compute Engine API answers, or null for Google's own
 * @param credentials        the credentials to call with, or null for Application Default Credentials
 * @param limits             rate quotas Kiln keeps to
 * @param costModel          what one packer googlecompute build calls
 * @param maxAttempts        attempts per call when throttled or unavailable
 * @param initialBackoff     first wait before a retry
 * @param maxBackoff         longest wait before a retry
 * @param operationPoll      how often Kiln polls an operation it waits for
 * @param operationTimeout   how long Kiln waits for one operation
 * @param callTimeout        how long one HTTP call may take
 * @param packerPollInterval the operation polling interval a build gets at full budget
 */
public record GcpSettings(String id, URI endpoint, CredentialsProvider credentials, LimitsTable limits,
        CostModel costModel, int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration operationPoll,
        Duration operationTimeout, Duration callTimeout, Duration packerPollInterval) {

    /** The endpoint as the client wants it: scheme, host and port, no trailing slash. */
    public String endpointText() {
        if (endpoint == null) {
            return null;
        }
        String text = endpoint.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return text;
    }
}
