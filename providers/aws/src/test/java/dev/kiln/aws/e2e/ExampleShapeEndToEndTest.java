package dev.kiln.aws.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.aws.AwsProvider;
import dev.kiln.job.JobState;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanFile;
import dev.kiln.testkit.RequiredTools;
import dev.kiln.emulators.aws.Ec2Emulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * Issue 16, item 9: the amazon-ebs example of examples/plans/shapes, as it is written, built end to
 * end by real packer against the EC2 emulator: every AMI in its target's region, uniquely named and
 * tagged with its build id; the image that fails after its instance launched leaves nothing behind.
 */
class ExampleShapeEndToEndTest {

    private static final String ACCESS_KEY = "AKIAKILNE2ESHAPES001";
    private static final String SECRET_KEY = "kiln-e2e-fake-secret-not-for-aws-000002";

    @TempDir
    Path work;

    private static Path example() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path plan = dir.resolve("examples/plans/shapes/aws-emulated.yaml");
            if (Files.isRegularFile(plan)) {
                return plan;
            }
        }
        throw new IllegalStateException("no examples/plans/shapes/aws-emulated.yaml above " + Path.of("").toAbsolutePath());
    }

    @Test
    void the_amazon_ebs_example_builds_each_ami_in_its_region_named_and_tagged_and_a_failure_leaves_nothing()
            throws Exception {
        Path packer = RequiredTools.packer();
        Files.createDirectories(work.resolve("home"));
        try (Ec2Emulator emulator = Ec2Emulator.builder().vcpuQuota(8).start();
             ProcessPackerRunner runner = PackerRunners.processBuilder().executable(packer)
                     .extraEnv("AWS_ACCESS_KEY_ID", ACCESS_KEY).extraEnv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                     .extraEnv("HOME", work.resolve("home").toString()).build();
             Kiln kiln = Kiln.builder().provider(AwsProvider.builder().endpointOverride(emulator.endpoint())
                             .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                                     SECRET_KEY))).pollDelay(Duration.ofSeconds(1)).build())
                     .packerRunner(runner).files(f -> f.withRunsDirectory(work.resolve("runs")))
                     .scheduling(s -> s.withBudgetSampleInterval(null)).build()) {
            // Given the example plan, read as kiln run reads it
            BuildPlan plan = PlanFile.load(example(), kiln.planContext());
            assertThat(plan.jobs()).hasSize(4);

            // When Kiln runs it
            RunResult result = kiln.run(plan);

            // Then each base build made one AMI, in its target's region, under its own name, tagged with its build id
            List<JobResult> base = result.jobs().stream().filter(j -> j.job().image().name().equals("base")).toList();
            assertThat(base).hasSize(2).allSatisfy(j -> {
                assertThat(j.state()).as("%s", j).isEqualTo(JobState.SUCCEEDED);
                assertThat(j.verified()).hasSize(1);
                String[] regionAndId = j.verified().get(0).split(":");
                assertThat(regionAndId[0]).isEqualTo(j.job().target().region());
                try (Ec2Client ec2 = sdk(emulator, regionAndId[0])) {
                    Image image = ec2.describeImages(r -> r.imageIds(regionAndId[1])).images().get(0);
                    assertThat(image.name()).isEqualTo(j.job().imageName());
                    assertThat(image.tags()).anySatisfy(t -> {
                        assertThat(t.key()).isEqualTo("kiln:build-id");
                        assertThat(t.value()).isEqualTo(j.job().buildId());
                    });
                }
            });
            assertThat(base).extracting(j -> j.job().imageName()).doesNotHaveDuplicates();
            // And the broken builds failed after launching their instances, and nothing of theirs is left
            List<JobResult> broken = result.jobs().stream().filter(j -> j.job().image().name().equals("broken"))
                    .toList();
            assertThat(broken).hasSize(2).allSatisfy(j -> {
                assertThat(j.state()).as("%s", j).isEqualTo(JobState.FAILED);
                assertThat(emulator.resourcesTagged("kiln:build-id", j.job().buildId())).isEmpty();
            });
            for (String region : List.of("us-east-1", "eu-west-1")) {
                try (Ec2Client ec2 = sdk(emulator, region)) {
                    assertThat(ec2.describeImages(r -> r.owners("self")).images()).extracting(Image::name)
                            .allSatisfy(name -> assertThat(name).startsWith("base-dev-"));
                    assertThat(ec2.describeKeyPairs().keyPairs()).isEmpty();
                }
            }
        }
    }

    private static Ec2Client sdk(Ec2Emulator emulator, String region) {
        return Ec2Client.builder().endpointOverride(emulator.endpoint()).region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                        SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
