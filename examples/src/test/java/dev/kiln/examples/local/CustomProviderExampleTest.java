package dev.kiln.examples.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.job.JobState;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanFile;
import dev.kiln.spi.ProviderFactory;
import dev.kiln.spi.ProviderSettings;
import dev.kiln.testkit.RequiredTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/plans/local.yaml, built for real by packer through the custom provider. */
class CustomProviderExampleTest {

    @TempDir
    Path work;

    @Test
    void a_tool_finds_the_provider_by_id_and_kiln_builds_verifies_and_names_its_images() throws Exception {
        // Given the provider as kiln's CLI would build it: by id, through ServiceLoader, from settings
        RequiredTools.packer();
        ProviderFactory factory = ServiceLoader.load(ProviderFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.id().equals("local")).findFirst().orElseThrow();
        Path root = work.resolve("images");
        LocalDirectoryProvider provider = (LocalDirectoryProvider) factory.create(new ProviderSettings("local",
                Map.of("root", root.toString())));

        try (ProcessPackerRunner packer = PackerRunners.process();
                Kiln kiln = Kiln.builder().provider(provider).packerRunner(packer)
                        .files(f -> f.withRunsDirectory(work.resolve("runs")))
                        .build()) {
            BuildPlan plan = PlanFile.load(examples().resolve("plans/local.yaml"), kiln.planContext());

            // When
            RunResult result = kiln.run(plan);

            // Then every image is a directory in its pool, made by its build and confirmed by the provider
            assertThat(result.jobs()).hasSize(4).allSatisfy(j -> assertThat(j.state())
                    .as("%s: %s", j.job().id(), j.message()).isEqualTo(JobState.SUCCEEDED));
            for (JobResult j : result.jobs()) {
                Path image = root.resolve(j.job().target().region()).resolve(j.job().imageName());
                assertThat(j.verified()).containsExactly(image.toString());
                assertThat(Files.readString(image.resolve(LocalDirectoryProvider.MARKER)).strip())
                        .isEqualTo(j.job().buildId());
            }
            assertThat(root.resolve("fast-ssd/.work")).isEmptyDirectory();
            assertThat(result.runDirectory().resolve("report.html")).exists();
        }
    }

    /** The examples module's directory, whether Maven runs from it or from the repository. */
    private static Path examples() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("plans")) ? here : here.resolve("examples");
    }
}
