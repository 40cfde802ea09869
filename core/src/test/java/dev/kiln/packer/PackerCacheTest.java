package dev.kiln.packer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.spi.Refusal;
import dev.kiln.testing.RequiresPacker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What packer said, remembered under the runs directory until its inputs change (issue 20, item 4):
 * a template that passed {@code packer validate} with the same inputs is not validated again, in the
 * same run or a later one, one whose inputs changed is; packer is asked its version once per binary.
 * Real packer, behind a script that counts what it is asked.
 */
@RequiresPacker
class PackerCacheTest {

    @TempDir
    Path dir;

    private Path counted;
    private Path packer;
    private ProcessPackerRunner runner;

    @BeforeEach
    void countingPacker() throws IOException {
        Path real;
        try (ProcessPackerRunner found = PackerRunners.process()) {
            real = found.executable();
        }
        counted = dir.resolve("validations.txt");
        packer = dir.resolve("bin/packer");
        Files.createDirectories(packer.getParent());
        Files.writeString(packer, "#!/bin/sh\necho \"$1\" >> '" + counted + "'\nexec '" + real + "' \"$@\"\n");
        packer.toFile().setExecutable(true);
        runner = PackerRunners.processBuilder().executable(packer).build();
    }

    @AfterEach
    void close() {
        runner.close();
    }

    @Test
    void anUnchangedTemplateIsValidatedOnceForAllItsRegionsAndNotAgainInTheNextRun() throws IOException {
        // Given a template built in three regions, which differ only in values the template does not declare
        Path template = template("hello");

        // When two runs preflight it
        List<Refusal> first = runner.preflight(plan("t1", template, Map.of()), dir.resolve("runs/t1"));
        List<Refusal> second = runner.preflight(plan("t2", template, Map.of()), dir.resolve("runs/t2"));

        // Then packer validated it once, in the first run
        assertThat(first).isEmpty();
        assertThat(second).isEmpty();
        assertThat(validations()).isEqualTo(1);
    }

    @Test
    void aPluginPutNextToPackerBetweenRunsHasTheTemplateValidatedAgain() throws IOException {
        // Given a template that passed, and a plugin installed beside packer afterwards, as packer looks there
        Path template = template("hello");
        List<Refusal> first = runner.preflight(plan("t1", template, Map.of()), dir.resolve("runs/t1"));
        Path plugin = Files.writeString(packer.resolveSibling("packer-plugin-extra"), "#!/bin/sh\n");
        plugin.toFile().setExecutable(true);

        // When the next run preflights it
        List<Refusal> second = runner.preflight(plan("t2", template, Map.of()), dir.resolve("runs/t2"));

        // Then packer is asked again: a plugin can change what the template means
        assertThat(first).isEmpty();
        assertThat(second).isEmpty();
        assertThat(validations()).isEqualTo(2);
    }

    @Test
    void aTemplateThatChangedAfterItPassedIsValidatedAgainAndRefused() throws IOException {
        // Given a template that passed
        Path template = template("hello");
        assertThat(runner.preflight(plan("t1", template, Map.of()), dir.resolve("runs/t1"))).isEmpty();

        // When it is changed so that packer refuses it, and preflight runs again
        Files.writeString(template, Files.readString(template).replace("\"content\"", "\"no_such_field\""));
        List<Refusal> refusals = runner.preflight(plan("t2", template, Map.of()), dir.resolve("runs/t2"));

        // Then it was validated again, and each of its three builds refused in packer's words
        assertThat(validations()).isEqualTo(1 + 3);
        assertThat(refusals).hasSize(3).allSatisfy(r -> {
            assertThat(r.kind()).isEqualTo(Refusal.Kind.TEMPLATE_INVALID);
            assertThat(r.message()).contains("no_such_field");
        });
    }

    @Test
    void aFileOfTheTemplatesDirectoryThatWentMissingIsFoundMissing() throws IOException {
        // Given a template that passed with its script beside it
        Path template = template("hello");
        assertThat(runner.preflight(plan("t1", template, Map.of()), dir.resolve("runs/t1"))).isEmpty();

        // When the script is deleted, the template itself unchanged
        Files.delete(template.resolveSibling("scripts/hello.sh"));
        List<Refusal> refusals = runner.preflight(plan("t2", template, Map.of()), dir.resolve("runs/t2"));

        // Then packer is asked again, and finds it missing
        assertThat(refusals).hasSize(3).allSatisfy(r -> assertThat(r.message()).contains("scripts/hello.sh"));
    }

    @Test
    void aTemplateNamedAndTaggedWithKilnsValuesIsNotValidatedAgainByEachRunButIsForNamesOfAnotherShape()
            throws IOException {
        // Given a template whose file and content use the image name and build id each run makes anew
        Path template = template("hello");
        Files.writeString(template, Files.readString(template)
                .replace("\"variables\": {", "\"variables\": { \"kiln_image_name\": \"\", \"kiln_build_id\": \"\",")
                .replace("\"target\": \"artifact.txt\"", "\"target\": \"{{user `kiln_image_name`}}.txt\"")
                .replace("{{user `greeting`}}", "{{user `greeting`}} {{user `kiln_build_id`}}"));

        // When two runs with random ids of one length preflight it, digits in other places, then a
        // run whose id is longer
        List<Refusal> first = runner.preflight(plan("k3x9ab2c", template, Map.of()), dir.resolve("runs/k3x9ab2c"));
        List<Refusal> second = runner.preflight(plan("kq7zumm4", template, Map.of()), dir.resolve("runs/kq7zumm4"));
        long afterTwo = validations();
        runner.preflight(plan("k3x9ab2c-42", template, Map.of()), dir.resolve("runs/k3x9ab2c-42"));

        // Then the second run's names passed as the first's did; the third's, longer, were validated
        assertThat(first).isEmpty();
        assertThat(second).isEmpty();
        assertThat(afterTwo).isEqualTo(1);
        assertThat(validations()).isEqualTo(2);
    }

    @Test
    void aNewValueOfADeclaredVariableIsValidatedAgain() throws IOException {
        // Given a template that passed with one value of a variable it declares
        Path template = template("hello");
        assertThat(runner.preflight(plan("t1", template, Map.of("greeting", "hi")), dir.resolve("runs/t1")))
                .isEmpty();

        // When a run gives it another value, then the first again
        runner.preflight(plan("t2", template, Map.of("greeting", "hello")), dir.resolve("runs/t2"));
        runner.preflight(plan("t3", template, Map.of("greeting", "hi")), dir.resolve("runs/t3"));

        // Then the new value was validated, the known one not
        assertThat(validations()).isEqualTo(2);
    }

    @Test
    void theCacheHoldsNoValueOnlyHashes() throws IOException {
        // Given a template validated with a secret
        Path template = template("hello");
        runner.preflight(plan("t1", template, Map.of("greeting", "hunter2-secret")), dir.resolve("runs/t1"));

        // Then the runs directory's cache, a file beside the runs, holds a hash for the pass and packer's version
        assertThat(Files.readAllLines(dir.resolve("runs/.kiln-cache"))).hasSize(2).allSatisfy(line -> assertThat(line)
                .doesNotContain("hunter2").matches("validated [0-9a-f]{64}|packer [0-9a-f]{64} \\d+\\.\\d+\\.\\d+"));
        try (Stream<Path> runs = Files.list(dir.resolve("runs"))) {
            assertThat(runs.filter(Files::isDirectory).map(d -> d.getFileName().toString())).containsExactly("t1");
        }
    }

    @Test
    void aRunnerGivenACacheDirectoryKeepsItsPassesThereWhateverScratchRunsDirectoryEachRunHas() throws IOException {
        // Given a template, and runners (as of two kiln plan processes) that keep their cache in one directory
        Path template = template("hello");
        Path cache = dir.resolve("kept");
        List<Refusal> first;
        List<Refusal> second;

        // When each preflights it in a scratch runs directory of its own
        try (ProcessPackerRunner plan1 = PackerRunners.processBuilder().executable(packer).cacheDirectory(cache).build()) {
            first = plan1.preflight(plan("p1", template, Map.of()), dir.resolve("scratch1/p1"));
        }
        try (ProcessPackerRunner plan2 = PackerRunners.processBuilder().executable(packer).cacheDirectory(cache).build()) {
            second = plan2.preflight(plan("p2", template, Map.of()), dir.resolve("scratch2/p2"));
        }

        // Then packer validated it once and was asked its version once; the cache is in the given directory only
        assertThat(first).isEmpty();
        assertThat(second).isEmpty();
        assertThat(validations()).isEqualTo(1);
        assertThat(asked("version")).isEqualTo(1);
        assertThat(cache.resolve(".kiln-cache")).exists();
        assertThat(dir.resolve("scratch1/.kiln-cache")).doesNotExist();
    }

    @Test
    void packerIsAskedItsVersionOncePerBinaryAndAgainWhenTheBinaryChanges() throws IOException {
        // Given a runs directory where one runner described packer
        Path runs = dir.resolve("runs");
        String first = runner.describe(runs.resolve("t1"));

        // When another runner (as in the next kiln process) describes it, then the binary is replaced
        String second;
        try (ProcessPackerRunner next = PackerRunners.processBuilder().executable(packer).build()) {
            second = next.describe(runs.resolve("t2"));
        }
        Files.writeString(packer, Files.readString(packer) + "# upgraded\n");
        String third;
        try (ProcessPackerRunner upgraded = PackerRunners.processBuilder().executable(packer).build()) {
            third = upgraded.describe(runs.resolve("t3"));
        }

        // Then packer was asked twice: once at first, once after it changed
        assertThat(first).isEqualTo(second).isEqualTo(third).startsWith("packer 1.");
        assertThat(asked("version")).isEqualTo(2);
    }

    private long validations() throws IOException {
        return asked("validate");
    }

    private long asked(String command) throws IOException {
        return Files.exists(counted) ? Files.readAllLines(counted).stream().filter(command::equals).count() : 0;
    }

    private Path template(String greeting) throws IOException {
        Path src = Files.createDirectories(dir.resolve("team/packer"));
        Files.createDirectories(src.resolve("scripts"));
        Files.writeString(src.resolve("build.json"), """
                {
                  "variables": { "greeting": "%s" },
                  "builders": [ { "type": "file", "name": "f", "target": "artifact.txt",
                                  "content": "{{user `greeting`}}" } ],
                  "provisioners": [ { "type": "shell-local", "script": "scripts/hello.sh" } ]
                }
                """.formatted(greeting));
        Path script = src.resolve("scripts/hello.sh");
        Files.writeString(script, "#!/bin/sh\necho hello\n");
        script.toFile().setExecutable(true);
        return src.resolve("build.json");
    }

    private static BuildPlan plan(String runId, Path template, Map<String, String> variables) {
        ImageSpec.Builder image = ImageSpec.builder("a", template, "null").only("f");
        variables.forEach(image::variable);
        ImageSpec spec = image.build();
        BuildPlan.Builder plan = BuildPlan.builder("p").runId(runId);
        for (String region : List.of("us-east-1", "us-east-2", "eu-west-1")) {
            Target target = Target.of("aws", "123456789012", region);
            plan.job(new BuildJob(JobId.of("a", target, "dev"), spec, target, "dev", "kiln-a-" + region + "-" + runId,
                    runId + "-a-" + region, Set.of(), null));
        }
        return plan.build();
    }
}
