package dev.kiln.aws.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunHandle;
import dev.kiln.RunResult;
import dev.kiln.aws.AwsProvider;
import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.event.ApiUse;
import dev.kiln.event.KilnEvent;
import dev.kiln.gate.GateNetwork;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.limits.LimitSpec;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.testkit.RequiredTools;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;

/**
 * Real packer (1.6.6's amazon-ebs) building a fleet of 12 AMIs in 4 regions against the EC2
 * emulator: once through Kiln, packer's EC2 calls going to {@code ec2.REGION.amazonaws.com} through
 * Kiln's gate, which routes them to the emulator and meters each against its action's bucket; once
 * as one plain {@code packer build -parallel-builds=12}; once with the emulator's buckets far below
 * what the cost model assumes; and once killed half-way. Each region's vCPU quota holds two t3.micro
 * builds at a time, and its describe buckets refill one call a second: Kiln's ledger and limits keep
 * to them, plain packer does not.
 */
class PackerFleetTest {

    private static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2");
    private static final int IMAGES_PER_REGION = 3;
    private static final int VCPU_QUOTA = 4;
    /**
     * Each region's DescribeImages and DescribeInstances buckets: 6 calls, one more a second, where
     * EC2 gives 100 + 20/s and 50 + 10/s. Three builds of a region polling each every second draw three a second.
     */
    private static final LimitSpec.TokenBucket DESCRIBES = LimitSpec.tokenBucket(6, 1);
    private static final String ACCOUNT = Ec2Emulator.DEFAULT_ACCOUNT;
    /** Fake keys for the emulator, given to packer through the runner's environment, never the provider's. */
    private static final String ACCESS_KEY = "AKIAKILNE2EPACKER001";
    private static final String SECRET_KEY = "kiln-e2e-fake-secret-not-for-aws-000001";

    @TempDir
    Path work;

    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();

    private static Ec2Emulator emulator() {
        return Ec2Emulator.builder().vcpuQuota(VCPU_QUOTA).limit("DescribeImages", DESCRIBES)
                .limit("DescribeInstances", DESCRIBES).start();
    }

    private static AwsProvider provider(Ec2Emulator emulator) {
        return AwsProvider.builder().endpointOverride(emulator.endpoint())
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .pollDelay(Duration.ofSeconds(1)).build();
    }

    private ProcessPackerRunner runner(Path packer) {
        return PackerRunners.processBuilder().executable(packer)
                .extraEnv("AWS_ACCESS_KEY_ID", ACCESS_KEY).extraEnv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                .extraEnv("HOME", work.resolve("home").toString())
                .build();
    }

    private Kiln kiln(Ec2Emulator emulator, ProcessPackerRunner runner, Duration grace) {
        return Kiln.builder().provider(provider(emulator)).packerRunner(runner).listener(events::add)
                .network(GateNetwork.builder().route(emulator.routes()).upstreamProxy(Optional.empty()).build())
                .files(f -> f.withRunsDirectory(work.resolve("runs")))
                .scheduling(s -> s.withGracePeriod(grace).withBudgetSampleInterval(null)).build();
    }

    /** The template every image uses: Kiln's variables name, place and tag it; EC2 is EC2's own host. */
    private Path template() throws IOException {
        Files.createDirectories(work.resolve("home"));
        Path file = work.resolve("amazon-ebs.json");
        Files.writeString(file, """
                {
                  "variables": {
                    "kiln_image_name": "", "kiln_build_id": "", "kiln_expires_at": "", "kiln_run_id": "", "kiln_env": "",
                    "kiln_region": "", "kiln_account": "", "kiln_provider": ""
                  },
                  "builders": [{
                    "type": "amazon-ebs",
                    "region": "{{user `kiln_region`}}",
                    "skip_region_validation": true,
                    "skip_credential_validation": true,
                    "skip_metadata_api_check": true,
                    "source_ami_filter": {
                      "filters": {"name": "amzn2-ami-hvm-*-x86_64-gp2", "root-device-type": "ebs",
                                  "virtualization-type": "hvm"},
                      "owners": ["amazon"],
                      "most_recent": true
                    },
                    "instance_type": "t3.micro",
                    "communicator": "none",
                    "ami_name": "{{user `kiln_image_name`}}",
                    "run_tags": {"kiln:build-id": "{{user `kiln_build_id`}}",
                                 "kiln:expires-at": "{{user `kiln_expires_at`}}"},
                    "run_volume_tags": {"kiln:build-id": "{{user `kiln_build_id`}}",
                                        "kiln:expires-at": "{{user `kiln_expires_at`}}"},
                    "tags": {"kiln:build-id": "{{user `kiln_build_id`}}", "kiln:run-id": "{{user `kiln_run_id`}}"},
                    "snapshot_tags": {"kiln:build-id": "{{user `kiln_build_id`}}"}
                  }]
                }
                """);
        return file;
    }

    private BuildPlan fleet(Kiln kiln, Path template, int imagesPerRegion, List<String> regions, RetryPolicy retry) {
        Fleet.Builder fleet = Fleet.builder("aws-e2e").environments("dev").retryPolicy(retry)
                .limitOverride("aws", "DescribeImages", DESCRIBES).limitOverride("aws", "DescribeInstances", DESCRIBES);
        for (String region : regions) {
            fleet.target(Target.of("aws", ACCOUNT, region));
        }
        for (int i = 1; i <= imagesPerRegion; i++) {
            fleet.image(ImageSpec.builder("base" + i, template, "amazon-ebs").instanceSize("t3.micro")
                    .expectedDuration(Duration.ofSeconds(8)).timeout(Duration.ofMinutes(2)).build());
        }
        return fleet.build(kiln.planContext());
    }

    private static Ec2Client sdk(Ec2Emulator emulator, String region) {
        return Ec2Client.builder().endpointOverride(emulator.endpoint()).region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                        SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    void kiln_builds_twelve_amis_in_four_regions_without_a_throttle_or_a_quota_error() throws Exception {
        // Given 12 amazon-ebs builds, 3 per region, where each region's quota holds 2 at a time
        Path packer = RequiredTools.packer();
        try (Ec2Emulator emulator = emulator(); ProcessPackerRunner runner = runner(packer);
                Kiln kiln = kiln(emulator, runner, Duration.ofSeconds(30))) {
            BuildPlan plan = fleet(kiln, template(), IMAGES_PER_REGION, REGIONS, RetryPolicy.never());
            assertThat(plan.jobs()).hasSize(12);

            // When Kiln runs them
            long started = TimeSource.system().nanoTime();
            RunResult result = kiln.run(plan);
            Duration took = Duration.ofNanos(TimeSource.system().nanoTime() - started);
            // What the run made the emulator see, before this test's own checks call it too (they come
            // right after the run's last polls, into buckets the run has spent)
            ActionCounts total = emulator.counters().total();
            var byAction = emulator.counters().snapshot();

            // Then every build succeeded on its first attempt with an AMI the SDK confirms
            assertThat(result.jobs()).as(() -> summary(result)).allSatisfy(j -> {
                assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
                assertThat(j.attempts()).isEqualTo(1);
                assertThat(j.verified()).hasSize(1);
            });
            for (JobResult j : result.jobs()) {
                String[] regionAndId = j.verified().get(0).split(":");
                try (Ec2Client ec2 = sdk(emulator, regionAndId[0])) {
                    Image image = ec2.describeImages(r -> r.imageIds(regionAndId[1])).images().get(0);
                    assertThat(regionAndId[0]).isEqualTo(j.job().target().region());
                    assertThat(image.state()).isEqualTo(ImageState.AVAILABLE);
                    assertThat(image.name()).isEqualTo(j.job().imageName());
                    assertThat(image.tags()).anySatisfy(t -> {
                        assertThat(t.key()).isEqualTo("kiln:build-id");
                        assertThat(t.value()).isEqualTo(j.job().buildId());
                    });
                }
            }
            // and the emulator refused the run nothing: no RequestLimitExceeded, no VcpuLimitExceeded
            assertThat(total.throttled()).as("throttles by action: %s", byAction).isZero();
            assertThat(total.quotaErrors()).as("quota errors by action: %s", byAction).isZero();
            assertThat(emulator.unknownActions()).isEmpty();
            assertThat(result.throttles()).as("throttles Kiln observed").isZero();
            assertThat(result.refusals()).isEmpty();
            assertThat(metered().get("RunInstances").calls()).as("packer's RunInstances, metered").isEqualTo(12);
            System.out.printf(Locale.ROOT, "kiln fleet: 12 amazon-ebs builds in 4 regions in %.1f s; %d calls, %d"
                    + " throttled, %d quota errors; packer's calls metered %s; %s%n", took.toMillis() / 1000.0,
                    total.calls(), total.throttled(), total.quotaErrors(), metered(), summary(result));
        }
    }

    @Test
    void plain_packer_with_twelve_parallel_builds_trips_the_quota_and_the_buckets_kiln_keeps_to() throws Exception {
        // Given the same fleet as one template of 12 builders, and a fresh emulator with the same limits
        Path packer = RequiredTools.packer();
        try (Ec2Emulator emulator = emulator()) {
            Path template = plainTemplate(emulator);

            // When packer builds all 12 at once, without Kiln
            long started = TimeSource.system().nanoTime();
            Process p = new ProcessBuilder(packer.toString(), "build", "-machine-readable", "-parallel-builds=12",
                    template.toString()).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("plain.out").toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("plain packer did not finish within 3 minutes; output in " + work.resolve("plain.out"));
            }
            Duration took = Duration.ofNanos(TimeSource.system().nanoTime() - started);
            String output = Files.readString(work.resolve("plain.out"), StandardCharsets.UTF_8);

            // Then the emulator refused calls: the unmanaged burst asked for more vCPUs than the regions
            // hold, and polled the describe buckets faster than they refill
            ActionCounts total = emulator.counters().total();
            long artifacts = output.lines().filter(l -> l.contains(",artifact,0,id,")).count();
            assertThat(total.quotaErrors()).as("quota errors; counters %s", emulator.counters().snapshot())
                    .isPositive();
            assertThat(total.throttled()).as("throttles; counters %s", emulator.counters().snapshot()).isPositive();
            assertThat(artifacts).as("builds that produced an AMI").isLessThan(12);
            System.out.printf(Locale.ROOT, "plain packer -parallel-builds=12: %.1f s, exit %d, %d of 12 AMIs; %d"
                    + " calls, %d throttled, %d quota errors (RunInstances: %s; DescribeImages: %s; DescribeInstances:"
                    + " %s)%n", took.toMillis() / 1000.0, p.exitValue(), artifacts, total.calls(), total.throttled(),
                    total.quotaErrors(), emulator.counters().of("RunInstances"),
                    emulator.counters().of("DescribeImages"), emulator.counters().of("DescribeInstances"));
        }
    }

    @Test
    void with_buckets_far_below_the_cost_model_metering_still_meets_no_throttle() throws Exception {
        // Given an emulator whose DescribeInstances and DescribeImages buckets hold 4 calls and refill
        // three every 5 s per region, where the cost model counts on EC2's 50 and 10 a second, and 6
        // builds polling every second in 3 regions (at a poll delay of 1 s the cost model has a build
        // poll each 30 times a minute: the bucket's steady share, 90% of 36, fits one build's polling)
        Path packer = RequiredTools.packer();
        LimitSpec.TokenBucket tight = LimitSpec.tokenBucket(4, 0.6);
        try (Ec2Emulator emulator = Ec2Emulator.builder().vcpuQuota(VCPU_QUOTA).limit("DescribeInstances", tight)
                        .limit("DescribeImages", tight).start();
                ProcessPackerRunner runner = runner(packer);
                Kiln kiln = kiln(emulator, runner, Duration.ofSeconds(30))) {
            Fleet.Builder fleet = Fleet.builder("aws-tight").environments("dev").retryPolicy(RetryPolicy.never())
                    .limitOverride("aws", "DescribeInstances", tight).limitOverride("aws", "DescribeImages", tight);
            for (String region : REGIONS.subList(0, 3)) {
                fleet.target(Target.of("aws", ACCOUNT, region));
            }
            for (int i = 1; i <= 2; i++) {
                fleet.image(ImageSpec.builder("base" + i, template(), "amazon-ebs").instanceSize("t3.micro")
                        .expectedDuration(Duration.ofSeconds(8)).timeout(Duration.ofMinutes(3)).build());
            }

            // When Kiln runs them
            RunResult result = kiln.run(fleet.build(kiln.planContext()));

            // Then every build made its AMI, EC2 throttled nothing, and Kiln held packer's calls to do it
            assertThat(result.jobs()).as(() -> summary(result))
                    .allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
            assertThat(emulator.counters().total().throttled()).as("throttles by action: %s",
                    emulator.counters().snapshot()).isZero();
            Map<String, ApiUse> metered = metered();
            // Whether the gate had to hold a call, or admission had already spaced the builds enough,
            // depends on how packer's polls fall; the gate's holding is proven in GateMeterTest.
            assertThat(metered.get("DescribeInstances").calls()).as("metered: %s", metered).isPositive();
            System.out.printf(Locale.ROOT, "kiln, DescribeInstances and DescribeImages at 4 + 0.6/s: 6 amazon-ebs"
                    + " builds, 0 throttled; metered %s%n", metered);
        }
    }

    /** What the gate metered of packer's calls over the runs of this test, by API class. */
    private Map<String, ApiUse> metered() {
        Map<String, ApiUse> byApi = new TreeMap<>();
        for (KilnEvent e : events) {
            if (e instanceof KilnEvent.ApiCallsMetered m) {
                m.byApi().forEach((api, use) -> byApi.merge(api, use, ApiUse::plus));
            }
        }
        return byApi;
    }

    @Test
    void a_build_killed_half_way_is_swept_of_everything_tagged_with_its_build_id() throws Exception {
        // Given one build, cancelled once its instance exists, with too short a grace for packer's own cleanup
        Path packer = RequiredTools.packer();
        try (Ec2Emulator emulator = emulator(); ProcessPackerRunner runner = runner(packer);
                Kiln kiln = kiln(emulator, runner, Duration.ofMillis(100))) {
            BuildPlan plan = fleet(kiln, template(), 1, List.of("eu-west-1"), RetryPolicy.never());
            BuildJob job = plan.jobs().get(0);

            // When
            RunHandle handle = kiln.start(plan);
            try {
                await("the build's instance").atMost(Duration.ofMinutes(1)).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> emulator.resourcesTagged("kiln:build-id", job.buildId()).stream()
                                .anyMatch(r -> r.type().equals("instance")));
            } catch (ConditionTimeoutException e) {
                handle.cancel();
                try (Ec2Client ec2 = sdk(emulator, "eu-west-1")) {
                    fail("the build's instance never ran; build id " + job.buildId() + " instances "
                            + ec2.describeInstances().reservations() + " calls: " + emulator.calls());
                }
            }
            List<TaggedResource> before = emulator.resourcesTagged("kiln:build-id", job.buildId());
            long expected = TimeSource.system().now().plus(job.timeout()).plus(Duration.ofHours(1)).getEpochSecond();
            handle.cancel();
            RunResult result = handle.await();

            // Then the job is cancelled, and nothing tagged with its build id (nor packer's own key pair
            // and group) survives
            JobResult j = result.jobs().get(0);
            assertThat(j.state()).isEqualTo(JobState.CANCELLED);
            // (its instance carried the expiry Kiln gave the template: start + timeout + 1 h, for kiln sweep --expired)
            assertThat(before).filteredOn(r -> r.type().equals("instance")).singleElement()
                    .satisfies(r -> assertThat(Long.parseLong(r.tags().get("kiln:expires-at")))
                            .isBetween(expected - 120, expected));
            assertThat(emulator.resourcesTagged("kiln:build-id", job.buildId())).isEmpty();
            try (Ec2Client ec2 = sdk(emulator, "eu-west-1")) {
                assertThat(ec2.describeKeyPairs().keyPairs()).isEmpty();
                assertThat(ec2.describeSecurityGroups().securityGroups()).extracting(g -> g.groupName())
                        .containsExactly("default");
            }
            System.out.printf(Locale.ROOT, "killed build: tagged before the kill %s; Kiln's sweep deleted %s%n",
                    before.stream().map(r -> r.type() + "/" + r.id()).toList(), j.swept());
        }
    }

    /** One template, one amazon-ebs builder per image and region, endpoint and keys written in as a user would. */
    private Path plainTemplate(Ec2Emulator emulator) throws IOException {
        List<String> builders = new ArrayList<>();
        int n = 0;
        for (String region : REGIONS) {
            for (int i = 1; i <= IMAGES_PER_REGION; i++) {
                n++;
                builders.add("""
                        {
                          "name": "base%d-%s", "type": "amazon-ebs", "region": "%s",
                          "access_key": "%s", "secret_key": "%s",
                          "custom_endpoint_ec2": "%s",
                          "skip_region_validation": true, "skip_credential_validation": true,
                          "skip_metadata_api_check": true,
                          "aws_polling": {"delay_seconds": 1, "max_attempts": 120},
                          "source_ami_filter": {
                            "filters": {"name": "amzn2-ami-hvm-*-x86_64-gp2", "root-device-type": "ebs",
                                        "virtualization-type": "hvm"},
                            "owners": ["amazon"], "most_recent": true
                          },
                          "instance_type": "t3.micro", "communicator": "none",
                          "ami_name": "plain-base%d-%s-{{timestamp}}",
                          "run_tags": {"kiln:build-id": "plain-%d"}, "tags": {"kiln:build-id": "plain-%d"}
                        }""".formatted(i, region, region, ACCESS_KEY, SECRET_KEY, emulator.endpoint(), i, region, n,
                        n));
            }
        }
        Path file = work.resolve("plain.json");
        Files.writeString(file, "{\"builders\": [" + String.join(",\n", builders) + "]}\n");
        return file;
    }

    private static String summary(RunResult result) {
        StringBuilder b = new StringBuilder();
        for (JobResult j : result.jobs()) {
            b.append(String.format(Locale.ROOT, "%n  %-40s %-10s waited %5.1f s ran %5.1f s %s", j.job().id(),
                    j.state(), j.waited().toMillis() / 1000.0, j.ran().toMillis() / 1000.0,
                    j.state() == JobState.SUCCEEDED ? j.verified() : j.message()));
        }
        return b.toString();
    }
}
