package dev.kiln.aws.internal;

import dev.kiln.spi.CredentialsException;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Tells missing and rejected credentials from other failures of an AWS call, and says so in one
 * sentence naming where the provider reads credentials from. The SDK's own message lists every
 * provider of its credential chain with what each one said; none of that is repeated.
 */
final class AwsCredentialProblems {

    static final String DEFAULT_CHAIN = "the AWS SDK's default places, in order: the variables AWS_ACCESS_KEY_ID"
            + " and AWS_SECRET_ACCESS_KEY (or the system properties aws.accessKeyId and aws.secretAccessKey), a web"
            + " identity token (AWS_WEB_IDENTITY_TOKEN_FILE), the profile AWS_PROFILE (else 'default') in"
            + " ~/.aws/credentials and ~/.aws/config (SSO included), then the container's or the instance's role";
    static final String CONFIGURED = "the credentials the provider was given: the profile its setting profile (or"
            + " account_profiles for this account) names, in ~/.aws/credentials and ~/.aws/config";

    /** Error codes with which AWS rejects a request's credentials (not its permissions). */
    private static final Set<String> REJECTED = Set.of("UnrecognizedClientException", "InvalidClientTokenId",
            "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "InvalidAccessKeyId",
            "MissingAuthenticationToken", "IncompleteSignature");

    private AwsCredentialProblems() {
    }

    /** The credentials AWS refused, if that is what {@code e} is. */
    static Optional<CredentialsException> rejected(AwsServiceException e, boolean configured) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String text = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorMessage());
        // EC2's AuthFailure also means "not authorized for this image": only its credential form counts.
        boolean credentials = code != null && (REJECTED.contains(code)
                || code.equals("AuthFailure") && text.toLowerCase(java.util.Locale.ROOT).contains("credentials"));
        if (!credentials) {
            return Optional.empty();
        }
        return Optional.of(CredentialsException.rejected("aws", code + (text.isBlank() ? "" : ": " + text),
                where(configured), e));
    }

    /** The SDK found no credentials, if that is what {@code e} is. */
    static Optional<CredentialsException> missing(SdkException e, boolean configured) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m == null) {
                continue;
            }
            if (m.startsWith("Unable to load credentials from any of the providers")) {
                return Optional.of(CredentialsException.missing("aws", "none of the SDK's places had any",
                        where(configured), e));
            }
            if (m.contains("Profile file contained no credentials for profile")
                    || m.startsWith("Unable to load credentials") || m.contains("Unable to load profile")) {
                return Optional.of(CredentialsException.missing("aws", firstClause(m), where(configured), e));
            }
        }
        return Optional.empty();
    }

    private static String where(boolean configured) {
        return configured ? CONFIGURED : DEFAULT_CHAIN;
    }

    /** What the SDK said, without the dump of its profile file or provider chain that follows. */
    private static String firstClause(String message) {
        String m = message.lines().findFirst().orElse("");
        for (String dump : new String[] {": ProfileFile(", " ProfileFile(", ": [", "AwsCredentialsProviderChain("}) {
            int cut = m.indexOf(dump);
            if (cut > 0) {
                m = m.substring(0, cut);
            }
        }
        return m.strip();
    }
}
