package dev.kiln.packer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.KilnException;
import dev.kiln.job.FailureClass;
import dev.kiln.plan.BuildPlan;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.Refusal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the runner does where there is no packer at all. */
class ProcessPackerRunnerWithoutPackerTest {

    @TempDir
    Path dir;

    @Test
    void refusesInPreflightAndEndsBuildsThatCannotStart() throws IOException {
        // Given a runner pointed at a packer that is not there
        Path missing = dir.resolve("no/such/packer");
        try (ProcessPackerRunner runner = PackerRunners.processBuilder().executable(missing).build()) {
            BuildPlan plan = BuildPlan.builder("p").runId("t1")
                    .job(Builds.job("a", "provisioner-fails.json", "box", Map.of(), Set.of())).build();

            // When preflight runs, and a build starts anyway
            assertThat(runner.preflight(plan, dir)).singleElement().satisfies(r -> {
                assertThat(r.kind()).isEqualTo(Refusal.Kind.PACKER_VERSION);
                assertThat(r.message()).contains("packer not found").contains(missing.toString());
            });
            Builds.Recorder recorder = new Builds.Recorder();
            Path workspace = dir.resolve("ws");
            runner.start(Builds.request(plan.jobs().get(0), workspace, Map.of(), Duration.ofHours(1)), recorder);

            // Then the build ends once, saying why, and the runner says it has no packer
            assertThat(recorder.exit).succeedsWithin(Duration.ofMinutes(1));
            BuildExit exit = recorder.exit.join();
            assertThat(exit.exitCode()).isEqualTo(127);
            assertThat(exit.errors()).singleElement().asString().contains("packer not found");
            assertThat(FailureClassifier.standard().classify(exit, List.of()).failure())
                    .isEqualTo(FailureClass.UNKNOWN);
            assertThat(Files.readString(workspace.resolveSibling("ws.log"))).contains("could not start packer");
            assertThat(runner.describe()).isEqualTo("packer (not found)");
            assertThatThrownBy(runner::version).isInstanceOf(KilnException.class).hasMessageContaining("packer not found");
            assertThat(recorder.exits).hasValue(1);
        }
    }

    @Test
    void refusesToStartOnceClosed() {
        ProcessPackerRunner runner = PackerRunners.processBuilder().executable(dir.resolve("packer")).build();
        runner.close();
        assertThatThrownBy(() -> runner.start(Builds.request(Builds.job("a", "provisioner-fails.json", "box", Map.of(),
                Set.of()), dir.resolve("ws"), Map.of(), Duration.ofHours(1)), new Builds.Recorder()))
                .isInstanceOf(KilnException.class).hasMessageContaining("closed");
    }
}
