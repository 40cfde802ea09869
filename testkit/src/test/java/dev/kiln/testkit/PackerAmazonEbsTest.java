package dev.kiln.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * Real packer (1.6.6's built-in amazon-ebs builder) builds an AMI against the emulator. Skips when
 * packer is not installed, unless {@code -Dkiln.requireTools=true}, which CI sets: then a missing
 * packer fails the build.
 */
class PackerAmazonEbsTest {

    private static final String BUILD_ID = "packer-it-1";
    private static final Pattern ARTIFACT = Pattern.compile("^\\d+,amazon-ebs,artifact,0,id,us-east-1:(ami-[0-9a-f]+)$",
            Pattern.MULTILINE);

    @TempDir
    Path work;

    @Test
    void packerBuildsAnAmiAgainstTheEmulator() throws Exception {
        Path packer = RequiredTools.packer();
        try (Ec2Emulator emulator = Ec2Emulator.start();
                Ec2Client ec2 = ec2(emulator)) {
            Path template = work.resolve("amazon-ebs.json");
            Files.writeString(template, template(emulator));

            TimeSource clock = TimeSource.system();
            long started = clock.nanoTime();
            Run run = packerBuild(packer, template);
            Duration took = Duration.ofNanos(clock.nanoTime() - started);
            List<String> sequence = emulator.calls().stream().map(ApiCall::action).toList();

            assertThat(run.exit).as("packer build exit status; output:%n%s", run.output).isZero();
            Matcher artifact = ARTIFACT.matcher(run.output);
            assertThat(artifact.find()).as("an amazon-ebs artifact in:%n%s", run.output).isTrue();
            String amiId = artifact.group(1);

            Image image = ec2.describeImages(r -> r.imageIds(amiId)).images().get(0);
            assertThat(image.state()).isEqualTo(ImageState.AVAILABLE);
            assertThat(image.name()).startsWith("kiln-packer-it-");
            assertThat(emulator.resourcesTagged("kiln:build-id", BUILD_ID))
                    .extracting(TaggedResource::type).containsExactlyInAnyOrder("image", "snapshot");
            assertThat(ec2.describeInstances().reservations()).singleElement()
                    .satisfies(r -> assertThat(r.instances().get(0).state().name())
                            .isEqualTo(InstanceStateName.TERMINATED));
            assertThat(ec2.describeSecurityGroups().securityGroups()).extracting(g -> g.groupName())
                    .containsExactly("default");
            assertThat(ec2.describeKeyPairs().keyPairs()).isEmpty();
            assertThat(emulator.unknownActions()).isEmpty();

            assertThat(sequence).startsWith("DescribeImages", "DescribeImages", "CreateKeyPair",
                    "CreateSecurityGroup").contains("RunInstances", "StopInstances", "CreateImage",
                    "TerminateInstances").endsWith("DeleteSecurityGroup", "DeleteKeyPair");
            System.out.printf("packer amazon-ebs build against the EC2 emulator: %d ms, %d calls: %s%n",
                    took.toMillis(), sequence.size(), String.join(" ", sequence));
        }
    }

    /** The official SDK, one attempt per call, so a throttle or fault surfaces as the exception it raises. */
    private static Ec2Client ec2(Ec2Emulator emulator) {
        return Ec2Client.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        "AKIAKILNTEST00000001", "kiln-test-not-a-secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)))
                .build();
    }

    private static String template(Ec2Emulator emulator) {
        return """
                {
                  "builders": [{
                    "type": "amazon-ebs",
                    "access_key": "AKIAKILNPACKERTEST01",
                    "secret_key": "kiln-emulator-not-a-secret",
                    "region": "us-east-1",
                    "custom_endpoint_ec2": "%s",
                    "skip_region_validation": true,
                    "skip_credential_validation": true,
                    "skip_metadata_api_check": true,
                    "aws_polling": {"delay_seconds": 1, "max_attempts": 120},
                    "source_ami_filter": {
                      "filters": {"name": "amzn2-ami-hvm-*-x86_64-gp2", "root-device-type": "ebs",
                                  "virtualization-type": "hvm"},
                      "owners": ["amazon"],
                      "most_recent": true
                    },
                    "instance_type": "t3.micro",
                    "communicator": "none",
                    "ami_name": "kiln-packer-it-{{timestamp}}",
                    "run_tags": {"kiln:build-id": "%s"},
                    "tags": {"kiln:build-id": "%s"},
                    "snapshot_tags": {"kiln:build-id": "%s"}
                  }]
                }
                """.formatted(emulator.endpoint(), BUILD_ID, BUILD_ID, BUILD_ID);
    }

    private record Run(int exit, String output) {
    }

    private Run packerBuild(Path packer, Path template) throws IOException, InterruptedException {
        Path home = Files.createDirectories(work.resolve("home"));
        Path log = work.resolve("packer.log");
        ProcessBuilder pb = new ProcessBuilder(packer.toString(), "build", "-machine-readable", template.toString())
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("packer.out").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("PACKER_") || k.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
        env.put("HOME", home.toString());
        env.put("CHECKPOINT_DISABLE", "1");
        env.put("PACKER_LOG", "1");
        env.put("PACKER_LOG_PATH", log.toString());
        env.put("PACKER_CACHE_DIR", work.resolve("cache").toString());
        env.put("NO_PROXY", "127.0.0.1,localhost");
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("packer build did not finish within 3 minutes; its log is " + log);
        }
        return new Run(p.exitValue(), Files.readString(work.resolve("packer.out"), StandardCharsets.UTF_8));
    }
}
