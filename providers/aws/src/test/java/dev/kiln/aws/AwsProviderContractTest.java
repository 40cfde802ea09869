package dev.kiln.aws;

import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Target;
import dev.kiln.spi.CloudProvider;
import dev.kiln.testkit.aws.Ec2Delays;
import dev.kiln.testkit.aws.Ec2Emulator;
import dev.kiln.testkit.contract.CloudProviderContract;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/** The provider kit every Kiln provider passes, against the in-process EC2 emulator. */
class AwsProviderContractTest extends CloudProviderContract {

    private static final String REGION = "us-east-1";
    private static Ec2Emulator emulator;
    private static Ec2Client ec2;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startEmulator() {
        emulator = Ec2Emulator.builder().delays(Ec2Delays.none()).start();
        ec2 = Fixtures.sdk(emulator, REGION);
    }

    @AfterAll
    static void stopEmulator() {
        ec2.close();
        emulator.close();
    }

    @AfterEach
    void closeProvider() {
        provider().close();
    }

    @Override
    protected CloudProvider newProvider() {
        return Fixtures.provider(emulator).build();
    }

    @Override
    protected Target target() {
        return Fixtures.target(REGION);
    }

    @Override
    protected BuildJob sampleJob(String imageName, String buildId) {
        Path template = Fixtures.template(dir, "contract.json", "{\"type\": \"amazon-ebs\", \"communicator\": \"ssh\"}");
        return Fixtures.job(target(), template, "t3.micro", imageName, buildId);
    }

    @Override
    protected void createImage(String name, String buildId) {
        Fixtures.image(ec2, emulator, REGION, name, buildId);
    }

    @Override
    protected void leaveDebris(String buildId) {
        // What packer leaves when killed hard after CreateImage: a tagged key pair and group, an
        // instance with an extra volume that outlives it, and an image that never became Kiln's.
        ec2.createKeyPair(r -> r.keyName("kiln-debris-" + buildId)
                .tagSpecifications(Fixtures.tags(ResourceType.KEY_PAIR, buildId)));
        String group = ec2.createSecurityGroup(r -> r.groupName("kiln-debris-" + buildId).description("debris")
                .tagSpecifications(Fixtures.tags(ResourceType.SECURITY_GROUP, buildId))).groupId();
        String instance = ec2.runInstances(r -> r.imageId(emulator.publicImageId(REGION, Fixtures.BASE_AMI_NAME))
                .instanceType("t3.micro").minCount(1).maxCount(1).securityGroupIds(group)
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/sdf").ebs(EbsBlockDevice.builder()
                        .volumeSize(1).deleteOnTermination(false).build()).build())
                .tagSpecifications(Fixtures.tags(ResourceType.INSTANCE, buildId),
                        Fixtures.tags(ResourceType.VOLUME, buildId))).instances().get(0).instanceId();
        Fixtures.waitFor(ec2, instance, InstanceStateName.RUNNING);
        ec2.createImage(r -> r.instanceId(instance).name("kiln-debris-" + buildId)
                .tagSpecifications(Fixtures.tags(ResourceType.IMAGE, buildId),
                        Fixtures.tags(ResourceType.SNAPSHOT, buildId)));
    }

    @Override
    protected Set<String> debris(String buildId) {
        return emulator.resourcesTagged("kiln:build-id", buildId).stream()
                .map(r -> r.type() + "/" + r.id()).collect(Collectors.toSet());
    }

    @Override
    protected Set<String> secrets() {
        return Set.of(Fixtures.SECRET_KEY, Fixtures.ACCESS_KEY);
    }
}
