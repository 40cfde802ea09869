package dev.kiln.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.kiln.job.RetryPolicy;
import dev.kiln.limits.LimitSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetTest {

    @TempDir
    Path dir;

    PlanFixture fixture;
    Path ubuntu;

    @BeforeEach
    void setUp() {
        fixture = new PlanFixture(dir);
        ubuntu = dir.resolve("templates/ubuntu.json");
    }

    /** {@link PlanFixture#MINIMAL}, in code. */
    private Fleet.Builder minimal() {
        return Fleet.builder("base-images")
                .environments("dev", "prod")
                .target(Target.of("aws", "123456789012", "us-east-1"))
                .target(Target.of("aws", "123456789012", "eu-west-1"))
                .target(Target.of("gcp", "kiln-images", "us-central1"))
                .image(ImageSpec.builder("ubuntu-base", ubuntu, "amazon-ebs").build());
    }

    /** The problems without their locations, which differ between file and code by nature. */
    private static List<String> withoutLocations(PlanException e) {
        return e.problems().stream().map(p -> p.field() + (p.value() == null ? "" : ": '" + p.value() + "'")
                + " — " + p.allowed()).toList();
    }

    @Test
    void expandsLikeTheSamePlanWrittenAsAFile() {
        // Given the minimal plan in code and as a file
        BuildPlan inCode = minimal().build(PlanFixture.context());
        BuildPlan fromFile = fixture.parse(PlanFixture.MINIMAL);

        // Then the jobs are the same: ids, order, names, build ids, demand
        assertThat(inCode.jobs()).extracting(BuildJob::id)
                .containsExactlyElementsOf(fromFile.jobs().stream().map(BuildJob::id).toList());
        assertThat(inCode.jobs()).extracting(BuildJob::imageName)
                .containsExactlyElementsOf(fromFile.jobs().stream().map(BuildJob::imageName).toList());
        assertThat(inCode.jobs()).extracting(BuildJob::buildId)
                .containsExactlyElementsOf(fromFile.jobs().stream().map(BuildJob::buildId).toList());
        assertThat(inCode.jobs()).extracting(BuildJob::demand)
                .containsExactlyElementsOf(fromFile.jobs().stream().map(BuildJob::demand).toList());
        assertThat(inCode.source()).isEmpty();
        assertThat(inCode.createdAt()).isEqualTo(PlanFixture.NOW);
    }

    @Test
    void isRefusedForTheSameReasonsInTheSameWords() {
        // Given a GCE image with a name too long, in code and in a file
        String naming = "{image}-{env}-{region}-{account}-{timestamp}-{build_id}";
        Fleet.Builder fleet = minimal().image(ImageSpec.builder("gce-image", ubuntu, "googlecompute")
                .nameTemplate(naming).build());
        String yaml = PlanFixture.MINIMAL + "  - { name: gce-image, template: templates/ubuntu.json,"
                + " builder: googlecompute, naming: \"" + naming + "\" }\n";

        // When both are expanded
        PlanException inCode = assertThatExceptionOfType(PlanException.class)
                .isThrownBy(() -> fleet.build(PlanFixture.context())).actual();
        PlanException fromFile = fixture.refuse(yaml);

        // Then the problems are the same but for where they were written
        assertThat(withoutLocations(inCode)).isEqualTo(withoutLocations(fromFile)).containsExactly(
                "images[1].naming: 'gce-image-dev-us-central1-kiln-images-20240501123045-k3x9a2b1-005' — the image"
                        + " name of job gce-image/gcp/kiln-images/us-central1/dev is not a valid gcp image name: a"
                        + " lowercase RFC 1035 name: a letter, then up to 62 lowercase letters, digits or '-', not"
                        + " ending in '-' (got 65 characters); 1 more job of this image on gcp too");
        assertThat(inCode.getMessage()).startsWith("invalid plan: (plan built in code): images[1].naming:");
    }

    @Test
    void namesWhatIsMissing() {
        // Given a fleet with nothing in it
        Fleet.Builder empty = Fleet.builder("Empty Fleet");

        // Then every missing part is named
        assertThatExceptionOfType(PlanException.class).isThrownBy(() -> empty.build(PlanFixture.context()))
                .withMessage("""
                        invalid plan (4 problems):
                          (plan built in code): name: 'Empty Fleet' — a plan name: a lowercase letter or digit, then\
                         up to 62 lowercase letters, digits or '-'
                          (plan built in code): environments — required: at least one environment, e.g.\
                         environments: [dev, prod]
                          (plan built in code): targets — required: at least one target, e.g. - { provider: aws,\
                         account: "123456789012", region: us-east-1 }
                          (plan built in code): images — required: at least one image, e.g. - { name: ubuntu-base,\
                         template: templates/ubuntu.pkr.json, builder: amazon-ebs }""");
    }

    @Test
    void checksTemplatesAndPlaceholders() {
        // Given a template that does not exist and a fleet name template with a typo
        Fleet.Builder fleet = minimal().naming("{image}-{enviroment}")
                .image(ImageSpec.builder("other", dir.resolve("nope.json"), "amazon-ebs").build());

        // Then both are problems, not exceptions of another kind
        assertThatExceptionOfType(PlanException.class).isThrownBy(() -> fleet.build(PlanFixture.context()))
                .satisfies(e -> assertThat(withoutLocations(e)).containsExactly(
                        "naming: '{image}-{enviroment}' — unknown placeholder {enviroment}; allowed: {image}, {env},"
                                + " {provider}, {account}, {region}, {git_sha}, {timestamp}, {build_id}; did you mean"
                                + " {env}?",
                        "images[1].template: '" + dir.resolve("nope.json") + "' — no such file: "
                                + dir.resolve("nope.json")));
    }

    @Test
    void buildsImagesInTheirOwnEnvironmentsWithTheirOwnNames() {
        // Given a fleet-wide name template, and an image for prod only with a name template of its own
        BuildPlan plan = minimal()
                .naming("{image}-{env}-{region}-{build_id}")
                .image(ImageSpec.builder("hardened", ubuntu, "null").nameTemplate("h-{region}-{env}").build(), "prod")
                .build(PlanFixture.context());

        // Then
        assertThat(plan.jobs()).extracting(BuildJob::imageName).containsExactly(
                "ubuntu-base-dev-us-east-1-k3x9a2b1-001",
                "ubuntu-base-prod-us-east-1-k3x9a2b1-002",
                "ubuntu-base-dev-eu-west-1-k3x9a2b1-003",
                "ubuntu-base-prod-eu-west-1-k3x9a2b1-004",
                "h-us-east-1-prod",
                "h-eu-west-1-prod",
                "h-us-central1-prod");
    }

    @Test
    void carriesPinsRetryPolicyAndLimitOverrides() {
        // Given
        PackerPins pins = new PackerPins(">= 1.6.0", Map.of("amazon",
                new PackerPins.PluginPin("amazon", "1.2.8", null)));
        BuildPlan plan = minimal()
                .pins(pins)
                .retryPolicy(RetryPolicy.never())
                .limitOverride("aws", "RunInstances", LimitSpec.tokenBucket(2, 1))
                .limitOverride("aws/123456789012/us-east-1", "RunInstances", LimitSpec.tokenBucket(1, 0.5))
                .build(PlanFixture.context());

        // Then
        assertThat(plan.pins()).isEqualTo(pins);
        assertThat(plan.retryPolicy()).isEqualTo(RetryPolicy.never());
        assertThat(plan.limitOverridesFor(Target.of("aws", "123456789012", "us-east-1")))
                .containsExactly(Map.entry("RunInstances", LimitSpec.tokenBucket(1, 0.5)));
        assertThat(plan.limitOverridesFor(Target.of("aws", "123456789012", "eu-west-1")))
                .containsExactly(Map.entry("RunInstances", LimitSpec.tokenBucket(2, 1)));
    }

    @Test
    void masksSecretsOfImagesBuiltInCode() {
        // Given a secret variable and the same value pasted into a name template by mistake
        Fleet.Builder fleet = minimal().image(ImageSpec.builder("app", ubuntu, "amazon-ebs")
                .sensitiveVariable("db_password", PlanFixture.DB_PASSWORD)
                .nameTemplate(PlanFixture.DB_PASSWORD)
                .build());

        // Then the collisions it causes are reported without the value
        assertThatExceptionOfType(PlanException.class).isThrownBy(() -> fleet.build(PlanFixture.context()))
                .satisfies(e -> assertThat(e.getMessage()).contains("images[1].naming: '****'")
                        .doesNotContain(PlanFixture.DB_PASSWORD));
    }
}
