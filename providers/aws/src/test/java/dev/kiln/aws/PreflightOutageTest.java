package dev.kiln.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.emulators.Fault;
import dev.kiln.emulators.Faults;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.job.JobState;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.spi.Refusal;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Issue 14: EC2 failing for a moment while Kiln checks quotas and names is tried again with backoff,
 * not taken as a reason to refuse every build (the SDK's own three attempts are over in well under
 * a second).
 * The builds themselves are not the point: a simulated runner stands in for packer.
 */
class PreflightOutageTest {

    private static final String REGION = "eu-west-1";

    @TempDir
    Path work;

    @Test
    void issue14_ec2_failing_past_two_rounds_of_sdk_retries_in_preflight_refuses_nothing() throws IOException {
        Path template = Files.writeString(work.resolve("base.json"), """
                {"variables": {"kiln_image_name": "", "kiln_build_id": "", "kiln_region": ""},
                 "builders": [{"type": "amazon-ebs", "region": "{{user `kiln_region`}}", "instance_type": "t3.micro",
                   "source_ami": "ami-0123456789abcdef0", "communicator": "none",
                   "ami_name": "{{user `kiln_image_name`}}", "tags": {"kiln:build-id": "{{user `kiln_build_id`}}"},
                   "run_tags": {"kiln:build-id": "{{user `kiln_build_id`}}"}}]}
                """);
        // Given EC2 answering its next six calls with 500 InternalError: two rounds of the SDK's three attempts
        AtomicReference<Ec2Emulator> emulator = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        try (Ec2Emulator ec2 = Ec2Emulator.builder().onCall(c -> {
            if (calls.incrementAndGet() == 6) {
                emulator.get().faults().clear();
            }
        }).start()) {
            emulator.set(ec2);
            ec2.faults().inject(Faults.ANY_ACTION, Fault.errorRate(1.0));
            AwsProvider aws = AwsProvider.builder().endpointOverride(ec2.endpoint())
                    .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAKILNOUTAGE000001",
                            "kiln-outage-fake-secret-not-for-aws-01")))
                    .build();
            SimulatedCloud unused = SimulatedCloud.builder(TimeSource.system()).build();
            try (Kiln kiln = Kiln.builder().provider(aws).packerRunner(SimulatedPackerRunner.builder(unused).build())
                    .files(f -> f.withRunsDirectory(work.resolve("runs"))).build()) {
                BuildPlan plan = Fleet.builder("outage").environments("dev")
                        .target(Target.of("aws", Ec2Emulator.DEFAULT_ACCOUNT, REGION))
                        .image(ImageSpec.builder("base", template, "amazon-ebs")
                                .instanceSize("t3.micro").build())
                        .build(kiln.planContext());

                // When Kiln checks the plan
                RunResult result = kiln.preflight(plan);

                // Then it tried again after the SDK gave up: nothing refused, the build passed its checks
                assertThat(result.refusals()).extracting(Refusal::message).isEmpty();
                assertThat(result.jobs()).extracting(JobResult::state).containsOnly(JobState.CANCELLED);
                assertThat(ec2.counters().total().injectedFaults()).isEqualTo(6);
            }
        }
    }
}
