package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14, plan-time checks: a typo in a provider, a region or a limit is caught by every command
 * that reads the plan, offline too, before anything runs: exit 2, one paragraph per problem, each
 * with what was meant when Kiln can tell.
 */
class PlanChecksTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "kiln {0}")
    @ValueSource(strings = {"plan --offline", "run --simulate", "quotas --simulate"})
    void typos_in_providers_regions_and_limits_are_invalid_input(String command) {
        // Given a plan with a misspelled provider, regions and limits, and a limit of another provider
        Path plans = Cli.plans(dir);

        // When
        String runs = command.startsWith("run") ? " --runs-dir " + dir.resolve("runs") : "";
        String[] args = (command + runs + " " + plans.resolve("typos.yaml")).split(" ");
        Cli.Result r = Cli.run(args);

        // Then
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("kiln " + command.split(" ")[0] + ": invalid plan (7 problems):")
                .contains("typos.yaml:6:17: targets[0].provider: 'gcloud' — no provider has this id; did you mean"
                        + " 'gcp'? providers: aws, azure, gcp, vsphere. A provider of your own is found through"
                        + " ServiceLoader")
                .contains("typos.yaml:9:15: targets[1].regions[0]: 'us-east-9' — not an aws region (the AWS SDK's"
                        + " list); did you mean 'us-east-1'? A region newer than the list (or a private one) is"
                        + " declared under the target's custom_regions")
                .contains("typos.yaml:9:26: targets[1].regions[1]: 'eu-wset-1' — not an aws region (the AWS SDK's"
                        + " list); did you mean 'eu-west-1'?")
                .contains("typos.yaml:11:21: targets[1].limits.RunInstancez — unknown limit of aws; did you mean"
                        + " 'RunInstances'? aws's limits: every EC2 API action by name")
                .contains("typos.yaml:12:18: targets[1].limits[\"gce.reads\"] — a limit of gcp, not of aws; aws's"
                        + " limits: every EC2 API action by name")
                .contains("typos.yaml:13:52: targets[2].regions[0]: 'us-centrl1' — not a gcp region (Kiln's list"
                        + " of Compute Engine regions); did you mean 'us-central1'?")
                .contains("typos.yaml:13:64: targets[2].regions[1]: 'mars-north1' — not a gcp region (Kiln's list"
                        + " of Compute Engine regions); gcp regions: africa-south1, asia-east1,")
                .doesNotContain("kiln-gcloud").doesNotContain("Exception");
        assertThat(r.err().lines().filter(l -> l.contains("typos.yaml:"))).hasSize(7);
    }

    @Test
    void declared_custom_regions_and_any_vsphere_host_pass() throws Exception {
        // Given a region newer than the AWS SDK's list, declared, and a vSphere host of any name
        Tools.packer();
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("plan", "--offline", "--json", plans.resolve("custom-regions.yaml").toString());

        // Then
        assertThat(r.exit()).as("%s", r).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("targets")).extracting(JsonNode::asText).containsExactly(
                "aws/123456789012/us-east-1", "aws/123456789012/ap-future-9",
                "vsphere/vcenter.lab.example/any-host-name-07");
    }

    @Test
    void plan_offline_refuses_what_run_simulate_refuses() {
        // Given a build no simulated account can hold
        Tools.packer();
        Path plans = Cli.plans(dir);
        Path runs = dir.resolve("runs");

        // When
        Cli.Result plan = Cli.run("plan", "--offline", plans.resolve("never-fits.yaml").toString());
        Cli.Result run = Cli.run("run", "--simulate", "--progress", "plain", "--runs-dir", runs.toString(),
                plans.resolve("never-fits.yaml").toString());

        // Then both refuse it, and only it
        assertThat(run.exit()).as("%s", run).isEqualTo(ExitCode.REFUSED);
        assertThat(run.out()).contains("REFUSED   huge/aws/123456789012/us-east-1/dev: needs 4000 vcpus");
        assertThat(plan.exit()).as("%s", plan).isEqualTo(ExitCode.REFUSED);
        assertThat(plan.out()).contains("refused (1):")
                .contains("huge/aws/123456789012/us-east-1/dev QUOTA_NEVER_FITS: ")
                .contains("4000 vcpus")
                .containsPattern("small +aws/123456789012/\\* +1 +0:00")
                .doesNotContainPattern("huge +aws/123456789012/\\*");
    }
}
