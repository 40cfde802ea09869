package dev.kiln.aws;

import static org.awaitility.Awaitility.await;

import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.awaitility.core.ConditionTimeoutException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** The emulator-side helpers the provider's tests share: static test keys, an SDK client, jobs, debris. */
final class Fixtures {

    /** Fake keys for the emulator only; the provider must never print or pass on the secret. */
    static final String ACCESS_KEY = "AKIAKILNAWSPROVIDER1";
    static final String SECRET_KEY = "kiln-aws-provider-test-secret-0123456789";
    static final String ACCOUNT = Ec2Emulator.DEFAULT_ACCOUNT;
    static final String BASE_AMI_NAME = "amzn2-ami-hvm-2.0.20260101.0-x86_64-gp2";

    private Fixtures() {
    }

    static StaticCredentialsProvider credentials() {
        return credentials(ACCESS_KEY);
    }

    static StaticCredentialsProvider credentials(String accessKey) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, SECRET_KEY));
    }

    static AwsProvider.Builder provider(Ec2Emulator emulator) {
        return AwsProvider.builder().endpointOverride(emulator.endpoint()).credentials(credentials());
    }

    /** The SDK as a test uses it to set the scene: one attempt per call, the provider's keys. */
    static Ec2Client sdk(Ec2Emulator emulator, String region) {
        return Ec2Client.builder().endpointOverride(emulator.endpoint()).region(Region.of(region))
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))).build();
    }

    static Target target(String region) {
        return Target.of("aws", ACCOUNT, region);
    }

    /** A packer JSON template with the given builder body, written under {@code dir}. */
    static Path template(Path dir, String name, String builderJson) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, "{\"builders\": [" + builderJson + "]}\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BuildJob job(Target target, Path template, String instanceType, String imageName, String buildId) {
        ImageSpec image = ImageSpec.builder("base", template, "amazon-ebs").instanceSize(instanceType).build();
        return new BuildJob(JobId.of("base", target, "dev"), image, target, "dev", imageName, buildId, Set.of(),
                Demand.of(2, 1, 8, 0).with(Demand.IMAGES, 1));
    }

    static TagSpecification tags(ResourceType type, String buildId) {
        return TagSpecification.builder().resourceType(type).tags(Tag.builder().key("kiln:build-id").value(buildId)
                .build()).build();
    }

    /** The build id and the expiry, as a template's {@code run_tags} and {@code run_volume_tags} put them. */
    static TagSpecification tags(ResourceType type, String buildId, String expiresAt) {
        return TagSpecification.builder().resourceType(type).tags(Tag.builder().key("kiln:build-id").value(buildId)
                .build(), Tag.builder().key("kiln:expires-at").value(expiresAt).build()).build();
    }

    /** Launches one tagged t3.micro from the emulator's Amazon Linux image; returns its id. */
    static String launch(Ec2Client ec2, Ec2Emulator emulator, String region, String buildId, String... groupIds) {
        return ec2.runInstances(r -> r.imageId(emulator.publicImageId(region, BASE_AMI_NAME)).instanceType("t3.micro")
                .minCount(1).maxCount(1).securityGroupIds(groupIds)
                .tagSpecifications(tags(ResourceType.INSTANCE, buildId))).instances().get(0).instanceId();
    }

    /** An AMI named {@code name}, tagged with {@code buildId}, from an instance that is then terminated. */
    static String image(Ec2Client ec2, Ec2Emulator emulator, String region, String name, String buildId) {
        String instance = launch(ec2, emulator, region, "fixture-" + buildId);
        waitFor(ec2, instance, InstanceStateName.RUNNING);
        String ami = ec2.createImage(r -> r.instanceId(instance).name(name)
                .tagSpecifications(tags(ResourceType.IMAGE, buildId), tags(ResourceType.SNAPSHOT, buildId))).imageId();
        ec2.terminateInstances(r -> r.instanceIds(instance));
        return ami;
    }

    /** Polls (the emulator's states move within its configured delays) until {@code instance} is {@code state}. */
    static void waitFor(Ec2Client ec2, String instance, InstanceStateName state) {
        try {
            await(instance).atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(() -> ec2.describeInstances(r -> r.instanceIds(instance)).reservations().get(0).instances()
                            .get(0).state().name() == state);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(instance + " never became " + state, e);
        }
    }
}
