package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.aws.Ec2Emulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** kiln quotas and kiln sweep against the real AWS provider pointed at the EC2 emulator. */
class QuotasAndSweepTest {

    private static final String KEY = "AKIAKILNCLITEST00001";
    private static final String SECRET = "kiln-cli-test-not-a-secret";

    @TempDir
    Path dir;

    @BeforeAll
    static void fakeCredentials() {
        // The AWS SDK inside the provider reads the default chain; the emulator checks no signature.
        System.setProperty("aws.accessKeyId", KEY);
        System.setProperty("aws.secretAccessKey", SECRET);
    }

    @AfterAll
    static void forgetCredentials() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    @Test
    void quotas_show_each_regions_probe_and_the_plans_limits() throws Exception {
        try (Ec2Emulator ec2 = Ec2Emulator.builder().vcpuQuota(32).start()) {
            // Given
            Path plans = Cli.plans(dir);

            // When the endpoint comes from the environment, as in CI
            Cli.Result r = Cli.run(Map.of("KILN_AWS_ENDPOINT", ec2.endpoint().toString()), "quotas", "--json",
                    plans.resolve("aws-emulated.yaml").toString());

            // Then
            assertThat(r.exit()).as("%s", r).isZero();
            JsonNode targets = new ObjectMapper().readTree(r.out()).get("targets");
            assertThat(targets).hasSize(2);
            JsonNode east = targets.get(0);
            assertThat(east.get("target").asText()).isEqualTo("aws/123456789012/us-east-1");
            assertThat(east.get("quotas")).anySatisfy(q -> {
                assertThat(q.get("metric").asText()).isEqualTo("vcpus");
                assertThat(q.get("limit").asLong()).isEqualTo(32);
                assertThat(q.get("headroom").asLong()).isEqualTo(32);
            });
            assertThat(east.get("limits")).anySatisfy(l -> {
                assertThat(l.get("limit").asText()).isEqualTo("RunInstances");
                assertThat(l.get("capacity").asLong()).isEqualTo(3);
                assertThat(l.get("refillPerSecond").asDouble()).isEqualTo(1.0);
                assertThat(l.get("overridden").asBoolean()).isTrue();
            });
        }
    }

    @Test
    void quotas_as_tables() {
        try (Ec2Emulator ec2 = Ec2Emulator.start()) {
            Path plans = Cli.plans(dir);

            Cli.Result r = Cli.run("quotas", "--provider-setting", "aws.endpoint=" + ec2.endpoint(),
                    plans.resolve("aws-emulated.yaml").toString());

            assertThat(r.exit()).as("%s", r).isZero();
            assertThat(r.out()).contains("aws/123456789012/eu-west-1").containsPattern("QUOTA +SCOPE +LIMIT +USAGE")
                    .containsPattern("vcpus +region +64 +0 +64").containsPattern("RunInstances +region +token bucket +3")
                    .contains("(plan)");
        }
    }

    @Test
    void sweep_by_build_id_deletes_what_a_killed_build_left() throws Exception {
        try (Ec2Emulator ec2 = Ec2Emulator.start();
                Ec2Client sdk = Ec2Client.builder().endpointOverride(ec2.endpoint()).region(Region.EU_WEST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET)))
                        .httpClient(UrlConnectionHttpClient.create()).build()) {
            // Given an instance and a security group a killed build left in eu-west-1, tagged with its build id
            String image = ec2.publicImageId("eu-west-1", "amzn2-ami-hvm-2.0.20260101.0-x86_64-gp2");
            Tag tag = Tag.builder().key("kiln:build-id").value("kdead0001-004").build();
            sdk.runInstances(b -> b.imageId(image).instanceType("t3.micro").minCount(1).maxCount(1)
                    .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tag)
                            .build()));
            String group = sdk.createSecurityGroup(b -> b.groupName("packer_left").description("left behind"))
                    .groupId();
            sdk.createTags(b -> b.resources(group).tags(tag));
            assertThat(ec2.resourcesTagged("kiln:build-id", "kdead0001-004")).hasSize(2);
            Path plans = Cli.plans(dir);

            // When
            Cli.Result r = Cli.run(Map.of("KILN_AWS_ENDPOINT", ec2.endpoint().toString(), "KILN_RUNS_DIR",
                    dir.resolve("runs").toString()), "sweep", "--build-id", "kdead0001-004",
                    plans.resolve("aws-emulated.yaml").toString());

            // Then both regions were swept, and nothing tagged with the id is left
            assertThat(r.exit()).as("%s", r).isZero();
            assertThat(r.out()).contains("kdead0001-004  aws/123456789012/us-east-1")
                    .contains("kdead0001-004  aws/123456789012/eu-west-1");
            assertThat(ec2.resourcesTagged("kiln:build-id", "kdead0001-004")).extracting(TaggedResource::id)
                    .isEmpty();
        }
    }

    @Test
    void sweep_older_than_reads_the_runs_and_leaves_succeeded_and_clean_builds_alone() throws Exception {
        // Given three finished runs: one clean, one whose sweep failed, one that stopped mid-build
        Path runs = dir.resolve("runs");
        String t = "aws/123456789012/us-east-1";
        journal(runs, "kclean01", true, List.of(
                started("kclean01", "base/aws/123456789012/us-east-1/dev", "kclean01-001", t),
                moved("kclean01", "base/aws/123456789012/us-east-1/dev", "RUNNING", "SUCCEEDED")));
        journal(runs, "kdirty01", true, List.of(
                started("kdirty01", "base/aws/123456789012/us-east-1/dev", "kdirty01-001", t),
                "{\"type\":\"Swept\",\"at\":\"2026-01-05T09:01:00Z\",\"runId\":\"kdirty01\",\"jobId\":"
                        + "\"base/aws/123456789012/us-east-1/dev\",\"buildId\":\"kdirty01-001\",\"deleted\":[],"
                        + "\"failed\":[\"sg-1: DependencyViolation\"]}",
                moved("kdirty01", "base/aws/123456789012/us-east-1/dev", "SWEEPING", "FAILED")));
        journal(runs, "kcrash01", false, List.of(
                started("kcrash01", "base/aws/123456789012/us-east-1/dev", "kcrash01-001", t)));
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("sweep", "--older-than", "1h", "--dry-run", "--runs-dir", runs.toString(),
                plans.resolve("aws-emulated.yaml").toString());

        // Then
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("would sweep 2 builds").contains("kdirty01-001").contains("kcrash01-001")
                .doesNotContain("kclean01-001");
    }

    @Test
    void sweep_expired_asks_every_target_and_needs_no_run_directory() {
        // Given
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("sweep", "--expired", "--simulate", plans.resolve("aws-emulated.yaml").toString());

        // Then the simulated cloud, which cannot list by tag, deletes nothing on either target
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("swept what expired before").containsPattern("aws/123456789012/us-east-1 +-")
                .containsPattern("aws/123456789012/eu-west-1 +-");
    }

    @Test
    void sweep_refuses_a_build_that_succeeded() throws Exception {
        // Given
        Path runs = dir.resolve("runs");
        journal(runs, "kclean01", true, List.of(
                started("kclean01", "base/aws/123456789012/us-east-1/dev", "kclean01-001", "aws/123456789012/us-east-1"),
                moved("kclean01", "base/aws/123456789012/us-east-1/dev", "RUNNING", "SUCCEEDED")));
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("sweep", "--build-id", "kclean01-001", "--runs-dir", runs.toString(),
                plans.resolve("aws-emulated.yaml").toString());

        // Then
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("succeeded in run kclean01").contains("--force");
    }

    private static String started(String run, String job, String buildId, String target) {
        return "{\"type\":\"JobStateChanged\",\"at\":\"2026-01-05T09:00:00Z\",\"runId\":\"" + run + "\",\"jobId\":\""
                + job + "\",\"from\":\"WAITING\",\"to\":\"RUNNING\",\"attempt\":1,\"reason\":\"\"}\n"
                + "{\"type\":\"BuildStarted\",\"at\":\"2026-01-05T09:00:00Z\",\"runId\":\"" + run + "\",\"jobId\":\""
                + job + "\",\"attempt\":1,\"imageName\":\"base\",\"buildId\":\"" + buildId + "\",\"target\":\""
                + target + "\",\"log\":\"/tmp/x.log\",\"budget\":{},\"demand\":{}}";
    }

    private static String moved(String run, String job, String from, String to) {
        return "{\"type\":\"JobStateChanged\",\"at\":\"2026-01-05T09:02:00Z\",\"runId\":\"" + run + "\",\"jobId\":\""
                + job + "\",\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"attempt\":1,\"reason\":\"\"}";
    }

    private static void journal(Path runs, String run, boolean finished, List<String> lines) throws Exception {
        Path d = Files.createDirectories(runs.resolve(run));
        StringBuilder sb = new StringBuilder("{\"type\":\"RunStarted\",\"at\":\"2026-01-05T09:00:00Z\",\"runId\":\""
                + run + "\",\"plan\":\"p\",\"jobs\":1,\"runDirectory\":\"" + d + "\",\"packer\":\"packer\"}\n");
        lines.forEach(l -> sb.append(l).append('\n'));
        if (finished) {
            sb.append("{\"type\":\"RunFinished\",\"at\":\"2026-01-05T09:03:00Z\",\"runId\":\"").append(run)
                    .append("\",\"counts\":{},\"elapsedMillis\":180000}\n");
        }
        Files.writeString(d.resolve("events.jsonl"), sb);
        Files.setLastModifiedTime(d.resolve("events.jsonl"),
                java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2026-01-05T09:03:00Z")));
    }
}
