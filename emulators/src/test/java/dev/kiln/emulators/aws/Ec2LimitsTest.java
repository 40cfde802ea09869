package dev.kiln.emulators.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.emulators.ActionCounts;
import dev.kiln.limits.LimitSpec;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.servicequotas.ServiceQuotasClient;
import software.amazon.awssdk.services.servicequotas.model.NoSuchResourceException;
import software.amazon.awssdk.services.servicequotas.model.ServiceQuota;
import software.amazon.awssdk.services.servicequotas.model.ServiceQuotasException;
import software.amazon.awssdk.services.servicequotas.model.TooManyRequestsException;

/**
 * EC2's token buckets, the vCPU quota and Service Quotas, seen through the official SDK. Virtual
 * time holds the buckets still, so a burst meets exactly the documented capacity.
 */
class Ec2LimitsTest {

    private static final String VCPU_LIMIT_MESSAGE = "You have requested more vCPU capacity than your current vCPU"
            + " limit of 8 allows for the instance bucket that the specified instance type belongs to. Please visit"
            + " http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.";

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-01T00:00:00Z"));
    private Ec2Emulator emulator;
    private Ec2Client ec2;

    private void start(Ec2Emulator.Builder builder) {
        emulator = builder.timeSource(time).start();
        ec2 = Sdk.ec2(emulator, "us-east-1");
    }

    @AfterEach
    void stop() {
        if (ec2 != null) {
            ec2.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private RunInstancesResponse run(InstanceType type, int count) {
        String image = emulator.publicImageId("us-east-1", "amzn2-ami-hvm-2.0.20260101.0-x86_64-gp2");
        return ec2.runInstances(r -> r.imageId(image).instanceType(type).minCount(count).maxCount(count));
    }

    @Test
    void aBurstOfRunInstancesMeetsRequestLimitExceededAfterFive() {
        start(Ec2Emulator.builder().vcpuQuota(1000));
        for (int i = 0; i < 5; i++) {
            run(InstanceType.T2_NANO, 1);
        }

        assertThatThrownBy(() -> run(InstanceType.T2_NANO, 1))
                .isInstanceOfSatisfying(Ec2Exception.class, e -> {
                    assertThat(e.isThrottlingException()).isTrue();
                    assertThat(e.statusCode()).isEqualTo(503);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("RequestLimitExceeded");
                    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Request limit exceeded.");
                });
        assertThat(emulator.counters().of("RunInstances")).isEqualTo(new ActionCounts(6, 1, 0, 0, 0));

        time.advance(Duration.ofMillis(500));
        assertThat(run(InstanceType.T2_NANO, 1).instances()).hasSize(1);
    }

    @Test
    void theResourceBucketCountsInstancesNotCalls() {
        start(Ec2Emulator.builder().vcpuQuota(10_000));
        assertThat(run(InstanceType.T2_NANO, 600).instances()).hasSize(600);

        assertThatThrownBy(() -> run(InstanceType.T2_NANO, 600))
                .isInstanceOfSatisfying(Ec2Exception.class, e -> assertThat(e.isThrottlingException()).isTrue());

        time.advance(Duration.ofSeconds(100)); // 2 instance tokens per second
        assertThat(run(InstanceType.T2_NANO, 600).instances()).hasSize(600);
    }

    @Test
    void unfilteredDescribesDrawFromTheirSmallerBucket() {
        start(Ec2Emulator.builder());
        for (int i = 0; i < 50; i++) {
            ec2.describeInstances();
        }
        assertThatThrownBy(() -> ec2.describeInstances())
                .isInstanceOfSatisfying(Ec2Exception.class, e -> assertThat(e.isThrottlingException()).isTrue());
        assertThat(ec2.describeInstances(r -> r.filters(Filter.builder().name("instance-state-name")
                .values("running").build())).reservations()).isEmpty();
    }

    @Test
    void throttlingCanBeSwitchedOffAndBucketsReshaped() {
        start(Ec2Emulator.builder().throttling(false).vcpuQuota(1000));
        for (int i = 0; i < 20; i++) {
            run(InstanceType.T2_NANO, 1);
        }
        emulator.close();
        ec2.close();

        start(Ec2Emulator.builder().limit("DescribeRegions", LimitSpec.tokenBucket(2, 1)));
        ec2.describeRegions();
        ec2.describeRegions();
        assertThatThrownBy(() -> ec2.describeRegions())
                .isInstanceOfSatisfying(Ec2Exception.class, e -> assertThat(e.isThrottlingException()).isTrue());
    }

    @Test
    void aLaunchBeyondTheVcpuQuotaIsVcpuLimitExceeded() {
        start(Ec2Emulator.builder().vcpuQuota(8));
        RunInstancesResponse four = run(InstanceType.T3_LARGE, 4);

        assertThatThrownBy(() -> run(InstanceType.T3_LARGE, 1))
                .isInstanceOfSatisfying(Ec2Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.isThrottlingException()).isFalse();
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("VcpuLimitExceeded");
                    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(VCPU_LIMIT_MESSAGE);
                });
        assertThat(emulator.counters().of("RunInstances").quotaErrors()).isEqualTo(1);
        assertThat(emulator.vcpusInUse(Ec2Emulator.DEFAULT_ACCOUNT, "us-east-1")).isEqualTo(8);

        ec2.terminateInstances(r -> r.instanceIds(four.instances().get(0).instanceId()));
        assertThat(emulator.vcpusInUse(Ec2Emulator.DEFAULT_ACCOUNT, "us-east-1")).isEqualTo(6);
        String image = emulator.publicImageId("us-east-1", "amzn2-ami-hvm-2.0.20260101.0-x86_64-gp2");
        var partial = ec2.runInstances(r -> r.imageId(image).instanceType(InstanceType.T3_LARGE).minCount(1)
                .maxCount(3));
        assertThat(partial.instances()).as("EC2 launches as many as fit between MinCount and MaxCount").hasSize(1);
    }

    @Test
    void theVcpuQuotaIsPerAccountAndRegion() {
        start(Ec2Emulator.builder().vcpuQuota(8).vcpuQuota(Ec2Emulator.DEFAULT_ACCOUNT, "us-east-1", 2));
        run(InstanceType.T3_MICRO, 1);
        assertThatThrownBy(() -> run(InstanceType.T3_MICRO, 1))
                .isInstanceOfSatisfying(Ec2Exception.class, e ->
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("VcpuLimitExceeded"));
        try (ServiceQuotasClient quotas = Sdk.quotas(emulator, "us-east-1");
                ServiceQuotasClient west = Sdk.quotas(emulator, "us-west-2")) {
            assertThat(quotas.getServiceQuota(r -> r.serviceCode("ec2").quotaCode(Ec2Emulator.VCPU_QUOTA_CODE))
                    .quota().value()).isEqualTo(2.0);
            assertThat(west.getServiceQuota(r -> r.serviceCode("ec2").quotaCode(Ec2Emulator.VCPU_QUOTA_CODE))
                    .quota().value()).isEqualTo(8.0);
        }
    }

    @Test
    void serviceQuotasAnswersTheQuotasKilnReads() {
        start(Ec2Emulator.builder());
        try (ServiceQuotasClient quotas = Sdk.quotas(emulator, "us-east-1")) {
            ServiceQuota vcpu = quotas.getServiceQuota(r -> r.serviceCode("ec2")
                    .quotaCode(Ec2Emulator.VCPU_QUOTA_CODE)).quota();
            assertThat(vcpu.value()).isEqualTo(64.0);
            assertThat(vcpu.quotaName()).isEqualTo("Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances");
            assertThat(vcpu.quotaArn()).isEqualTo("arn:aws:servicequotas:us-east-1:123456789012:ec2/L-1216C47A");
            assertThat(vcpu.usageMetric().metricDimensions()).containsEntry("Resource", "vCPU");
            assertThat(quotas.getServiceQuota(r -> r.serviceCode("ec2").quotaCode(Ec2Emulator.AMI_QUOTA_CODE))
                    .quota().value()).isEqualTo(50_000.0);

            var listed = quotas.listServiceQuotasPaginator(r -> r.serviceCode("ec2").maxResults(1));
            assertThat(listed.stream().count()).isEqualTo(3);
            assertThat(listed.quotas().stream().map(ServiceQuota::quotaCode))
                    .contains(Ec2Emulator.VCPU_QUOTA_CODE, Ec2Emulator.AMI_QUOTA_CODE);

            assertThatThrownBy(() -> quotas.getServiceQuota(r -> r.serviceCode("ec2").quotaCode("L-NOPE")))
                    .isInstanceOf(NoSuchResourceException.class);
        }
        assertThat(emulator.counters().of("GetServiceQuota").calls()).isEqualTo(3);
    }

    @Test
    void serviceQuotasThrottlesWithTooManyRequests() {
        start(Ec2Emulator.builder().limit("GetServiceQuota", LimitSpec.tokenBucket(2, 1)));
        try (ServiceQuotasClient quotas = Sdk.quotas(emulator, "us-east-1")) {
            quotas.getServiceQuota(r -> r.serviceCode("ec2").quotaCode(Ec2Emulator.VCPU_QUOTA_CODE));
            quotas.getServiceQuota(r -> r.serviceCode("ec2").quotaCode(Ec2Emulator.VCPU_QUOTA_CODE));
            assertThatThrownBy(() -> quotas.getServiceQuota(r -> r.serviceCode("ec2")
                    .quotaCode(Ec2Emulator.VCPU_QUOTA_CODE)))
                    .isInstanceOfSatisfying(TooManyRequestsException.class, e -> {
                        assertThat(e.isThrottlingException()).isTrue();
                        assertThat(e.statusCode()).isEqualTo(400);
                    });
            time.advance(Duration.ofSeconds(1));
            assertThat(quotas.getServiceQuota(r -> r.serviceCode("ec2").quotaCode(Ec2Emulator.VCPU_QUOTA_CODE))
                    .quota().value()).isEqualTo(64.0);
        }
        assertThat(emulator.counters().of("GetServiceQuota").throttled()).isEqualTo(1);
    }

    @Test
    void anAmiQuotaOfOneRefusesTheSecondImage() {
        start(Ec2Emulator.builder().amiQuota(1).delays(Ec2Delays.none()));
        String instanceId = run(InstanceType.T3_MICRO, 1).instances().get(0).instanceId();
        ec2.createImage(r -> r.instanceId(instanceId).name("first"));
        assertThatThrownBy(() -> ec2.createImage(r -> r.instanceId(instanceId).name("second")))
                .isInstanceOfSatisfying(Ec2Exception.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceLimitExceeded");
                    assertThat(e).isNotInstanceOf(ServiceQuotasException.class);
                });
        assertThat(emulator.counters().of("CreateImage").quotaErrors()).isEqualTo(1);
    }
}
