package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.Target;
import dev.kiln.packer.PackerRunners;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.spi.CloudProvider;
import dev.kiln.testing.RequiresPacker;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 4: typed values reach packer 1.6.6 as it takes them: a typed JSON var-file for an HCL2
 * template (lists, maps, numbers, bools, from the plan and from a .pkrvars.hcl), text for a JSON
 * template (whose variables are strings: a number from a var file is written as it reads, 1.30 stays 1.30).
 */
@RequiresPacker
class TypedVariablesWithPackerTest {

    @TempDir
    Path runs;

    private static Path resource(String name) {
        try {
            return Path.of(TypedVariablesWithPackerTest.class.getResource("/packer/templates/typed/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private RunResult run(ImageSpec image) {
        BuildPlan plan = Fleet.builder("typed").environments("dev").image(image)
                .target(Target.of("aws", "123456789012", "us-east-1"))
                .build(new PlanContext(Instant.parse("2026-01-05T09:00:00Z"), "ty1", "abc", null, Map.of()));
        SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.system()).acceptNullBuilds().build();
        Kiln.Builder builder = Kiln.builder().packerRunner(PackerRunners.process())
                .files(f -> f.withRunsDirectory(runs));
        for (CloudProvider p : cloud.providers()) {
            builder.provider(p);
        }
        try (Kiln kiln = builder.build()) {
            return kiln.run(plan);
        }
    }

    private static String log(RunResult result) throws IOException {
        JobResult job = result.jobs().get(0);
        return Files.readString(result.runDirectory().resolve("jobs")
                .resolve(job.job().id().value().replace('/', '.')).resolve("attempt-1.log"));
    }

    @Test
    void lists_maps_numbers_and_bools_reach_an_hcl2_template() throws IOException {
        // Given a list from the plan, and a map, a number and a bool from a .pkrvars.hcl
        ImageSpec image = ImageSpec.builder("typed", resource("typed.pkr.hcl"), "null")
                .varFile(resource("common.pkrvars.hcl")).variable("subnets", List.of("subnet-a", "subnet-b"))
                .build();

        // When
        RunResult result = run(image);

        // Then packer read each as its type
        assertThat(result.jobs().get(0).state()).as("%s", result.jobs().get(0).message())
                .isEqualTo(dev.kiln.job.JobState.SUCCEEDED);
        assertThat(log(result)).contains("subnets=subnet-a+subnet-b team=platform disk=31 preemptible=true release=12");
    }

    @Test
    void a_json_template_gets_text() throws IOException {
        // Given a JSON var file with a number, a bool and a version
        ImageSpec image = ImageSpec.builder("typed", resource("typed.json"), "null")
                .varFile(resource("json-vars.json")).build();

        // When
        RunResult result = run(image);

        // Then
        assertThat(result.jobs().get(0).state()).as("%s", result.jobs().get(0).message())
                .isEqualTo(dev.kiln.job.JobState.SUCCEEDED);
        assertThat(log(result)).contains("disk=30 preemptible=true release=1.30");
    }
}
