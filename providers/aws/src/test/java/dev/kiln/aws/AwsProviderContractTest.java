package dev.kiln.aws;

import dev.kiln.emulators.aws.Ec2Delays;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Target;
import dev.kiln.spi.CloudProvider;
import dev.kiln.testkit.contract.CloudProviderContract;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.Filter;
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
        // The fixtures create images and debris with a bare SDK client, outside Kiln's limits; with
        // EC2's buckets on, a fast machine trips CreateImage's. Throttling is AwsProviderTest's.
        emulator = Ec2Emulator.builder().delays(Ec2Delays.none()).throttling(false).start();
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

    /**
     * What a killed amazon-ebs build with the expiry in {@code run_tags} and {@code run_volume_tags}
     * leaves: packer's untagged {@code packer_*} key pair and group, and the tagged instance with a
     * volume that outlives it. No AMI: expiry sweeps keep images.
     */
    @Override
    protected void leaveDebris(String buildId, String expiresAt) {
        String key = "packer_" + buildId;
        ec2.createKeyPair(r -> r.keyName(key));
        String group = ec2.createSecurityGroup(r -> r.groupName("packer_" + buildId)
                .description("Temporary group for Packer")).groupId();
        String instance = ec2.runInstances(r -> r.imageId(emulator.publicImageId(REGION, Fixtures.BASE_AMI_NAME))
                .instanceType("t3.micro").minCount(1).maxCount(1).keyName(key).securityGroupIds(group)
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/sdf").ebs(EbsBlockDevice.builder()
                        .volumeSize(1).deleteOnTermination(false).build()).build())
                .tagSpecifications(Fixtures.tags(ResourceType.INSTANCE, buildId, expiresAt),
                        Fixtures.tags(ResourceType.VOLUME, buildId, expiresAt))).instances().get(0).instanceId();
        Fixtures.waitFor(ec2, instance, InstanceStateName.RUNNING);
    }

    /** What carries the build id, and packer's key pairs and groups named after it. */
    @Override
    protected Set<String> debris(String buildId) {
        Set<String> left = emulator.resourcesTagged("kiln:build-id", buildId).stream()
                .map(r -> r.type() + "/" + r.id()).collect(Collectors.toCollection(HashSet::new));
        Filter keyName = Filter.builder().name("key-name").values("packer_" + buildId).build();
        Filter groupName = Filter.builder().name("group-name").values("packer_" + buildId).build();
        ec2.describeKeyPairs(r -> r.filters(keyName)).keyPairs()
                .forEach(k -> left.add("key-pair/" + k.keyName()));
        ec2.describeSecurityGroups(r -> r.filters(groupName))
                .securityGroups().forEach(g -> left.add("security-group/" + g.groupId()));
        return left;
    }

    @Override
    protected Set<String> secrets() {
        return Set.of(Fixtures.SECRET_KEY, Fixtures.ACCESS_KEY);
    }
}
