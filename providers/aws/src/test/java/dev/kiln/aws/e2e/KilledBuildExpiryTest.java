package dev.kiln.aws.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.kiln.aws.AwsProvider;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.Budget;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.SweepReport;
import dev.kiln.testkit.RequiredTools;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;

/**
 * The dead man's switch with real packer (1.6.6's amazon-ebs) against the EC2 emulator: a build
 * whose every process is killed mid-way leaves its instance, packer's key pair and security group
 * behind, and no Kiln process is left to sweep them; once its {@code kiln:expires-at} has passed,
 * {@link AwsProvider#sweepExpired} removes all of it.
 */
class KilledBuildExpiryTest {

    private static final String REGION = "us-east-1";
    private static final String BUILD_ID = "b-killed-expiry";
    private static final String ACCESS_KEY = "AKIAKILNE2EEXPIRY001";
    private static final String SECRET_KEY = "kiln-e2e-fake-secret-not-for-aws-000002";
    private static final Target TARGET = Target.of("aws", Ec2Emulator.DEFAULT_ACCOUNT, REGION);

    @TempDir
    Path work;

    @Test
    void what_a_killed_packer_build_left_is_swept_once_its_expiry_has_passed() throws Exception {
        // Given a build that tags its instance and volumes with an expiry, as Kiln's templates do, whose
        // packer and every process under it is killed while it provisions
        Path packer = RequiredTools.packer();
        TimeSource clock = TimeSource.system();
        long expiresAt = clock.now().plus(Duration.ofMinutes(2)).plus(Duration.ofHours(1)).getEpochSecond();
        try (Ec2Emulator emulator = Ec2Emulator.start(); AwsProvider provider = provider(emulator);
                Ec2Client ec2 = sdk(emulator)) {
            Process build = startBuild(packer, provider, expiresAt);
            try {
                awaitProvisioning(build, emulator);
            } finally {
                killTree(build);
            }
            List<String> left = leftovers(emulator, ec2);
            assertThat(left).as("what the killed build left").anyMatch(r -> r.startsWith("instance/"))
                    .anyMatch(r -> r.startsWith("key-pair/packer_")).anyMatch(r -> r.startsWith("security-group/"));

            // When an expired sweep runs at the expiry itself, and then a second past it
            SweepReport atExpiry = provider.sweepExpired(TARGET, Instant.ofEpochSecond(expiresAt));
            SweepReport past = provider.sweepExpired(TARGET, Instant.ofEpochSecond(expiresAt + 1));
            SweepReport again = provider.sweepExpired(TARGET, Instant.ofEpochSecond(expiresAt + 1));

            // Then the first took nothing, the second everything the build left, the third nothing
            assertThat(atExpiry.deleted()).isEmpty();
            assertThat(past.failed()).isEmpty();
            assertThat(past.deleted()).containsAll(left);
            assertThat(again.deleted()).isEmpty();
            assertThat(again.clean()).isTrue();
            assertThat(emulator.resourcesTagged("kiln:build-id", BUILD_ID)).isEmpty();
            assertThat(ec2.describeKeyPairs().keyPairs()).isEmpty();
            assertThat(ec2.describeSecurityGroups().securityGroups()).extracting(SecurityGroup::groupName)
                    .containsExactly("default");
            System.out.printf(Locale.ROOT, "killed packer build left %s; the expired sweep deleted %s%n", left,
                    past.deleted());
        }
    }

    private static AwsProvider provider(Ec2Emulator emulator) {
        AwsProvider provider = AwsProvider.builder().endpointOverride(emulator.endpoint())
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .pollDelay(Duration.ofSeconds(1)).build();
        provider.start(new ProviderContext() {
            @Override
            public ApiGate gate(Target target) {
                return ApiGate.open();
            }

            @Override
            public TimeSource time() {
                return TimeSource.system();
            }
        });
        return provider;
    }

    private static Ec2Client sdk(Ec2Emulator emulator) {
        return Ec2Client.builder().endpointOverride(emulator.endpoint()).region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                        SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** Runs packer as Kiln would: the provider's environment, Kiln's variables, keys only in the environment. */
    private Process startBuild(Path packer, AwsProvider provider, long expiresAt) throws IOException {
        Path template = work.resolve("amazon-ebs.json");
        Files.writeString(template, """
                {
                  "variables": {
                    "kiln_build_id": "", "kiln_expires_at": "", "kiln_region": "",
                    "ec2_endpoint": "{{env `KILN_AWS_ENDPOINT`}}"
                  },
                  "builders": [{
                    "type": "amazon-ebs",
                    "region": "{{user `kiln_region`}}",
                    "custom_endpoint_ec2": "{{user `ec2_endpoint`}}",
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
                    "ami_name": "kiln-expiry-{{timestamp}}",
                    "run_tags": {"kiln:build-id": "{{user `kiln_build_id`}}",
                                 "kiln:expires-at": "{{user `kiln_expires_at`}}"},
                    "run_volume_tags": {"kiln:build-id": "{{user `kiln_build_id`}}",
                                        "kiln:expires-at": "{{user `kiln_expires_at`}}"},
                    "tags": {"kiln:build-id": "{{user `kiln_build_id`}}"}
                  }],
                  "provisioners": [{"type": "shell-local", "inline": ["echo kiln-provisioning", "sleep 300"]}]
                }
                """);
        Path home = Files.createDirectories(work.resolve("home"));
        ProcessBuilder pb = new ProcessBuilder(packer.toString(), "build", "-machine-readable",
                "-var", "kiln_build_id=" + BUILD_ID, "-var", "kiln_expires_at=" + expiresAt,
                "-var", "kiln_region=" + REGION, template.toString())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("packer.out").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("PACKER_")
                || k.toLowerCase(Locale.ROOT).endsWith("_proxy"));
        env.putAll(provider.packerEnv(TARGET, new Budget(60, 1.0)));
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        env.put("HOME", home.toString());
        env.put("CHECKPOINT_DISABLE", "1");
        env.put("PACKER_CACHE_DIR", work.resolve("cache").toString());
        env.put("NO_PROXY", "127.0.0.1,localhost");
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    /** Waits until the build's instance runs and packer is in its provisioner, with nothing cleaned up yet. */
    private void awaitProvisioning(Process build, Ec2Emulator emulator) throws Exception {
        try {
            await("packer's provisioner").atMost(Duration.ofMinutes(2)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> provisioning(emulator) || !build.isAlive());
        } catch (ConditionTimeoutException e) {
            fail("packer did not reach its provisioner within 2 minutes; output:%n" + packerOutput());
        }
        if (!provisioning(emulator)) {
            fail("packer ended (exit " + build.exitValue() + ") before it provisioned; output:%n" + packerOutput());
        }
    }

    private boolean provisioning(Ec2Emulator emulator) throws IOException {
        return emulator.resourcesTagged("kiln:build-id", BUILD_ID).stream()
                .anyMatch(r -> r.type().equals("instance") && r.state().equals("running"))
                && packerOutput().contains("kiln-provisioning");
    }

    private String packerOutput() throws IOException {
        return Files.readString(work.resolve("packer.out"), StandardCharsets.UTF_8);
    }

    /** SIGKILL for packer and every plugin and shell under it: nothing is left to clean up. */
    private static void killTree(Process build) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(build.descendants().toList());
        tree.add(build.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : tree) {
            p.onExit().join();
        }
        build.waitFor();
    }

    /** What the build left, named as a sweep reports it. */
    private static List<String> leftovers(Ec2Emulator emulator, Ec2Client ec2) {
        List<String> out = new ArrayList<>();
        for (TaggedResource r : emulator.resourcesTagged("kiln:build-id", BUILD_ID)) {
            if (r.type().equals("instance")) {
                out.add("instance/" + r.id());
            }
        }
        for (var reservation : ec2.describeInstances().reservations()) {
            for (Instance i : reservation.instances()) {
                if (i.keyName() != null && i.keyName().startsWith("packer_")) {
                    out.add("key-pair/" + i.keyName());
                }
                for (GroupIdentifier g : i.securityGroups()) {
                    if (g.groupName().startsWith("packer_")) {
                        out.add("security-group/" + g.groupId());
                    }
                }
            }
        }
        return out;
    }
}
