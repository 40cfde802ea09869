package dev.kiln.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.KilnException;
import dev.kiln.emulators.aws.Ec2Delays;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.Target;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.SweepReport;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** The AWS provider against the EC2 emulator: quotas, demand, names, artifacts, sweeps, packer's environment. */
class AwsProviderTest {

    private static final String REGION = "eu-west-1";
    private static final Target TARGET = Fixtures.target(REGION);

    @TempDir
    Path dir;

    private Ec2Emulator emulator;
    private Ec2Client ec2;
    private AwsProvider provider;

    private void given(Ec2Emulator.Builder emulatorBuilder, AwsProvider.Builder providerSettings,
            RecordingContext context) {
        emulator = emulatorBuilder.start();
        ec2 = Fixtures.sdk(emulator, REGION);
        provider = providerSettings.endpointOverride(emulator.endpoint()).credentials(Fixtures.credentials()).build();
        provider.start(context);
    }

    private RecordingContext given(Ec2Emulator.Builder emulatorBuilder) {
        RecordingContext context = new RecordingContext(TimeSource.system());
        given(emulatorBuilder, AwsProvider.builder(), context);
        return context;
    }

    @AfterEach
    void close() {
        if (provider != null) {
            provider.close();
        }
        if (ec2 != null) {
            ec2.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private BuildJob job(String instanceType, String imageName, String buildId) {
        return Fixtures.job(TARGET, Fixtures.template(dir, "t.json", "{\"type\": \"amazon-ebs\"}"), instanceType,
                imageName, buildId);
    }

    @Test
    void the_probe_reports_the_vcpu_quota_less_running_instances_and_the_ami_quota_less_own_images() {
        // Given a region with two running t3.micro (2 vCPUs each), one m5.xlarge stopped, and one own AMI
        RecordingContext context = given(Ec2Emulator.builder().delays(Ec2Delays.none()).vcpuQuota(32).amiQuota(40));
        Fixtures.launch(ec2, emulator, REGION, "other");
        Fixtures.launch(ec2, emulator, REGION, "other");
        Fixtures.image(ec2, emulator, REGION, "someone-elses-image", "other");
        String stopped = ec2.runInstances(r -> r.imageId(emulator.publicImageId(REGION, Fixtures.BASE_AMI_NAME))
                .instanceType("m5.xlarge").minCount(1).maxCount(1)).instances().get(0).instanceId();
        Fixtures.waitFor(ec2, stopped, InstanceStateName.RUNNING);
        ec2.stopInstances(r -> r.instanceIds(stopped));

        // When
        QuotaSnapshot snapshot = provider.probeQuotas(TARGET);

        // Then
        assertThat(snapshot.target()).isEqualTo(TARGET);
        assertThat(snapshot.quotas()).containsOnlyKeys(Demand.VCPUS, Demand.IMAGES);
        assertThat(snapshot.quota(Demand.VCPUS)).contains(new Quota(Demand.VCPUS, dev.kiln.limits.Scope.REGION, 32,
                emulator.vcpusInUse(Fixtures.ACCOUNT, REGION)));
        assertThat(snapshot.quota(Demand.VCPUS).orElseThrow().usage()).isEqualTo(4);
        assertThat(snapshot.quota(Demand.IMAGES).orElseThrow()).extracting(Quota::limit, Quota::usage)
                .containsExactly(40L, 1L);
        assertThat(context.acquired()).containsOnlyKeys("GetServiceQuota", "DescribeInstances", "DescribeImages");
    }

    @Test
    void demand_is_the_instance_types_vcpus_and_one_image_asked_once_per_type() {
        RecordingContext context = given(Ec2Emulator.builder());

        Demand m5 = provider.demandOf(job("m5.xlarge", "a", "b1"));
        Demand again = provider.demandOf(job("m5.xlarge", "b", "b2"));
        Demand gpu = provider.demandOf(job("g4dn.xlarge", "c", "b3"));

        assertThat(m5.amounts()).containsExactly(Map.entry(Demand.IMAGES, 1L), Map.entry(Demand.VCPUS, 4L));
        assertThat(again).isEqualTo(m5);
        assertThat(context.acquired("DescribeInstanceTypes")).isEqualTo(1);
        assertThat(gpu.amounts()).as("another family's quota, not probed").containsOnlyKeys(Demand.IMAGES);
        assertThatThrownBy(() -> provider.demandOf(job("t3.enormous", "d", "b4")))
                .isInstanceOf(KilnException.class).hasMessageContaining("t3.enormous")
                .hasMessageContaining(TARGET.key());
    }

    @Test
    void image_names_are_taken_only_by_the_accounts_own_images_in_the_region() {
        given(Ec2Emulator.builder().delays(Ec2Delays.none()));
        Fixtures.image(ec2, emulator, REGION, "base-dev-1", "b1");

        assertThat(provider.imageExists(TARGET, "base-dev-1")).isTrue();
        assertThat(provider.imageExists(TARGET, "base-dev-2")).isFalse();
        assertThat(provider.imageExists(Fixtures.target("us-west-2"), "base-dev-1")).isFalse();
        assertThat(provider.imageExists(TARGET, Fixtures.BASE_AMI_NAME)).as("a public image").isFalse();
    }

    @Test
    void verification_accepts_packers_artifact_ids_and_explains_what_is_wrong_with_others() {
        given(Ec2Emulator.builder().delays(Ec2Delays.none()));
        String good = Fixtures.image(ec2, emulator, REGION, "good-image", "b-good");
        String untagged = Fixtures.image(ec2, emulator, REGION, "untagged-image", "someone-else");
        BuildJob job = job("t3.micro", "good-image", "b-good");

        ArtifactCheck ok = provider.verifyArtifact(job, List.of(new Artifact("amazon-ebs", "mitchellh.amazonebs",
                REGION + ":" + good, List.of())));
        ArtifactCheck bad = provider.verifyArtifact(job, List.of(new Artifact("amazon-ebs", "mitchellh.amazonebs",
                REGION + ":" + untagged + "," + REGION + ":ami-0123456789abcdef0", List.of())));
        ArtifactCheck byName = provider.verifyArtifact(job, List.of());

        assertThat(ok.ok()).as("problems: %s", ok.problems()).isTrue();
        assertThat(ok.verified()).containsExactly(REGION + ":" + good);
        assertThat(byName.verified()).containsExactly(REGION + ":" + good);
        assertThat(bad.ok()).isFalse();
        assertThat(bad.problems()).anySatisfy(p -> assertThat(p).contains(untagged)
                .contains("not tagged kiln:build-id=b-good").contains("kiln:build-id=someone-else"));
        assertThat(bad.problems()).anySatisfy(p -> assertThat(p).contains("ami-0123456789abcdef0")
                .contains("no such AMI"));
    }

    @Test
    void a_sweep_takes_packers_untagged_key_pair_and_group_with_the_tagged_instance() {
        // Given what packer 1.6 leaves when killed: a tagged instance using an untagged packer_ key and group
        given(Ec2Emulator.builder().delays(Ec2Delays.none()));
        ec2.createKeyPair(r -> r.keyName("packer_5f0c"));
        String group = ec2.createSecurityGroup(r -> r.groupName("packer_5f0c").description("Temporary group for Packer"))
                .groupId();
        String keep = ec2.createSecurityGroup(r -> r.groupName("shared-builders").description("not ours")).groupId();
        String instance = ec2.runInstances(r -> r.imageId(emulator.publicImageId(REGION, Fixtures.BASE_AMI_NAME))
                .instanceType("t3.micro").minCount(1).maxCount(1).keyName("packer_5f0c").securityGroupIds(group, keep)
                .tagSpecifications(Fixtures.tags(ResourceType.INSTANCE, "b-killed"))).instances().get(0).instanceId();

        // When
        SweepReport first = provider.sweep(TARGET, "b-killed");
        SweepReport second = provider.sweep(TARGET, "b-killed");

        // Then
        assertThat(first.failed()).isEmpty();
        assertThat(first.deleted()).containsExactly("instance/" + instance, "key-pair/packer_5f0c",
                "security-group/" + group);
        assertThat(second.deleted()).isEmpty();
        assertThat(ec2.describeKeyPairs().keyPairs()).isEmpty();
        assertThat(ec2.describeSecurityGroups().securityGroups()).extracting(g -> g.groupId()).contains(keep)
                .doesNotContain(group);
    }

    @Test
    void a_sweep_after_packer_terminated_its_instance_still_takes_the_key_pair_and_group_it_left() {
        // Given packer killed half-way through its own cleanup: instance terminated, key pair and group left
        given(Ec2Emulator.builder().delays(Ec2Delays.none()));
        ec2.createKeyPair(r -> r.keyName("packer_7a1d"));
        String group = ec2.createSecurityGroup(r -> r.groupName("packer_7a1d").description("Temporary group for Packer"))
                .groupId();
        String instance = ec2.runInstances(r -> r.imageId(emulator.publicImageId(REGION, Fixtures.BASE_AMI_NAME))
                .instanceType("t3.micro").minCount(1).maxCount(1).keyName("packer_7a1d").securityGroupIds(group)
                .tagSpecifications(Fixtures.tags(ResourceType.INSTANCE, "b-half"))).instances().get(0).instanceId();
        ec2.terminateInstances(r -> r.instanceIds(instance));
        Fixtures.waitFor(ec2, instance, InstanceStateName.TERMINATED);

        SweepReport first = provider.sweep(TARGET, "b-half");
        SweepReport second = provider.sweep(TARGET, "b-half");

        assertThat(first.failed()).isEmpty();
        assertThat(first.deleted()).containsExactly("key-pair/packer_7a1d", "security-group/" + group);
        assertThat(second.deleted()).isEmpty();
        assertThat(second.clean()).isTrue();
    }

    @Test
    void a_sweep_waits_for_termination_in_the_runs_time_not_the_wall_clock() {
        // Given instances that take a realistic 40 s to shut down, on a virtual clock both sides share
        VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
        RecordingContext context = new RecordingContext(time);
        given(Ec2Emulator.builder().timeSource(time).delays(Ec2Delays.uniform(Duration.ofSeconds(40))),
                AwsProvider.builder(), context);
        String instance = Fixtures.launch(ec2, emulator, REGION, "b-slow");

        // When
        SweepReport report = provider.sweep(TARGET, "b-slow");

        // Then it waited 40 s of the run's time, polling with backoff (on the wall clock the emulator's
        // instances would never have moved)
        assertThat(report.deleted()).containsExactly("instance/" + instance);
        assertThat(time.elapsed()).isBetween(Duration.ofSeconds(40), Duration.ofSeconds(60));
        assertThat(context.acquired("DescribeInstances")).isBetween(3, 8);
        assertThat(emulator.resourcesTagged("kiln:build-id", "b-slow")).isEmpty();
    }

    @Test
    void a_sweep_that_runs_out_of_time_says_what_is_left() {
        VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
        given(Ec2Emulator.builder().timeSource(time).delays(Ec2Delays.uniform(Duration.ofMinutes(30))),
                AwsProvider.builder().sweepTimeout(Duration.ofMinutes(2)), new RecordingContext(time));
        String instance = Fixtures.launch(ec2, emulator, REGION, "b-stuck");

        SweepReport report = provider.sweep(TARGET, "b-stuck");

        assertThat(report.clean()).isFalse();
        assertThat(report.failed()).first().asString().contains(instance).contains("shutting-down")
                .contains("120 s");
        assertThat(time.elapsed()).isBetween(Duration.ofMinutes(2), Duration.ofMinutes(3));
    }

    @Test
    void an_expired_sweep_takes_what_expired_in_dependency_order_and_leaves_the_rest_and_every_ami() {
        // Given, at 09:00, a killed build's instance (expired at 08:00, the dashed spelling) with packer's
        // key pair and group and a volume that outlives it, a running build's instance (expires
        // at 10:00), an instance without an expiry, and an AMI whose tags say it expired too
        RecordingContext context = given(Ec2Emulator.builder().delays(Ec2Delays.none()));
        Instant now = Instant.parse("2026-01-05T09:00:00Z");
        String past = Long.toString(now.minus(Duration.ofHours(1)).getEpochSecond());
        String future = Long.toString(now.plus(Duration.ofHours(1)).getEpochSecond());
        ec2.createKeyPair(r -> r.keyName("packer_e1"));
        String group = ec2.createSecurityGroup(r -> r.groupName("packer_e1").description("Temporary group for Packer"))
                .groupId();
        String killed = ec2.runInstances(r -> r.imageId(emulator.publicImageId(REGION, Fixtures.BASE_AMI_NAME))
                .instanceType("t3.micro").minCount(1).maxCount(1).keyName("packer_e1").securityGroupIds(group)
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/sdf").ebs(EbsBlockDevice.builder()
                        .volumeSize(1).deleteOnTermination(false).build()).build())
                .tagSpecifications(expiry(ResourceType.INSTANCE, "kiln-expires-at", past),
                        expiry(ResourceType.VOLUME, "kiln-expires-at", past))).instances().get(0).instanceId();
        String kept = ec2.describeInstances(r -> r.instanceIds(killed)).reservations().get(0).instances().get(0)
                .blockDeviceMappings().stream().filter(m -> m.deviceName().equals("/dev/sdf")).findFirst()
                .orElseThrow().ebs().volumeId();
        String running = ec2.runInstances(r -> r.imageId(emulator.publicImageId(REGION, Fixtures.BASE_AMI_NAME))
                .instanceType("t3.micro").minCount(1).maxCount(1)
                .tagSpecifications(expiry(ResourceType.INSTANCE, "kiln:expires-at", future))).instances().get(0)
                .instanceId();
        String untagged = Fixtures.launch(ec2, emulator, REGION, "b-no-expiry");
        String ami = Fixtures.image(ec2, emulator, REGION, "expired-but-finished", "b-done");
        ec2.createTags(r -> r.resources(ami).tags(Tag.builder().key("kiln:expires-at").value(past).build()));
        Fixtures.waitFor(ec2, killed, InstanceStateName.RUNNING);

        // When
        SweepReport first = provider.sweepExpired(TARGET, now);
        SweepReport second = provider.sweepExpired(TARGET, now);

        // Then the killed build's instance went first, then its volumes, key pair and group
        assertThat(first.failed()).isEmpty();
        assertThat(first.deleted()).containsExactly("instance/" + killed, "volume/" + kept,
                "key-pair/packer_e1", "security-group/" + group);
        assertThat(context.order()).containsSubsequence("TerminateInstances", "DeleteVolume", "DeleteKeyPair",
                "DeleteSecurityGroup");
        assertThat(context.acquired("DeregisterImage")).isZero();
        assertThat(second.deleted()).isEmpty();
        assertThat(second.clean()).isTrue();
        // and everything else is where it was
        assertThat(ec2.describeInstances(r -> r.instanceIds(running, untagged)).reservations())
                .flatExtracting(res -> res.instances()).allSatisfy(i -> assertThat(i.state().name())
                        .isNotIn(InstanceStateName.SHUTTING_DOWN, InstanceStateName.TERMINATED));
        assertThat(ec2.describeImages(r -> r.imageIds(ami)).images()).singleElement()
                .satisfies(i -> assertThat(i.stateAsString()).isEqualTo("available"));
    }

    @Test
    void an_expired_sweep_reports_an_expiry_that_is_not_epoch_seconds_and_terminates_nothing() {
        given(Ec2Emulator.builder().delays(Ec2Delays.none()));
        String instance = ec2.runInstances(r -> r.imageId(emulator.publicImageId(REGION, Fixtures.BASE_AMI_NAME))
                .instanceType("t3.micro").minCount(1).maxCount(1)
                .tagSpecifications(expiry(ResourceType.INSTANCE, "kiln:expires-at", "2026-01-05T08:00:00Z")))
                .instances().get(0).instanceId();

        SweepReport report = provider.sweepExpired(TARGET, Instant.parse("2026-01-05T09:00:00Z"));

        assertThat(report.deleted()).isEmpty();
        assertThat(report.failed()).containsExactly("instance/" + instance + ": kiln:expires-at='2026-01-05T08:00:00Z'"
                + " is not an expiry (epoch seconds, such as 1767225600); left in place");
        assertThat(ec2.describeInstances(r -> r.instanceIds(instance)).reservations().get(0).instances().get(0)
                .state().name()).isNotEqualTo(InstanceStateName.TERMINATED);
    }

    @Test
    void an_expired_sweep_judges_by_the_time_it_is_given_and_waits_in_the_runs_time() {
        // Given an instance that expires in an hour and takes 40 s to shut down, on a virtual clock
        VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
        RecordingContext context = new RecordingContext(time);
        given(Ec2Emulator.builder().timeSource(time).delays(Ec2Delays.uniform(Duration.ofSeconds(40))),
                AwsProvider.builder(), context);
        String expiresAt = Long.toString(time.now().plus(Duration.ofHours(1)).getEpochSecond());
        String instance = ec2.runInstances(r -> r.imageId(emulator.publicImageId(REGION, Fixtures.BASE_AMI_NAME))
                .instanceType("t3.micro").minCount(1).maxCount(1)
                .tagSpecifications(expiry(ResourceType.INSTANCE, "kiln:expires-at", expiresAt))).instances().get(0)
                .instanceId();

        // When swept now, and again once the clock has passed the expiry
        SweepReport early = provider.sweepExpired(TARGET, time.now());
        time.advance(Duration.ofMinutes(61));
        Duration before = time.elapsed();
        SweepReport late = provider.sweepExpired(TARGET, time.now());

        // Then only the second took it, waiting for its termination on the run's clock
        assertThat(early.deleted()).isEmpty();
        assertThat(late.deleted()).containsExactly("instance/" + instance);
        assertThat(time.elapsed().minus(before)).isBetween(Duration.ofSeconds(40), Duration.ofSeconds(60));
        assertThat(context.acquired("TerminateInstances")).isEqualTo(1);
    }

    private static TagSpecification expiry(ResourceType type, String key, String value) {
        return TagSpecification.builder().resourceType(type).tags(Tag.builder().key(key).value(value).build()).build();
    }

    @Test
    void throttled_attempts_are_reported_to_the_gate_and_every_retry_goes_through_it() {
        // Given a DescribeImages bucket of one call, refilling once in 1000 s
        VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
        RecordingContext context = new RecordingContext(time);
        given(Ec2Emulator.builder().limit("DescribeImages", dev.kiln.limits.LimitSpec.tokenBucket(1, 0.001)),
                AwsProvider.builder().retryMode(RetryMode.STANDARD), context);
        provider.imageExists(TARGET, "first");

        // When the next call is throttled on every attempt
        assertThatThrownBy(() -> provider.imageExists(TARGET, "second"))
                .isInstanceOf(KilnException.class).hasMessageContaining("RequestLimitExceeded")
                .hasMessageContaining("DescribeImages").hasMessageContaining(TARGET.key())
                .hasMessageNotContaining(Fixtures.SECRET_KEY);

        // Then each of the SDK's three attempts was let through by the gate and reported as a throttle,
        // and the SDK's backoff between them passed in the run's time
        long emulatorThrottles = emulator.counters().of("DescribeImages").throttled();
        assertThat(emulatorThrottles).isEqualTo(3);
        assertThat(context.throttled("DescribeImages")).isEqualTo(3);
        assertThat(context.acquired("DescribeImages")).isEqualTo(4);
        assertThat(time.elapsed()).isPositive();
    }

    @Test
    void a_throttle_the_sdk_survives_is_still_reported() {
        // Given a one-call bucket refilling in 1 ms of a clock the emulator and the provider share:
        // the second call comes at the same instant and is throttled; the SDK's backoff refills it
        VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
        RecordingContext context = new RecordingContext(time);
        given(Ec2Emulator.builder().timeSource(time).limit("DescribeImages",
                dev.kiln.limits.LimitSpec.tokenBucket(1, 1000)), AwsProvider.builder(), context);
        provider.imageExists(TARGET, "first");

        assertThat(provider.imageExists(TARGET, "second")).isFalse();

        long throttled = emulator.counters().of("DescribeImages").throttled();
        assertThat(throttled).isPositive();
        assertThat(context.throttled("DescribeImages")).isEqualTo((int) throttled);
        assertThat(context.acquired("DescribeImages")).isEqualTo(2 + (int) throttled);
    }

    @Test
    void packer_gets_region_polling_and_endpoint_never_credentials() {
        given(Ec2Emulator.builder(), AwsProvider.builder().pollDelay(Duration.ofSeconds(5))
                .waiterTimeout(Duration.ofMinutes(30)), new RecordingContext(TimeSource.system()));
        double full = provider.costModel(job("t3.micro", "a", "b").image(), TARGET).calls().stream()
                .mapToDouble(c -> c.perMinute()).sum();

        Map<String, String> atFull = provider.packerEnv(TARGET, new Budget(full, 1.0));
        Map<String, String> unlimited = provider.packerEnv(TARGET, Budget.UNLIMITED);
        Map<String, String> halfGranted = provider.packerEnv(TARGET, new Budget(full / 2, 1.0));
        Map<String, String> throttled = provider.packerEnv(TARGET, new Budget(full, 0.3));

        assertThat(full).as("one waiter poll per 5 s").isEqualTo(12.0);
        assertThat(atFull).containsEntry("AWS_REGION", REGION).containsEntry("AWS_POLL_DELAY_SECONDS", "5")
                .containsEntry("AWS_MAX_ATTEMPTS", "360")
                .containsEntry("KILN_AWS_ENDPOINT", emulator.endpoint().toString());
        assertThat(unlimited).containsEntry("AWS_POLL_DELAY_SECONDS", "5");
        assertThat(halfGranted).containsEntry("AWS_POLL_DELAY_SECONDS", "10").containsEntry("AWS_MAX_ATTEMPTS", "180");
        assertThat(throttled).containsEntry("AWS_POLL_DELAY_SECONDS", "17");
        assertThat(atFull.keySet()).noneMatch(k -> k.contains("ACCESS_KEY") || k.contains("SECRET")
                || k.contains("SESSION_TOKEN") || k.equals("AWS_PROFILE"));
        assertThat(atFull.values()).noneMatch(v -> v.contains(Fixtures.SECRET_KEY) || v.contains(Fixtures.ACCESS_KEY));
        assertThat(provider.toString()).doesNotContain(Fixtures.SECRET_KEY).doesNotContain(Fixtures.ACCESS_KEY);
    }

    @Test
    void credentials_acting_in_another_account_fail_the_probe_with_what_to_do() {
        given(Ec2Emulator.builder().account(Fixtures.ACCESS_KEY, "210987654321"));

        assertThatThrownBy(() -> provider.probeQuotas(TARGET)).isInstanceOf(KilnException.class)
                .hasMessageContaining("act in AWS account 210987654321, not " + Fixtures.ACCOUNT)
                .hasMessageContaining("credentials(\"" + Fixtures.ACCOUNT + "\"")
                .hasMessageNotContaining(Fixtures.SECRET_KEY);
    }

    @Test
    void each_account_can_have_its_own_credentials() {
        emulator = Ec2Emulator.builder().account("AKIAOTHERACCOUNT0001", "210987654321").start();
        ec2 = Fixtures.sdk(emulator, REGION);
        provider = AwsProvider.builder().endpointOverride(emulator.endpoint()).credentials(Fixtures.credentials())
                .credentials("210987654321", Fixtures.credentials("AKIAOTHERACCOUNT0001")).build();
        provider.start(new RecordingContext(TimeSource.system()));

        assertThat(provider.probeQuotas(Target.of("aws", "210987654321", REGION)).quotas()).isNotEmpty();
        assertThat(provider.probeQuotas(TARGET).quotas()).isNotEmpty();
    }

    @Test
    void an_unreachable_endpoint_is_a_clear_failure_without_secrets() {
        given(Ec2Emulator.builder());
        java.net.URI gone = emulator.endpoint();
        emulator.close();
        try (AwsProvider offline = AwsProvider.builder().endpointOverride(gone).credentials(Fixtures.credentials())
                .retryMode(RetryMode.STANDARD).apiCallTimeout(Duration.ofSeconds(5)).build()) {
            offline.start(new RecordingContext(TimeSource.system()));
            assertThatThrownBy(() -> offline.imageExists(TARGET, "x")).isInstanceOf(KilnException.class)
                    .hasMessageContaining("could not call EC2 DescribeImages on " + TARGET.key() + " at " + gone)
                    .hasMessageNotContaining(Fixtures.SECRET_KEY);
        }
    }
}
