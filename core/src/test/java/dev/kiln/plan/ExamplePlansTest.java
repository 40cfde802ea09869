package dev.kiln.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every plan under examples/plans expands without a problem: the examples are what users copy. */
class ExamplePlansTest {

    static Path examples() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path plans = dir.resolve("examples/plans");
            if (Files.isDirectory(plans)) {
                return plans;
            }
        }
        throw new IllegalStateException("no examples/plans above " + Path.of("").toAbsolutePath());
    }

    static List<Path> plans() throws IOException {
        try (Stream<Path> files = Files.list(examples())) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".json")).sorted()
                    .toList();
        }
    }

    @Test
    void thereAreYamlAndJsonExamples() throws IOException {
        assertThat(plans()).extracting(p -> p.getFileName().toString())
                .contains("null-fleet.yaml", "aws-base.yaml", "clouds.json");
    }

    @ParameterizedTest
    @MethodSource("plans")
    void expandsWithoutProblems(Path plan) {
        // Given an example plan and the environment its comments ask for
        PlanContext ctx = PlanFixture.context();

        // When it is loaded
        BuildPlan expanded = PlanFile.load(plan, ctx);

        // Then it has jobs
        assertThat(expanded.jobs()).isNotEmpty();
    }

    @Test
    void theDemoFleetHasFortyNineJobsOnFourProvidersAndNeedsNoEnvironment() {
        // Given the demo fleet, read without any environment variable
        BuildPlan plan = PlanFile.load(examples().resolve("null-fleet.yaml"), PlanFixture.context().withEnv(Map.of()));

        // Then 4 images x 7 targets x 2 environments, minus the prod-only image's 7 dev builds
        assertThat(plan.jobs()).hasSize(49);
        assertThat(plan.targets()).extracting(Target::provider).containsOnly("aws", "gcp", "azure", "vsphere");
        assertThat(plan.job(new JobId("hardened/gcp/kiln-demo-project/us-central1/prod")).orElseThrow().dependsOn())
                .containsExactly(new JobId("base/gcp/kiln-demo-project/us-central1/prod"));
        assertThat(plan.jobs()).filteredOn(j -> j.image().name().equals("app"))
                .allSatisfy(j -> assertThat(j.image().only()).isEqualTo("null.app"));
    }
}
