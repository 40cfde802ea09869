package dev.kiln.aws.internal;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;

/**
 * What an {@code AwsProvider.Builder} produced, immutable.
 *
 * @param endpoint           EC2 and Service Quotas endpoint for every region, or null for AWS's own
 * @param credentials        credentials of accounts without their own, or null for the SDK's default chain
 * @param accountCredentials credentials by account
 * @param retryMode          the SDK's retry mode
 * @param pollDelay          packer's waiter delay at a full polling budget
 * @param waiterTimeout      how long one packer waiter may wait in all
 * @param sweepTimeout       how long a sweep waits for instances and groups
 * @param apiCallTimeout     the SDK's limit for one call, attempts included
 * @param buildHostAddresses addresses or CIDRs packer connects from; empty means this host's own
 * @param checkAccount       whether the probe checks that credentials act in the target's account
 */
public record AwsSettings(URI endpoint, AwsCredentialsProvider credentials,
        Map<String, AwsCredentialsProvider> accountCredentials, RetryMode retryMode, Duration pollDelay,
        Duration waiterTimeout, Duration sweepTimeout, Duration apiCallTimeout, List<String> buildHostAddresses,
        boolean checkAccount) {

    public AwsSettings {
        accountCredentials = Map.copyOf(accountCredentials);
        buildHostAddresses = List.copyOf(buildHostAddresses);
    }

    /** Whole seconds of {@link #pollDelay}, at least 1. */
    long pollDelaySeconds() {
        return Math.max(1, (pollDelay.toMillis() + 999) / 1000);
    }

    @Override
    public String toString() {
        // Credentials providers print their class only, but say nothing of them at all anyway.
        return "AwsSettings[endpoint=" + (endpoint == null ? "AWS" : endpoint) + ", accounts with own credentials="
                + accountCredentials.keySet() + ", retryMode=" + retryMode + ", pollDelay=" + pollDelay + "]";
    }
}
