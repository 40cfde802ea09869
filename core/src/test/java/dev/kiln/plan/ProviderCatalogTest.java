package dev.kiln.plan;

import static dev.kiln.plan.PlanFixture.minimalWith;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.Scope;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a plan read with the providers' catalogs is refused for a provider, region or limit no
 * provider has, each problem with what was probably meant; without catalogs, any goes as before.
 */
class ProviderCatalogTest {

    private static final ProviderCatalog AWS = ProviderCatalog.builder("aws").aliases("amazon", "ec2")
            .regions("the test's list", List.of("us-east-1", "us-east-2", "eu-west-1"))
            .limits(LimitsTable.builder().limit("RunInstances", LimitSpec.tokenBucket(5, 2), Scope.REGION).build())
            .build();
    private static final ProviderCatalog GCP = ProviderCatalog.builder("gcp").aliases("gcloud", "google")
            .regions("the test's list", List.of("us-central1", "europe-west4"))
            .limits(List.of("gce.reads"))
            .build();
    private static final ProviderCatalog VSPHERE = ProviderCatalog.builder("vsphere").regionWord("host")
            .freeFormRegions().limits(List.of("vcenter.host")).limitPrefix("vcenter.datastore.").build();

    @TempDir
    Path dir;

    PlanFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new PlanFixture(dir);
    }

    private PlanContext checked() {
        return PlanFixture.context().withCatalogs(List.of(AWS, GCP, VSPHERE));
    }

    private List<String> problems(String yaml) {
        try {
            BuildPlan plan = PlanFile.parse(yaml, fixture.planPath(), checked());
            throw new AssertionError("expected the plan to be refused, got " + plan);
        } catch (PlanException e) {
            return e.problems().stream().map(p -> p.describe().replace(dir + "/", "")).toList();
        }
    }

    @Test
    void an_alias_is_suggested_as_its_provider() {
        String yaml = minimalWith("provider: gcp", "provider: gcloud");

        assertThat(problems(yaml)).containsExactly("plan.yaml:8:15: targets[1].provider: 'gcloud' — no provider"
                + " has this id; did you mean 'gcp'? providers: aws, gcp, vsphere. A provider of your own is found"
                + " through ServiceLoader: its jar, with META-INF/services/dev.kiln.spi.ProviderFactory naming its"
                + " factory, goes on kiln's class path");
    }

    @Test
    void a_misspelled_region_gets_the_nearest_and_a_way_to_declare_new_ones() {
        String yaml = minimalWith("[us-east-1, eu-west-1]", "[us-east-9, eu-wset-1]");

        assertThat(problems(yaml)).containsExactly(
                "plan.yaml:7:15: targets[0].regions[0]: 'us-east-9' — not an aws region (the test's list); did you"
                        + " mean 'us-east-1'? A region newer than the list (or a private one) is declared under the"
                        + " target's custom_regions",
                "plan.yaml:7:26: targets[0].regions[1]: 'eu-wset-1' — not an aws region (the test's list); did you"
                        + " mean 'eu-west-1'? A region newer than the list (or a private one) is declared under the"
                        + " target's custom_regions");
    }

    @Test
    void a_region_far_from_any_lists_them_all() {
        String yaml = minimalWith("region: us-central1", "region: mars-north1");

        assertThat(problems(yaml)).singleElement().asString().contains("'mars-north1' — not a gcp region (the"
                + " test's list); gcp regions: europe-west4, us-central1. A region newer");
    }

    @Test
    void declared_custom_regions_pass() {
        String yaml = minimalWith("    regions: [us-east-1, eu-west-1]\n",
                "    regions: [us-east-1, ap-future-9]\n    custom_regions: [ap-future-9]\n");

        BuildPlan plan = PlanFile.parse(yaml, fixture.planPath(), checked());

        assertThat(plan.targets()).extracting(Target::region).contains("ap-future-9");
    }

    @Test
    void unknown_limits_and_limits_of_another_provider() {
        String yaml = minimalWith("    regions: [us-east-1, eu-west-1]\n", "    regions: [us-east-1, eu-west-1]\n"
                + "    limits:\n"
                + "      RunInstancez: { capacity: 5, refill_per_second: 2 }\n"
                + "      gce.reads: { limit: 100, window: 1m }\n");

        assertThat(problems(yaml)).containsExactly(
                "plan.yaml:9:21: targets[0].limits.RunInstancez — unknown limit of aws; did you mean"
                        + " 'RunInstances'? aws's limits: RunInstances",
                "plan.yaml:10:18: targets[0].limits[\"gce.reads\"] — a limit of gcp, not of aws; aws's limits:"
                        + " RunInstances");
    }

    @Test
    void vsphere_hosts_are_free_form_and_datastores_are_named_by_prefix() {
        String yaml = PlanFixture.replace(minimalWith("  - provider: gcp\n    account: kiln-images\n"
                + "    region: us-central1\n", "  - provider: vsphere\n    account: vc.example\n"
                + "    region: any-host-07\n"
                + "    limits: { vcenter.datastore.vsan: { max_cost: 64 }, vcenter.host: { max_cost: 4 } }\n"),
                "builder: amazon-ebs", "builder: vsphere-clone");

        BuildPlan plan = PlanFile.parse(yaml, fixture.planPath(), checked());

        assertThat(plan.targets()).extracting(Target::key).contains("vsphere/vc.example/any-host-07");
    }

    @Test
    void fleets_in_code_are_checked_too() {
        Fleet.Builder fleet = Fleet.builder("fleet").environments("dev")
                .target(Target.of("amazon", "123456789012", "us-east-1"))
                .target(Target.of("aws", "123456789012", "us-east-9"))
                .image(ImageSpec.builder("one", fixture.write("templates/one.json", PlanFixture.TEMPLATE), "null").build())
                .limitOverride("aws", "RunInstancez", LimitSpec.tokenBucket(5, 2));

        try {
            fleet.build(checked());
            throw new AssertionError("expected the fleet to be refused");
        } catch (PlanException e) {
            assertThat(e.problems()).extracting(Problem::describe).containsExactly(
                    "(plan built in code): targets[0].provider: 'amazon' — no provider has this id; did you mean"
                            + " 'aws'? providers: aws, gcp, vsphere. A provider of your own is found through"
                            + " ServiceLoader: its jar, with META-INF/services/dev.kiln.spi.ProviderFactory naming its"
                            + " factory, goes on kiln's class path",
                    "(plan built in code): targets[1].regions[0]: 'us-east-9' — not an aws region (the test's"
                            + " list); did you mean 'us-east-1'? A region newer than the list (or a private one) is"
                            + " declared under the target's custom_regions",
                    "(plan built in code): limitOverride(aws, RunInstancez) — unknown limit of aws; did you mean"
                            + " 'RunInstances'? aws's limits: RunInstances");
        }
    }

    @Test
    void without_catalogs_any_provider_and_region_of_the_right_shape_goes() {
        String yaml = PlanFixture.replace(minimalWith("provider: gcp", "provider: oracle"), "builder: amazon-ebs",
                "builder: \"null\"");

        BuildPlan plan = fixture.parse(yaml);

        assertThat(plan.targets()).extracting(Target::provider).contains("oracle");
    }
}
