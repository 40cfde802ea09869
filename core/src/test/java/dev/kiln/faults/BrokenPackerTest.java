package dev.kiln.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.spi.CloudProvider;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln with a broken packer: {@code broken-packer.sh}, a test double of packer (not packer), run in
 * its place through {@code PackerRunners.processBuilder().executable(...)}. It prints binary
 * garbage and lines that only look machine-readable, reports an artifact that does not exist,
 * crashes on a signal, or prints one endless line. Whatever it does, every job ends in a recorded
 * terminal state, the reports say what happened, and the runner keeps going.
 */
class BrokenPackerTest {

    private static final List<String> MODES = List.of("garbage-exit-0", "garbage-exit-1", "bogus-artifact", "panic",
            "huge-line");

    @TempDir
    Path work;

    private Path brokenPacker() throws IOException {
        Path script = work.resolve("broken-packer.sh");
        try (InputStream in = BrokenPackerTest.class.getResourceAsStream("/faults/broken-packer.sh")) {
            Files.write(script, in.readAllBytes());
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    /** A template of one null builder named box, telling the broken packer what to do. */
    private static String template(String mode) {
        return "{\"_comment\": {\"broken-packer\": \"" + mode + "\"}, \"builders\": [{\"type\": \"null\","
                + " \"name\": \"box\", \"communicator\": \"none\"}]}\n";
    }

    @Test
    void hostile_names_and_values_reach_packer_only_through_its_var_file() throws Exception {
        // Given a vSphere image (its name rule allows shell and markup characters) whose name and
        // variables try to break out into packer's arguments or a shell
        String hostile = "$(touch pwned)`touch pwned2`;touch pwned3&&-only=* -var-file=x '\"";
        Path template = Files.writeString(work.resolve("argv.json"), template("record-argv"));
        BuildPlan plan = Fleet.builder("hostile").environments("dev").retryPolicy(RetryPolicy.never())
                .target(Target.of("vsphere", "vcenter-lab", "esxi-01"))
                .image(ImageSpec.builder("web", template, "null").only("box").nameTemplate("web " + hostile + " {env}")
                        .variable("note", hostile).expectedDuration(Duration.ofSeconds(1)).build())
                .build(new PlanContext(Instant.parse("2026-02-01T10:00:00Z"), "hostile1", "abc", null, Map.of()));
        assertThat(plan.jobs().get(0).imageName()).contains(hostile);
        SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.system()).acceptNullBuilds().build();

        // When Kiln starts packer (a stand-in that records its arguments and var-file) for it
        RunResult result;
        try (ProcessPackerRunner runner = PackerRunners.processBuilder().executable(brokenPacker()).build()) {
            Kiln.Builder builder = Kiln.builder().packerRunner(runner)
                    .files(f -> f.withRunsDirectory(work.resolve("runs")))
                    .scheduling(s -> s.withBudgetSampleInterval(null));
            cloud.providers().forEach(builder::provider);
            try (Kiln kiln = builder.build()) {
                result = kiln.run(plan);
            }
        }

        // Then packer's arguments are exactly Kiln's own: the name and values are in the var-file only
        // (packer ran in the attempt's copy of the template's directory, src-1, next to its var-file)
        Path cwd;
        try (var found = Files.walk(result.runDirectory())) {
            cwd = found.filter(f -> f.getFileName().toString().equals("argv.txt")).findFirst().orElseThrow()
                    .getParent();
        }
        assertThat(cwd.getFileName()).hasToString("src-1");
        Path workspace = cwd.getParent();
        List<String> argv = Files.readAllLines(cwd.resolve("argv.txt"));
        assertThat(argv).hasSize(5);
        assertThat(argv.subList(0, 3)).containsExactly("build", "-machine-readable", "-only=box");
        assertThat(argv.get(3)).startsWith("-var-file=" + workspace.toAbsolutePath() + "/.kiln-vars-");
        assertThat(argv.get(4)).isEqualTo(cwd.resolve(template.getFileName().toString()).toAbsolutePath().toString());
        assertThat(argv).noneMatch(a -> a.contains("pwned"));
        String vars = Files.readString(cwd.resolve("var-file.json"));
        assertThat(new ObjectMapper().readTree(vars).path("note").asText())
                .isEqualTo(hostile);
        assertThat(vars).contains("pwned");
        // and nothing ran what they hold
        try (var all = Files.walk(work)) {
            assertThat(all.filter(f -> f.getFileName().toString().startsWith("pwned"))).isEmpty();
        }
        assertThat(result.jobs().get(0).state()).isEqualTo(JobState.FAILED);
    }

    @Test
    void every_build_of_a_broken_packer_ends_recorded_and_reported() throws Exception {
        // Given one image per way of being broken, no retries
        Fleet.Builder fleet = Fleet.builder("broken").environments("dev").retryPolicy(RetryPolicy.never())
                .target(Target.of("aws", "123456789012", "us-east-1"));
        for (String mode : MODES) {
            Path template = Files.writeString(work.resolve(mode + ".json"), template(mode));
            fleet.image(ImageSpec.builder(mode, template, "null").only("box").expectedDuration(Duration.ofSeconds(1))
                    .build());
        }
        BuildPlan plan = fleet.build(new PlanContext(Instant.parse("2026-02-01T10:00:00Z"), "broken1", "abc", null,
                Map.of()));
        SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.system()).acceptNullBuilds().build();

        // When Kiln runs them with the broken packer
        RunResult result;
        try (ProcessPackerRunner runner = PackerRunners.processBuilder().executable(brokenPacker()).build()) {
            Kiln.Builder builder = Kiln.builder().packerRunner(runner)
                    .files(f -> f.withRunsDirectory(work.resolve("runs")))
                    .scheduling(s -> s.withBudgetSampleInterval(null));
            for (CloudProvider p : cloud.providers()) {
                builder.provider(p);
            }
            try (Kiln kiln = builder.build()) {
                result = kiln.run(plan);
            }
        }

        // Then every job failed, for the reason the double gave it, and left nothing behind
        Map<String, JobResult> byImage = new LinkedHashMap<>();
        result.jobs().forEach(j -> byImage.put(j.job().image().name(), j));
        assertThat(byImage.values()).allSatisfy(j -> {
            assertThat(j.state()).as(j.job().id().value()).isEqualTo(JobState.FAILED);
            assertThat(cloud.resourcesOf(j.job().buildId())).isEmpty();
        });
        assertThat(byImage.get("garbage-exit-0").failure()).isEqualTo(FailureClass.ARTIFACT_UNVERIFIED);
        assertThat(byImage.get("garbage-exit-0").message()).contains("no image named");
        assertThat(byImage.get("bogus-artifact").failure()).isEqualTo(FailureClass.ARTIFACT_UNVERIFIED);
        assertThat(byImage.get("garbage-exit-1").message()).isEqualTo("broken-packer: garbage then exit 1");
        assertThat(byImage.get("panic").message()).isEqualTo("packer was killed by signal 11 (SIGSEGV)");
        assertThat(byImage.get("huge-line").message()).isEqualTo("packer exited with code 1");

        // and the journal, junit.xml and report.html tell each of them
        RunChecks run = new RunChecks(result.runDirectory());
        assertThat(run.assertEveryJobTerminal(MODES.size())).containsOnlyKeys(result.jobs().stream()
                .map(j -> j.job().id().value()).toList());
        Map<String, String> failures = run.junitFailures();
        for (JobResult j : result.jobs()) {
            assertThat(failures.get(j.job().id().value())).as(j.job().id().value())
                    .startsWith(j.failure().name() + ": ");
        }
        String html = run.html();
        assertThat(html).contains("ARTIFACT_UNVERIFIED", "killed by signal 11 (SIGSEGV)")
                .doesNotContain("<script>alert(1)</script>");

        // and the endless line was dropped, not kept
        Path log = result.runDirectory().resolve("jobs").resolve(byImage.get("huge-line").job().id().value()
                .replaceAll("[^A-Za-z0-9._-]", ".")).resolve("attempt-1.log");
        assertThat(Files.size(log)).isLessThan(100_000);
        assertThat(Files.readString(log)).contains("kiln: dropped a line of 8388608 characters from packer's output");
    }
}
