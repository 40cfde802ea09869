package dev.kiln.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.spi.CredentialsException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Issue 14: missing or rejected AWS credentials are one sentence, never the SDK's dump of its chain. */
class AwsCredentialProblemsTest {

    @Test
    void an_empty_credential_chain_is_one_sentence_naming_where_credentials_are_read() {
        // Given what the SDK throws when no source of its chain has credentials (a chain of one that never has)
        SdkException e = failureOf(AwsCredentialsProviderChain.of(
                ProfileCredentialsProvider.builder().profileName("kiln-test-no-such-profile").build()));

        // When
        CredentialsException c = AwsCredentialProblems.missing(e, false).orElseThrow();

        // Then
        assertThat(c.provider()).hasValue("aws");
        assertThat(c.getMessage()).startsWith("aws: no credentials (none of the SDK's places had any); it reads them"
                + " from the AWS SDK's default places, in order: the variables AWS_ACCESS_KEY_ID")
                .contains("~/.aws/credentials").doesNotContain("Provider(").doesNotContain("[");
    }

    @Test
    void a_profile_without_credentials_is_named() {
        SdkException e = failureOf(ProfileCredentialsProvider.builder().profileName("kiln-test-no-such-profile")
                .build());

        CredentialsException c = AwsCredentialProblems.missing(e, true).orElseThrow();

        assertThat(c.getMessage()).startsWith("aws: no credentials (").contains("kiln-test-no-such-profile")
                .contains("it reads them from the credentials the provider was given").doesNotContain("ProfileFile(");
    }

    @Test
    void credentials_aws_rejects_are_said_so_and_permissions_are_not() {
        AwsServiceException rejected = AwsServiceException.builder().statusCode(401).awsErrorDetails(
                AwsErrorDetails.builder().errorCode("AuthFailure")
                        .errorMessage("AWS was not able to validate the provided access credentials").build()).build();
        AwsServiceException notForImage = AwsServiceException.builder().statusCode(403).awsErrorDetails(
                AwsErrorDetails.builder().errorCode("AuthFailure").errorMessage("Not authorized for image:ami-1")
                        .build()).build();
        AwsServiceException expired = AwsServiceException.builder().statusCode(400).awsErrorDetails(
                AwsErrorDetails.builder().errorCode("ExpiredToken").errorMessage("The security token included in"
                        + " the request is expired").build()).build();

        assertThat(AwsCredentialProblems.rejected(rejected, false)).hasValueSatisfying(c -> assertThat(c.getMessage())
                .isEqualTo("aws: the cloud rejected the credentials (AuthFailure: AWS was not able to validate the"
                        + " provided access credentials); it reads them from " + AwsCredentialProblems.DEFAULT_CHAIN));
        assertThat(AwsCredentialProblems.rejected(expired, false)).isPresent();
        assertThat(AwsCredentialProblems.rejected(notForImage, false)).isEmpty();
        assertThat(AwsCredentialProblems.missing(SdkClientException.create("connect timed out"), false)).isEmpty();
    }

    private static SdkException failureOf(software.amazon.awssdk.auth.credentials.AwsCredentialsProvider provider) {
        try {
            provider.resolveCredentials();
            throw new AssertionError("expected no credentials from " + provider);
        } catch (SdkException e) {
            return e;
        }
    }
}
