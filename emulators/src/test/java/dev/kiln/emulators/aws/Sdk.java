package dev.kiln.emulators.aws;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.servicequotas.ServiceQuotasClient;

/** The official AWS SDK v2 pointed at an emulator: static fake keys, one region, one attempt per call. */
final class Sdk {

    static final String ACCESS_KEY = "AKIAKILNTEST00000001";

    private Sdk() {
    }

    static StaticCredentialsProvider credentials(String accessKey) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, "kiln-test-not-a-secret"));
    }

    /** One attempt per call, so a throttle or fault surfaces as the exception the SDK raises for it. */
    static Ec2Client ec2(Ec2Emulator emulator, String region) {
        return ec2(emulator, region, ACCESS_KEY);
    }

    static Ec2Client ec2(Ec2Emulator emulator, String region, String accessKey) {
        return Ec2Client.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.of(region))
                .credentialsProvider(credentials(accessKey))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)))
                .build();
    }

    static ServiceQuotasClient quotas(Ec2Emulator emulator, String region) {
        return ServiceQuotasClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.of(region))
                .credentialsProvider(credentials(ACCESS_KEY))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)))
                .build();
    }
}
