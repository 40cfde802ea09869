package dev.kiln.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.job.FailureClass;
import dev.kiln.limits.LimitSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanFileTest {

    @TempDir
    Path dir;

    PlanFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new PlanFixture(dir);
    }

    @Test
    void expandsImagesByMatchingTargetsRegionsAndEnvironmentsInPlanOrder() {
        // Given an amazon-ebs image, two AWS regions, one GCP region and two environments
        String yaml = PlanFixture.MINIMAL;

        // When the plan is read
        BuildPlan plan = fixture.parse(yaml);

        // Then the image builds on AWS only (implied by its builder), in every region and environment
        assertThat(plan.jobs()).extracting(j -> j.id().value()).containsExactly(
                "ubuntu-base/aws/123456789012/us-east-1/dev",
                "ubuntu-base/aws/123456789012/us-east-1/prod",
                "ubuntu-base/aws/123456789012/eu-west-1/dev",
                "ubuntu-base/aws/123456789012/eu-west-1/prod");
        assertThat(plan.jobs()).extracting(BuildJob::buildId)
                .containsExactly("k3x9a2b1-001", "k3x9a2b1-002", "k3x9a2b1-003", "k3x9a2b1-004");
        assertThat(plan.name()).isEqualTo("base-images");
        assertThat(plan.runId()).isEqualTo(PlanFixture.RUN_ID);
        assertThat(plan.createdAt()).isEqualTo(PlanFixture.NOW);
        assertThat(plan.source()).contains(fixture.planPath());
    }

    @Test
    void namesImagesWithTheDefaultTemplateWhenThePlanSaysNothing() {
        // Given a plan without naming
        // When it is read
        BuildPlan plan = fixture.parse(PlanFixture.MINIMAL);

        // Then names are {image}-{env}-{timestamp}-{build_id}, the timestamp in UTC
        assertThat(plan.jobs().get(0).imageName()).isEqualTo("ubuntu-base-dev-20240501123045-k3x9a2b1-001");
        assertThat(plan.jobs().get(3).imageName()).isEqualTo("ubuntu-base-prod-20240501123045-k3x9a2b1-004");
    }

    @Test
    void rendersEveryPlaceholder() {
        // Given an image named with every placeholder
        String yaml = PlanFixture.minimalWith("    builder: amazon-ebs\n", """
                    builder: amazon-ebs
                    naming: "{image}/{env}/{provider}/{account}/{region}/{git_sha}/{timestamp}/{build_id}"
                """);

        // When it is read
        BuildPlan plan = fixture.parse(yaml);

        // Then every placeholder has the job's value
        assertThat(plan.jobs().get(2).imageName())
                .isEqualTo("ubuntu-base/dev/aws/123456789012/eu-west-1/abc1234/20240501123045/k3x9a2b1-003");
    }

    @Test
    void normalizesGceNamesToLowercase() {
        // Given an image for every target, named in upper case with '_' and '.'
        String yaml = PlanFixture.minimalWith("    builder: amazon-ebs\n", """
                    builder: "null"
                    naming: "Img_{image}.{env}-{provider}-{build_id}"
                """);

        // When it is read
        BuildPlan plan = fixture.parse(yaml);

        // Then the AMI names are as rendered and the GCE names are made to fit GCE's rule
        assertThat(plan.jobs()).extracting(BuildJob::imageName).containsExactly(
                "Img_ubuntu-base.dev-aws-k3x9a2b1-001",
                "Img_ubuntu-base.prod-aws-k3x9a2b1-002",
                "Img_ubuntu-base.dev-aws-k3x9a2b1-003",
                "Img_ubuntu-base.prod-aws-k3x9a2b1-004",
                "img-ubuntu-base-dev-gcp-k3x9a2b1-005",
                "img-ubuntu-base-prod-gcp-k3x9a2b1-006");
    }

    @Test
    void readsEveryFieldOfAnImage() {
        // Given an image with every field set
        String yaml = PlanFixture.replace(PlanFixture.MINIMAL, "    builder: amazon-ebs\n", """
                    builder: amazon-ebs
                    only: amazon-ebs.ubuntu
                    instance: m5.2xlarge
                    variables_map: { instance: instance_type }
                    disk_gb: 30
                    providers: [aws]
                    environments: [prod]
                    priority: 10
                    timeout: 1h30m
                    expected: PT8M
                    naming: "{image}-{env}-{region}-{build_id}"
                    variables: { base: ubuntu-22.04, db_password: "${env:DB_PASSWORD}", port: 5432 }
                    sensitive: [db_password]
                """);

        // When it is read
        BuildPlan plan = fixture.parse(yaml);

        // Then the spec carries them, the template resolved against the plan's directory
        assertThat(plan.jobs()).hasSize(2);
        BuildJob job = plan.jobs().get(0);
        ImageSpec spec = job.image();
        assertThat(job.id().value()).isEqualTo("ubuntu-base/aws/123456789012/us-east-1/prod");
        assertThat(job.imageName()).isEqualTo("ubuntu-base-prod-us-east-1-k3x9a2b1-001");
        assertThat(spec.template()).isEqualTo(dir.resolve("templates/ubuntu.json"));
        assertThat(spec.builderType()).isEqualTo("amazon-ebs");
        assertThat(spec.only()).isEqualTo("amazon-ebs.ubuntu");
        assertThat(spec.instanceSize()).isEqualTo("m5.2xlarge");
        assertThat(spec.priority()).isEqualTo(10);
        assertThat(job.priority()).isEqualTo(10);
        assertThat(spec.timeout()).isEqualTo(Duration.ofMinutes(90));
        assertThat(spec.expectedDuration()).isEqualTo(Duration.ofMinutes(8));
        assertThat(spec.variables()).containsExactly(Map.entry("base", "ubuntu-22.04"),
                Map.entry("db_password", PlanFixture.DB_PASSWORD), Map.entry("port", "5432"));
        assertThat(spec.sensitive()).containsExactly("db_password");
        assertThat(spec.providers()).containsExactly("aws");
        assertThat(spec.location().line()).isEqualTo(12);
        // m5.2xlarge has 8 vCPUs
        assertThat(job.demand()).isEqualTo(Demand.of(8, 1, 30, 0).with(Demand.IMAGES, 1));
    }

    @Test
    void guessesVcpusFromWellKnownSizesAndFallsBackToTwo() {
        // Given images on well-known, unknown and no instance sizes, and one with vcpus set
        String yaml = """
                kiln: 1
                name: sizes
                environments: [dev]
                targets:
                  - { provider: aws, account: "123456789012", region: us-east-1 }
                images:
                  - { name: t3, template: templates/null.json, builder: "null", instance: t3.medium }
                  - { name: c5, template: templates/null.json, builder: "null", instance: c5.4xlarge }
                  - { name: azure, template: templates/null.json, builder: "null", instance: Standard_D4s_v3 }
                  - { name: gce, template: templates/null.json, builder: "null", instance: n2-standard-16 }
                  - { name: odd, template: templates/null.json, builder: "null", instance: x9.mega }
                  - { name: none, template: templates/null.json, builder: "null" }
                  - { name: set, template: templates/null.json, builder: "null", instance: t3.medium, vcpus: 6 }
                """;

        // When it is read
        BuildPlan plan = fixture.parse(yaml);

        // Then each job's demand holds the guessed vCPUs, one instance, the disk and one image
        assertThat(plan.jobs()).extracting(j -> j.demand().get(Demand.VCPUS)).containsExactly(2L, 16L, 4L, 16L,
                2L, 2L, 6L);
        assertThat(plan.jobs().get(0).demand().amounts()).containsExactly(Map.entry(Demand.DISK_GB, 8L),
                Map.entry(Demand.IMAGES, 1L), Map.entry(Demand.INSTANCES, 1L), Map.entry(Demand.VCPUS, 2L));
    }

    @Test
    void readsPinsRetryAndPerTargetLimits() {
        // Given packer pins, a retry policy and limits on two target entries
        String yaml = """
                kiln: 1
                name: limited
                packer:
                  version: ">= 1.6.0, < 2.0.0"
                  plugins:
                    amazon: { version: "1.2.8", sha256: "%s" }
                    azure: "2.0.1"
                environments: [dev]
                retry:
                  attempts: 4
                  provisioner_attempts: 1
                  backoff: { initial: 5s, max: 2m, multiplier: 3 }
                targets:
                  - provider: aws
                    account: "123456789012"
                    regions: [us-east-1, eu-west-1]
                    limits:
                      RunInstances: { capacity: 5, refill_per_second: 2 }
                  - provider: gcp
                    account: kiln-images
                    region: us-central1
                    limits:
                      gce.reads: { limit: 1000, window: 1m }
                  - provider: vsphere
                    account: vcenter.lab.example
                    region: cluster-a
                    options: { datastore: ds-1, folder: "${env:API_TOKEN}" }
                    limits:
                      vcenter.host: { max_cost: 8 }
                images:
                  - { name: base, template: templates/null.json, builder: "null" }
                """.formatted("ab".repeat(32));

        // When it is read
        BuildPlan plan = fixture.parse(yaml);

        // Then pins are kept as written
        assertThat(plan.pins().version()).isEqualTo(">= 1.6.0, < 2.0.0");
        assertThat(plan.pins().plugins()).containsOnly(
                Map.entry("amazon", new PackerPins.PluginPin("amazon", "1.2.8", "ab".repeat(32))),
                Map.entry("azure", new PackerPins.PluginPin("azure", "2.0.1", null)));
        // and attempts apply to every retryable class but provisioner failures
        assertThat(plan.retryPolicy().attemptsFor(FailureClass.THROTTLED)).isEqualTo(4);
        assertThat(plan.retryPolicy().attemptsFor(FailureClass.TIMED_OUT)).isEqualTo(4);
        assertThat(plan.retryPolicy().attemptsFor(FailureClass.PROVISIONER_FAILED)).isEqualTo(1);
        assertThat(plan.retryPolicy().attemptsFor(FailureClass.AUTH)).isEqualTo(1);
        assertThat(plan.retryPolicy().initialBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(plan.retryPolicy().maxBackoff()).isEqualTo(Duration.ofMinutes(2));
        assertThat(plan.retryPolicy().multiplier()).isEqualTo(3.0);
        // and each target entry's limits apply to each of its regions
        assertThat(plan.limitOverrides()).containsOnlyKeys("aws/123456789012/us-east-1",
                "aws/123456789012/eu-west-1", "gcp/kiln-images/us-central1", "vsphere/vcenter.lab.example/cluster-a");
        assertThat(plan.limitOverridesFor(Target.of("aws", "123456789012", "eu-west-1")))
                .containsExactly(Map.entry("RunInstances", LimitSpec.tokenBucket(5, 2)));
        assertThat(plan.limitOverridesFor(Target.of("gcp", "kiln-images", "us-central1")))
                .containsExactly(Map.entry("gce.reads", LimitSpec.fixedWindow(1000, Duration.ofMinutes(1))));
        assertThat(plan.limitOverrides().get("vsphere/vcenter.lab.example/cluster-a"))
                .containsExactly(Map.entry("vcenter.host", LimitSpec.concurrency(8)));
        // and options reach the target, ${env:...} resolved
        assertThat(plan.targets()).hasSize(4);
        assertThat(plan.targets().get(3).options()).containsOnly(Map.entry("datastore", "ds-1"),
                Map.entry("folder", "token-0123456789"));
    }

    @Test
    void wiresDependenciesToTheSameRegionOrElseTheWholeAccount() {
        // Given 'app' depending on 'base' (all regions) and on 'golden' (built in us-east-1 only)
        String yaml = """
                kiln: 1
                name: deps
                environments: [dev, prod]
                targets:
                  - { provider: aws, account: "123456789012", regions: [us-east-1, eu-west-1] }
                  - { provider: aws, account: "210987654321", regions: [us-east-1] }
                images:
                  - { name: app, template: templates/null.json, builder: "null", depends_on: [base, golden],
                      environments: [prod] }
                  - { name: base, template: templates/null.json, builder: "null" }
                  - { name: golden, template: templates/null.json, builder: "null", providers: [aws] }
                """;
        // (golden builds everywhere too; restrict it to one region through a second plan below)

        // When it is read
        BuildPlan plan = fixture.parse(yaml);

        // Then each app job waits for the same-region job of each dependency, same account and environment
        BuildJob app = plan.job(new JobId("app/aws/123456789012/eu-west-1/prod")).orElseThrow();
        assertThat(app.dependsOn()).containsExactlyInAnyOrder(
                new JobId("base/aws/123456789012/eu-west-1/prod"),
                new JobId("golden/aws/123456789012/eu-west-1/prod"));
        assertThat(plan.jobs()).hasSize(3 + 6 + 6);
    }

    @Test
    void dependsOnEveryRegionOfTheAccountWhenTheDependencyIsNotInTheSameRegion() {
        // Given 'app' in two regions depending on 'golden', built in one region of its own target entry
        String yaml = """
                kiln: 1
                name: deps
                environments: [prod]
                targets:
                  - { provider: aws, account: "123456789012", regions: [us-east-1, eu-west-1] }
                  - { provider: vsphere, account: vc.example, regions: [cluster-a, cluster-b] }
                images:
                  - { name: app, template: templates/null.json, builder: "null", providers: [aws],
                      depends_on: [golden] }
                  - { name: golden, template: templates/null.json, builder: amazon-ebs }
                  - { name: vm, template: templates/null.json, builder: vsphere-iso, depends_on: [tpl] }
                  - { name: tpl, template: templates/null.json, builder: vsphere-clone }
                """.replace("builder: amazon-ebs }", "builder: amazon-ebs, providers: [aws] }");

        // When it is read
        BuildPlan plan = fixture.parse(yaml);

        // Then app waits in each region for golden in that region
        assertThat(plan.job(new JobId("app/aws/123456789012/us-east-1/prod")).orElseThrow().dependsOn())
                .containsExactly(new JobId("golden/aws/123456789012/us-east-1/prod"));
        assertThat(plan.job(new JobId("vm/vsphere/vc.example/cluster-b/prod")).orElseThrow().dependsOn())
                .containsExactly(new JobId("tpl/vsphere/vc.example/cluster-b/prod"));
    }

    @Test
    void acceptsJsonFiles() {
        // Given the minimal plan written as JSON, in a .json file
        Path file = fixture.write("plan.json", """
                {
                  "kiln": 1,
                  "name": "base-images",
                  "environments": ["dev", "prod"],
                  "targets": [
                    {"provider": "aws", "account": "123456789012", "regions": ["us-east-1", "eu-west-1"]},
                    {"provider": "gcp", "account": "kiln-images", "region": "us-central1"}
                  ],
                  "images": [
                  \t{"name": "ubuntu-base", "template": "templates/ubuntu.json", "builder": "amazon-ebs"}
                  ]
                }
                """);

        // When it is loaded
        BuildPlan fromJson = PlanFile.load(file, PlanFixture.context());

        // Then it expands exactly as the YAML does
        BuildPlan fromYaml = fixture.parse(PlanFixture.MINIMAL);
        assertThat(fromJson.jobs()).isEqualTo(fromYaml.jobs().stream()
                .map(j -> new BuildJob(j.id(), withLocation(j.image(), fromJson.jobs().get(0).image().location()),
                        j.target(), j.environment(), j.imageName(), j.buildId(), j.dependsOn(), j.demand(),
                        j.connection()))
                .toList());
    }

    @Test
    void acceptsJsonWrittenInAYamlFile() {
        // Given JSON in a .yaml file (JSON is YAML)
        String json = "{\"kiln\": 1, \"name\": \"j\", \"environments\": [\"dev\"], \"targets\": [{\"provider\": \"aws\","
                + " \"account\": \"123456789012\", \"region\": \"us-east-1\"}], \"images\": [{\"name\": \"a\","
                + " \"template\": \"templates/ubuntu.json\", \"builder\": \"amazon-ebs\"}]}";

        // When it is read
        BuildPlan plan = fixture.parse(json);

        // Then it expands
        assertThat(plan.jobs()).extracting(j -> j.id().value()).containsExactly("a/aws/123456789012/us-east-1/dev");
    }

    @Test
    void acceptsTheNullBuilderUnquoted() {
        // Given `builder: null`, which YAML reads as its null literal
        String yaml = PlanFixture.minimalWith("builder: amazon-ebs", "builder: null");

        // When it is read
        BuildPlan plan = fixture.parse(yaml);

        // Then it is packer's null builder, built on every target
        assertThat(plan.jobs()).hasSize(6);
        assertThat(plan.jobs().get(0).image().builderType()).isEqualTo("null");
    }

    @Test
    void loadsAPlanFromDisk() {
        // Given the minimal plan on disk
        Path file = fixture.write("plan.yaml", PlanFixture.MINIMAL);

        // When it is loaded
        BuildPlan plan = PlanFile.load(file, PlanFixture.context());

        // Then it expands as parsed text does
        assertThat(plan.jobs()).extracting(BuildJob::imageName)
                .isEqualTo(fixture.parse(PlanFixture.MINIMAL).jobs().stream().map(BuildJob::imageName).toList());
    }

    @Test
    void keepsTheOrderStableAcrossReads() {
        // Given the same plan read twice
        List<JobId> first = fixture.parse(PlanFixture.MINIMAL).jobs().stream().map(BuildJob::id).toList();
        List<JobId> second = fixture.parse(PlanFixture.MINIMAL).jobs().stream().map(BuildJob::id).toList();

        // Then the jobs come in the same order
        assertThat(second).isEqualTo(first);
    }

    private static ImageSpec withLocation(ImageSpec s, SourceLocation location) {
        return new ImageSpec(s.name(), s.template(), s.builderType(), s.only(), s.instanceSize(), s.variables(),
                s.sensitive(), s.nameTemplate(), s.providers(), s.priority(), s.timeout(), s.expectedDuration(),
                s.dependsOn(), s.diskGb(), s.vcpus(), s.varFiles(), s.variablesMap(), s.setFields(), s.workingDirectory(),
                location);
    }
}
