package dev.kiln.emulators.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateImageResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;

/** The official SDK's EC2 client against the emulator: lifecycles, filters, paging, tags, in virtual time. */
class Ec2RoundTripTest {

    private static final String BUILD_TAG = "kiln:build-id";

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-01T00:00:00Z"));
    private Ec2Emulator emulator;
    private Ec2Client ec2;

    @BeforeEach
    void start() {
        emulator = Ec2Emulator.builder().timeSource(time).start();
        ec2 = Sdk.ec2(emulator, "us-east-1");
    }

    @AfterEach
    void stop() {
        ec2.close();
        emulator.close();
    }

    private String amazonLinux() {
        return emulator.publicImageId("us-east-1", "amzn2-ami-hvm-2.0.20260101.0-x86_64-gp2");
    }

    private RunInstancesResponse run(int count, String buildId) {
        return ec2.runInstances(r -> r.imageId(amazonLinux()).instanceType(InstanceType.T3_MICRO)
                .minCount(count).maxCount(count)
                .tagSpecifications(spec(ResourceType.INSTANCE, buildId), spec(ResourceType.VOLUME, buildId)));
    }

    private static TagSpecification spec(ResourceType type, String buildId) {
        return TagSpecification.builder().resourceType(type)
                .tags(Tag.builder().key(BUILD_TAG).value(buildId).build()).build();
    }

    private Instance describe(String instanceId) {
        return ec2.describeInstances(r -> r.instanceIds(instanceId)).reservations().get(0).instances().get(0);
    }

    @Test
    void everyRegionHasADefaultNetworkPackerCanFind() {
        var vpcs = ec2.describeVpcs(r -> r.filters(Filter.builder().name("isDefault").values("true").build())).vpcs();
        assertThat(vpcs).hasSize(1);
        String vpcId = vpcs.get(0).vpcId();
        assertThat(vpcs.get(0).cidrBlock()).isEqualTo("172.31.0.0/16");

        var subnets = ec2.describeSubnets(r -> r.filters(Filter.builder().name("vpc-id").values(vpcId).build()))
                .subnets();
        assertThat(subnets).hasSize(3).allSatisfy(s -> assertThat(s.defaultForAz()).isTrue());
        assertThat(subnets).extracting(s -> s.availabilityZone())
                .containsExactly("us-east-1a", "us-east-1b", "us-east-1c");

        var gateways = ec2.describeInternetGateways(r -> r.filters(
                Filter.builder().name("attachment.vpc-id").values(vpcId).build())).internetGateways();
        assertThat(gateways).hasSize(1);
        var tables = ec2.describeRouteTables(r -> r.filters(Filter.builder().name("association.main").values("true")
                .build())).routeTables();
        assertThat(tables).hasSize(1);
        assertThat(tables.get(0).routes()).extracting(route -> route.gatewayId())
                .containsExactly("local", gateways.get(0).internetGatewayId());
        assertThat(ec2.describeSecurityGroups(r -> r.groupNames("default")).securityGroups())
                .singleElement().satisfies(g -> assertThat(g.vpcId()).isEqualTo(vpcId));
        assertThat(ec2.describeRegions().regions()).extracting(r -> r.regionName()).contains("us-east-1", "eu-west-1");
        assertThat(ec2.describeAvailabilityZones().availabilityZones()).extracting(z -> z.zoneId())
                .containsExactly("use1-az1", "use1-az2", "use1-az3");
        assertThat(ec2.describeAccountAttributes(r -> r.attributeNamesWithStrings("default-vpc"))
                .accountAttributes().get(0).attributeValues().get(0).attributeValue()).isEqualTo(vpcId);
    }

    @Test
    void deletingTheInternetRouteCutsTheDefaultNetworkOff() {
        var table = ec2.describeRouteTables(r -> r.filters(Filter.builder().name("association.main").values("true")
                .build())).routeTables().get(0);

        ec2.deleteRoute(r -> r.routeTableId(table.routeTableId()).destinationCidrBlock("0.0.0.0/0"));

        assertThat(ec2.describeRouteTables(r -> r.routeTableIds(table.routeTableId())).routeTables().get(0).routes())
                .extracting(route -> route.gatewayId()).containsExactly("local");
        assertThatThrownBy(() -> ec2.deleteRoute(r -> r.routeTableId(table.routeTableId())
                .destinationCidrBlock("0.0.0.0/0"))).isInstanceOfSatisfying(Ec2Exception.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidRoute.NotFound"));
    }

    @Test
    void runDescribeAndTerminateMoveThroughEc2sStates() {
        RunInstancesResponse launched = run(1, "b-1");
        Instance i = launched.instances().get(0);
        assertThat(i.state().name()).isEqualTo(InstanceStateName.PENDING);
        assertThat(i.tags()).containsExactly(Tag.builder().key(BUILD_TAG).value("b-1").build());
        assertThat(launched.ownerId()).isEqualTo(Ec2Emulator.DEFAULT_ACCOUNT);

        var byTag = ec2.describeInstances(r -> r.filters(Filter.builder().name("tag:" + BUILD_TAG).values("b-*")
                .build(), Filter.builder().name("instance-state-name").values("pending").build()));
        assertThat(byTag.reservations()).hasSize(1);

        time.advance(Duration.ofSeconds(1));
        Instance running = describe(i.instanceId());
        assertThat(running.state().name()).isEqualTo(InstanceStateName.RUNNING);
        assertThat(running.publicIpAddress()).isNotNull();
        assertThat(running.cpuOptions().coreCount()).isEqualTo(1);
        assertThat(running.cpuOptions().threadsPerCore()).isEqualTo(2);

        List<Volume> volumes = ec2.describeVolumes(r -> r.filters(Filter.builder().name("attachment.instance-id")
                .values(i.instanceId()).build())).volumes();
        assertThat(volumes).singleElement().satisfies(v -> {
            assertThat(v.size()).isEqualTo(8);
            assertThat(v.attachments().get(0).deleteOnTermination()).isTrue();
            assertThat(v.tags()).extracting(Tag::value).containsExactly("b-1");
        });

        var terminated = ec2.terminateInstances(r -> r.instanceIds(i.instanceId())).terminatingInstances().get(0);
        assertThat(terminated.previousState().name()).isEqualTo(InstanceStateName.RUNNING);
        assertThat(terminated.currentState().name()).isEqualTo(InstanceStateName.SHUTTING_DOWN);
        time.advance(Duration.ofSeconds(1));
        assertThat(describe(i.instanceId()).state().name()).isEqualTo(InstanceStateName.TERMINATED);
        assertThat(ec2.describeVolumes(r -> r.volumeIds()).volumes()).isEmpty();
        assertThat(emulator.resourcesTagged(BUILD_TAG, "b-1")).isEmpty();
        assertThat(emulator.vcpusInUse(Ec2Emulator.DEFAULT_ACCOUNT, "us-east-1")).isZero();
    }

    @Test
    void createImageFromAStoppedInstanceThenCopyAndDeregister() {
        String instanceId = run(1, "b-2").instances().get(0).instanceId();
        time.advance(Duration.ofSeconds(1));
        ec2.stopInstances(r -> r.instanceIds(instanceId));
        assertThat(describe(instanceId).state().name()).isEqualTo(InstanceStateName.STOPPING);
        time.advance(Duration.ofSeconds(1));
        assertThat(describe(instanceId).state().name()).isEqualTo(InstanceStateName.STOPPED);

        CreateImageResponse created = ec2.createImage(r -> r.instanceId(instanceId).name("kiln-web-1")
                .tagSpecifications(spec(ResourceType.IMAGE, "b-2"), spec(ResourceType.SNAPSHOT, "b-2")));
        Image pending = ec2.describeImages(r -> r.owners("self")
                .filters(Filter.builder().name("name").values("kiln-web-*").build())).images().get(0);
        assertThat(pending.imageId()).isEqualTo(created.imageId());
        assertThat(pending.state()).isEqualTo(ImageState.PENDING);
        time.advance(Duration.ofSeconds(2));
        Image available = ec2.describeImages(r -> r.imageIds(created.imageId())).images().get(0);
        assertThat(available.state()).isEqualTo(ImageState.AVAILABLE);
        String snapshotId = available.blockDeviceMappings().get(0).ebs().snapshotId();
        assertThat(ec2.describeSnapshots(r -> r.ownerIds("self")).snapshots()).singleElement()
                .satisfies(s -> assertThat(s.snapshotId()).isEqualTo(snapshotId));

        assertThatThrownBy(() -> ec2.createImage(r -> r.instanceId(instanceId).name("kiln-web-1")))
                .isInstanceOfSatisfying(Ec2Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAMIName.Duplicate");
                    assertThat(e.awsErrorDetails().errorMessage())
                            .isEqualTo("AMI name kiln-web-1 is already in use by AMI " + created.imageId());
                });

        try (Ec2Client west = Sdk.ec2(emulator, "us-west-2")) {
            String copy = west.copyImage(r -> r.sourceRegion("us-east-1").sourceImageId(created.imageId())
                    .name("kiln-web-1").copyImageTags(true)).imageId();
            time.advance(Duration.ofSeconds(2));
            Image copied = west.describeImages(r -> r.imageIds(copy)).images().get(0);
            assertThat(copied.state()).isEqualTo(ImageState.AVAILABLE);
            assertThat(copied.tags()).extracting(Tag::value).containsExactly("b-2");
            assertThatThrownBy(() -> west.copyImage(r -> r.sourceRegion("us-east-1").sourceImageId(created.imageId())
                    .name("kiln-web-1")))
                    .isInstanceOfSatisfying(Ec2Exception.class, e ->
                            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAMIName.Duplicate"));
        }
        assertThat(emulator.resourcesTagged(BUILD_TAG, "b-2")).extracting(r -> r.region() + "/" + r.type())
                .containsExactlyInAnyOrder("us-east-1/instance", "us-east-1/volume", "us-east-1/image",
                        "us-east-1/snapshot", "us-west-2/image");

        assertThatThrownBy(() -> ec2.deleteSnapshot(r -> r.snapshotId(snapshotId)))
                .isInstanceOfSatisfying(Ec2Exception.class, e ->
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSnapshot.InUse"));
        ec2.deregisterImage(r -> r.imageId(created.imageId()));
        ec2.deleteSnapshot(r -> r.snapshotId(snapshotId));
        assertThatThrownBy(() -> ec2.describeImages(r -> r.imageIds(created.imageId())))
                .isInstanceOfSatisfying(Ec2Exception.class, e ->
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAMIID.NotFound"));
    }

    @Test
    void describeInstancesPagesWithMaxResultsAndNextToken() {
        ec2.runInstances(r -> r.imageId(amazonLinux()).instanceType(InstanceType.T2_NANO).minCount(12).maxCount(12));

        var pages = ec2.describeInstancesPaginator(r -> r.maxResults(5));
        assertThat(pages.stream().count()).isEqualTo(3);
        assertThat(pages.reservations().stream().mapToInt(r -> r.instances().size()).sum()).isEqualTo(12);

        var first = ec2.describeInstances(r -> r.maxResults(5));
        assertThat(first.nextToken()).isNotNull();
        assertThatThrownBy(() -> ec2.describeInstances(r -> r.maxResults(5).nextToken("not-a-token")))
                .isInstanceOfSatisfying(Ec2Exception.class, e ->
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidPaginationToken"));
        assertThatThrownBy(() -> ec2.describeInstances(r -> r.maxResults(2)))
                .isInstanceOfSatisfying(Ec2Exception.class, e ->
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue"));

        var types = ec2.describeInstanceTypesPaginator(r -> r.maxResults(5)
                .filters(Filter.builder().name("vcpu-info.default-vcpus").values("16").build()));
        assertThat(types.instanceTypes().stream().map(t -> t.instanceTypeAsString()))
                .containsExactlyInAnyOrder("m5.4xlarge", "m6i.4xlarge", "c5.4xlarge", "c6i.4xlarge", "r5.4xlarge");
    }

    @Test
    void describeImagesFiltersWithWildcardsOwnersAndTags() {
        var amazon = ec2.describeImages(r -> r.owners("amazon")
                .filters(Filter.builder().name("name").values("amzn2-ami-hvm-*-x86_64-gp2").build())).images();
        assertThat(amazon).extracting(Image::name).containsExactly("amzn2-ami-hvm-2.0.20251201.0-x86_64-gp2",
                "amzn2-ami-hvm-2.0.20260101.0-x86_64-gp2");
        assertThat(ec2.describeImages(r -> r.owners("099720109477")).images()).extracting(Image::name)
                .singleElement().asString().startsWith("ubuntu/images/hvm-ssd/ubuntu-jammy-22.04");
        assertThat(ec2.describeImages(r -> r.owners("self")).images()).isEmpty();

        assertThatThrownBy(() -> ec2.describeImages(r -> r.filters(Filter.builder().name("colour").values("red")
                .build())))
                .isInstanceOfSatisfying(Ec2Exception.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue");
                    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The filter 'colour' is invalid");
                });
    }

    @Test
    void tagsAreCreatedDeletedAndDescribed() {
        String instanceId = run(1, "b-3").instances().get(0).instanceId();
        ec2.createTags(r -> r.resources(instanceId).tags(Tag.builder().key("team").value("web").build(),
                Tag.builder().key("Name").value("builder").build()));
        assertThat(ec2.describeInstances(r -> r.filters(Filter.builder().name("tag-key").values("team").build()))
                .reservations()).hasSize(1);

        ec2.deleteTags(r -> r.resources(instanceId).tags(Tag.builder().key("team").value("not-web").build()));
        assertThat(describe(instanceId).tags()).extracting(Tag::key).contains("team");
        ec2.deleteTags(r -> r.resources(instanceId).tags(Tag.builder().key("team").build()));
        assertThat(describe(instanceId).tags()).extracting(Tag::key).doesNotContain("team");

        var described = ec2.describeTags(r -> r.filters(Filter.builder().name("resource-id").values(instanceId)
                .build())).tags();
        assertThat(described).extracting(t -> t.key()).containsExactlyInAnyOrder(BUILD_TAG, "Name");

        assertThatThrownBy(() -> ec2.createTags(r -> r.resources("i-0123456789abcdef0")
                .tags(Tag.builder().key("a").value("b").build())))
                .isInstanceOfSatisfying(Ec2Exception.class, e ->
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidInstanceID.NotFound"));
        assertThatThrownBy(() -> ec2.createTags(r -> r.resources(instanceId)
                .tags(Tag.builder().key("aws:reserved").value("b").build())))
                .isInstanceOfSatisfying(Ec2Exception.class, e ->
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue"));
    }

    @Test
    void aSecurityGroupInUseCannotBeDeleted() {
        String groupId = ec2.createSecurityGroup(r -> r.groupName("kiln-temp").description("Temporary group"))
                .groupId();
        IpPermission ssh = IpPermission.builder().ipProtocol("tcp").fromPort(22).toPort(22)
                .ipRanges(IpRange.builder().cidrIp("0.0.0.0/0").build()).build();
        ec2.authorizeSecurityGroupIngress(r -> r.groupId(groupId).ipPermissions(ssh));
        assertThatThrownBy(() -> ec2.authorizeSecurityGroupIngress(r -> r.groupId(groupId).ipPermissions(ssh)))
                .isInstanceOfSatisfying(Ec2Exception.class, e ->
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidPermission.Duplicate"));
        assertThat(ec2.describeSecurityGroups(r -> r.groupIds(groupId)).securityGroups().get(0).ipPermissions())
                .singleElement().satisfies(p -> assertThat(p.fromPort()).isEqualTo(22));

        String instanceId = ec2.runInstances(r -> r.imageId(amazonLinux()).instanceType(InstanceType.T3_MICRO)
                .minCount(1).maxCount(1).securityGroupIds(groupId)).instances().get(0).instanceId();
        assertThatThrownBy(() -> ec2.deleteSecurityGroup(r -> r.groupId(groupId)))
                .isInstanceOfSatisfying(Ec2Exception.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("DependencyViolation");
                    assertThat(e.awsErrorDetails().errorMessage())
                            .isEqualTo("resource " + groupId + " has a dependent object");
                });

        ec2.terminateInstances(r -> r.instanceIds(instanceId));
        time.advance(Duration.ofSeconds(1));
        ec2.deleteSecurityGroup(r -> r.groupId(groupId));
        assertThat(ec2.describeSecurityGroups().securityGroups()).extracting(g -> g.groupName())
                .containsExactly("default");
    }

    @Test
    void keyPairsAreRealKeysInEc2sFormats() {
        var rsa = ec2.createKeyPair(r -> r.keyName("packer_tmp"));
        assertThat(rsa.keyMaterial()).startsWith("-----BEGIN RSA PRIVATE KEY-----\n")
                .endsWith("-----END RSA PRIVATE KEY-----");
        assertThat(rsa.keyFingerprint()).matches("([0-9a-f]{2}:){19}[0-9a-f]{2}");
        var ed = ec2.createKeyPair(r -> r.keyName("packer_ed").keyType("ed25519"));
        assertThat(ed.keyMaterial()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");

        assertThat(ec2.describeKeyPairs().keyPairs()).extracting(k -> k.keyName())
                .containsExactly("packer_tmp", "packer_ed");
        assertThatThrownBy(() -> ec2.createKeyPair(r -> r.keyName("packer_tmp")))
                .isInstanceOfSatisfying(Ec2Exception.class, e ->
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidKeyPair.Duplicate"));
        ec2.deleteKeyPair(r -> r.keyName("packer_tmp"));
        ec2.deleteKeyPair(r -> r.keyName("packer_tmp"));
        assertThatThrownBy(() -> ec2.describeKeyPairs(r -> r.keyNames("packer_tmp")))
                .isInstanceOfSatisfying(Ec2Exception.class, e ->
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidKeyPair.NotFound"));
    }

    @Test
    void accountsComeFromAccessKeysAndRegionsFromTheCredentialScope() {
        emulator.close();
        emulator = Ec2Emulator.builder().timeSource(time).account("AKIAOTHERACCOUNT0001", "210987654321").start();
        ec2 = Sdk.ec2(emulator, "us-east-1");
        try (Ec2Client other = Sdk.ec2(emulator, "us-east-1", "AKIAOTHERACCOUNT0001");
                Ec2Client europe = Sdk.ec2(emulator, "eu-west-1")) {
            run(1, "b-4");
            other.runInstances(r -> r.imageId(amazonLinux()).instanceType(InstanceType.T3_MICRO).minCount(1)
                    .maxCount(1).tagSpecifications(spec(ResourceType.INSTANCE, "b-4")));
            String euImage = emulator.publicImageId("eu-west-1", "amzn2-ami-hvm-2.0.20260101.0-x86_64-gp2");
            europe.runInstances(r -> r.imageId(euImage).instanceType(InstanceType.T3_MICRO).minCount(1).maxCount(1)
                    .tagSpecifications(spec(ResourceType.INSTANCE, "b-4")));

            assertThat(ec2.describeInstances().reservations()).singleElement()
                    .satisfies(r -> assertThat(r.ownerId()).isEqualTo(Ec2Emulator.DEFAULT_ACCOUNT));
            assertThat(other.describeInstances().reservations()).singleElement()
                    .satisfies(r -> assertThat(r.ownerId()).isEqualTo("210987654321"));
            assertThat(europe.describeInstances().reservations().get(0).instances().get(0).placement()
                    .availabilityZone()).startsWith("eu-west-1");
            assertThat(emulator.resourcesTagged(BUILD_TAG, "b-4"))
                    .extracting(r -> r.account() + "/" + r.region() + "/" + r.type())
                    .containsExactlyInAnyOrder("123456789012/us-east-1/instance", "123456789012/us-east-1/volume",
                            "210987654321/us-east-1/instance", "123456789012/eu-west-1/instance");
            assertThat(amazonLinux()).isNotEqualTo(euImage);
        }
    }

    @Test
    void dryRunAnswersDryRunOperationAndChangesNothing() {
        assertThatThrownBy(() -> ec2.runInstances(r -> r.imageId(amazonLinux()).instanceType(InstanceType.T3_MICRO)
                .minCount(1).maxCount(1).dryRun(true)))
                .isInstanceOfSatisfying(Ec2Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(412);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("DryRunOperation");
                });
        assertThat(ec2.describeInstances().reservations()).isEmpty();
    }

    @Test
    void aRetriedLaunchWithTheSameClientTokenGetsTheSameInstances() {
        String first = ec2.runInstances(r -> r.imageId(amazonLinux()).instanceType(InstanceType.T3_MICRO)
                .minCount(1).maxCount(1).clientToken("token-1")).instances().get(0).instanceId();
        String again = ec2.runInstances(r -> r.imageId(amazonLinux()).instanceType(InstanceType.T3_MICRO)
                .minCount(1).maxCount(1).clientToken("token-1")).instances().get(0).instanceId();
        assertThat(again).isEqualTo(first);
        assertThat(ec2.describeInstances().reservations()).hasSize(1);
    }
}
