package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.aws.Ec2Emulator;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14, honest predictions and exit codes: a refused build is never predicted, a prediction
 * that breaches a quota or is throttled is a refusal, a template packer cannot parse is invalid
 * input, missing credentials are said in a sentence, and a secret is not needed to plan offline.
 */
class HonestPlansTest {

    private static final String KEY = "AKIAKILNCLITEST00002";
    private static final String SECRET = "kiln-cli-test-not-a-secret";

    @TempDir
    Path dir;

    @Test
    void refused_builds_are_never_predicted() throws Exception {
        // Given a plan whose every build preflight refuses (no packer is new enough)
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("plan", "--offline", "--json", plans.resolve("refused.yaml").toString());

        // Then
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.REFUSED);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("refusals")).hasSize(1);
        assertThat(json.get("predicted")).isEmpty();
        assertThat(json.get("makespanSeconds").asDouble()).isZero();
    }

    @Test
    void a_prediction_that_breaches_a_quota_is_a_refusal() throws Exception {
        // Given an account whose AMI quota holds one image, and a plan making two in one region
        Tools.packer();
        Path plans = Cli.plans(dir);
        System.setProperty("aws.accessKeyId", KEY);
        System.setProperty("aws.secretAccessKey", SECRET);
        try (Ec2Emulator ec2 = Ec2Emulator.builder().amiQuota(1).start()) {
            // When
            Cli.Result json = Cli.run("plan", "--json", "--provider-setting", "aws.endpoint=" + ec2.endpoint(),
                    plans.resolve("two-images.yaml").toString());
            Cli.Result text = Cli.run("plan", "--provider-setting", "aws.endpoint=" + ec2.endpoint(),
                    plans.resolve("two-images.yaml").toString());

            // Then
            assertThat(json.exit()).as("%s", json).isEqualTo(ExitCode.REFUSED);
            JsonNode root = new ObjectMapper().readTree(json.out());
            assertThat(root.get("quotaBreaches").asLong()).isPositive();
            assertThat(root.get("refusals")).isEmpty();
            assertThat(root.get("predictionProblems")).singleElement().satisfies(p -> assertThat(p.asText())
                    .contains("the prediction breaches quotas").contains("image quota exceeded").contains("images"));
            assertThat(text.exit()).as("%s", text).isEqualTo(ExitCode.REFUSED);
            assertThat(text.out()).contains("Refused: the prediction breaches");
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Test
    void a_raised_limit_in_the_plan_is_the_predicted_clouds_own() throws Exception {
        // Given a plan whose account has a RunInstances bucket four times AWS's default, and twelve builds
        Tools.packer();
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("plan", "--offline", "--json", plans.resolve("raised-limit.yaml").toString());

        // Then builds start together, and the cloud of the prediction takes it as the operator says
        assertThat(r.exit()).as("%s", r).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("throttles").asLong()).isZero();
        assertThat(json.get("predicted")).hasSize(12).allSatisfy(b -> assertThat(b.get("startSeconds").asDouble())
                .isZero());
    }

    @ParameterizedTest(name = "kiln {0}")
    @ValueSource(strings = {"plan --offline", "run --simulate"})
    void a_template_that_does_not_parse_is_invalid_input_at_its_line(String command) {
        // Given
        Tools.packer();
        Path plans = Cli.plans(dir);

        // When
        String[] args = (command + " --runs-dir " + dir.resolve("runs") + " " + plans.resolve("syntax-error.yaml"))
                .split(" ");
        Cli.Result r = Cli.run(args);

        // Then
        // Then Kiln's own reader refuses it when the plan is read, at its line (issue 16): nothing runs
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("invalid plan: " + plans.resolve("templates/broken.json") + ":4:1:"
                + " images[0].template — found '}' where ',' or ']' was expected").doesNotContain("Exception");
        assertThat(dir.resolve("runs")).doesNotExist();
    }

    @Test
    void missing_credentials_are_one_sentence_naming_the_provider_and_where_they_are_read() {
        // Given an AWS profile that does not exist, so the SDK finds no credentials
        Path plans = Cli.plans(dir);
        try (Ec2Emulator ec2 = Ec2Emulator.start()) {
            // When
            Cli.Result quotas = Cli.run("quotas", "--provider-setting", "aws.endpoint=" + ec2.endpoint(),
                    "--provider-setting", "aws.profile=kiln-no-such-profile",
                    plans.resolve("aws-emulated.yaml").toString());
            Cli.Result plan = Cli.run("plan", "--provider-setting", "aws.endpoint=" + ec2.endpoint(),
                    "--provider-setting", "aws.profile=kiln-no-such-profile",
                    plans.resolve("aws-emulated.yaml").toString());

            // Then
            assertThat(quotas.exit()).as("%s", quotas).isEqualTo(ExitCode.USAGE);
            assertThat(quotas.out() + quotas.err()).contains("aws: no credentials").contains("kiln-no-such-profile")
                    .contains("~/.aws/credentials").doesNotContain("ProfileFile(").doesNotContain("Exception");
            assertThat(plan.exit()).as("%s", plan).isEqualTo(ExitCode.USAGE);
            assertThat(plan.out()).contains("CREDENTIALS").contains("aws: no credentials")
                    .doesNotContain("ProfileFile(");
        }
    }

    @Test
    void plan_offline_does_not_need_the_secrets() throws Exception {
        // Given a plan whose secret comes from an environment variable that is not set
        Tools.packer();
        Path plans = Cli.plans(dir);

        // When
        Cli.Result offline = Cli.run(Map.of(), "plan", "--offline", "--json",
                plans.resolve("secret-from-env.yaml").toString());
        Cli.Result run = Cli.run(Map.of(), "run", "--simulate", "--runs-dir", dir.resolve("runs").toString(),
                plans.resolve("secret-from-env.yaml").toString());

        // Then planning offline works; building still needs the secret
        assertThat(offline.exit()).as("%s", offline).isZero();
        assertThat(new ObjectMapper().readTree(offline.out()).get("predicted")).hasSize(1);
        assertThat(run.exit()).as("%s", run).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("environment variable KILN_TEST_API_TOKEN is not set");
    }
}
