package dev.kiln.packer;

import static dev.kiln.packer.Builds.Recorder.messageContaining;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.job.FailureClass;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.PackerPins;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.BuildHandle;
import dev.kiln.spi.Refusal;
import dev.kiln.testing.RequiresPacker;
import dev.kiln.time.ManualTime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real packer: null and file builders with shell-local provisioners. */
@RequiresPacker
class ProcessPackerRunnerTest {

    private static final Duration BOUND = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime(Instant.parse("2030-01-01T00:00:00Z"));
    private ProcessPackerRunner runner;

    @AfterEach
    void close() {
        if (runner != null) {
            runner.close();
        }
    }

    private ProcessPackerRunner runner() {
        runner = PackerRunners.processBuilder().time(time).build();
        return runner;
    }

    @Test
    void buildsInParallelEachInItsOwnWorkspace() throws IOException {
        // Given three jobs of one template, each with its own greeting
        ProcessPackerRunner packer = runner();
        List<Builds.Recorder> recorders = new ArrayList<>();
        List<Path> workspaces = new ArrayList<>();
        // When they start together
        for (int i = 0; i < 3; i++) {
            BuildJob job = Builds.job("img" + i, "file-with-manifest.json", "f", Map.of("greeting", "hello-" + i), Set.of());
            Path workspace = dir.resolve("ws" + i);
            Builds.Recorder recorder = new Builds.Recorder();
            packer.start(Builds.request(job, workspace, Map.of(), Duration.ofHours(1)), recorder);
            recorders.add(recorder);
            workspaces.add(workspace);
        }
        // Then each succeeds in its own workspace with its own output and artifact
        for (int n = 0; n < 3; n++) {
            int i = n;
            Builds.Recorder recorder = recorders.get(i);
            assertThat(recorder.exit).succeedsWithin(BOUND);
            BuildExit exit = recorder.exit.join();
            assertThat(exit.succeeded()).as("build %d: %s", i, exit).isTrue();
            assertThat(exit.artifacts()).contains(new Artifact("f", "packer.file", "File",
                    List.of("artifact.txt")));
            assertThat(recorder.texts()).anyMatch(t -> t.contains("greeting=hello-" + i));
            assertThat(recorder.texts()).anyMatch(t -> t.contains("image=kiln-img" + i + "-dev build=t1-img" + i));
            assertThat(recorder.events).anyMatch(e -> e instanceof PackerEvent.BuildFinished f && f.build().equals("f"));
            assertThat(workspaces.get(i).resolve("artifact.txt")).hasContent("kiln-img" + i + "-dev");
            assertThat(workspaces.get(i).resolve("packer-manifest.json")).exists();
            assertThat(varFiles(workspaces.get(i))).as("var-files left behind").isEmpty();
            String log = Files.readString(logOf(workspaces.get(i)));
            assertThat(log).contains("greeting=hello-" + i).doesNotContain("greeting=hello-" + ((i + 1) % 3));
            assertThat(recorder.exits).hasValue(1);
        }
    }

    @Test
    void keepsSecretsOutOfLogsEventsAndCommandLines() throws IOException {
        // Given a sensitive variable and a secret in the environment that the template prints
        String password = "pw-" + UUID.randomUUID();
        String token = "tok-" + UUID.randomUUID();
        BuildJob job = Builds.job("secret", "file-with-manifest.json", "f", Map.of("api_password", password),
                Set.of("api_password"));
        Path workspace = dir.resolve("ws");
        Builds.Recorder recorder = new Builds.Recorder();
        // When it builds
        runner().start(Builds.request(job, workspace, Map.of("KILN_TEST_TOKEN", token), Duration.ofHours(1)), recorder);
        assertThat(recorder.exit).succeedsWithin(BOUND);
        // Then neither secret is in the log or any event, and the log shows where they were
        String log = Files.readString(logOf(workspace));
        assertThat(log).doesNotContain(password).doesNotContain(token)
                .contains("the password is " + Redactor.MASK).contains("the token is " + Redactor.MASK);
        assertThat(String.join("\n", recorder.texts())).doesNotContain(password).doesNotContain(token);
        assertThat(recorder.exit.join().succeeded()).isTrue();
    }

    @Test
    void classifiesAFailingProvisioner() {
        // Given a template whose shell-local provisioner exits 3
        BuildJob job = Builds.job("fails", "provisioner-fails.json", "box", Map.of(), Set.of());
        Builds.Recorder recorder = new Builds.Recorder();
        // When it builds
        runner().start(Builds.request(job, dir.resolve("ws"), Map.of(), Duration.ofHours(1)), recorder);
        assertThat(recorder.exit).succeedsWithin(BOUND);
        BuildExit exit = recorder.exit.join();
        // Then it failed, and the classifier says why with packer's line
        assertThat(exit.succeeded()).isFalse();
        assertThat(exit.exitCode()).isEqualTo(1);
        assertThat(exit.errors()).anyMatch(e -> e.contains("Script exited with non-zero exit status: 3"));
        assertThat(exit.buildStarted()).as("packer said the build was under way").isTrue();
        FailureClassifier.Diagnosis diagnosis = FailureClassifier.standard().classify(exit, recorder.texts());
        assertThat(diagnosis.failure()).isEqualTo(FailureClass.PROVISIONER_FAILED);
        assertThat(diagnosis.evidence()).hasValueSatisfying(
                line -> assertThat(line).contains("Script exited with non-zero exit status: 3"));
    }

    @Test
    void killsAHangingBuildAtItsTimeoutWithEverythingItStarted() throws IOException {
        // Given a build that sleeps for ten minutes, with a secret in a variable and in the environment
        String password = "pw-" + UUID.randomUUID();
        String token = "tok-" + UUID.randomUUID();
        BuildJob job = Builds.job("hangs", "hangs.json", "box", Map.of("api_password", password), Set.of("api_password"));
        Path workspace = dir.resolve("ws");
        Builds.Recorder recorder = new Builds.Recorder();
        BuildHandle handle = runner().start(Builds.request(job, workspace, Map.of("KILN_TEST_TOKEN", token),
                Duration.ofMinutes(30)), recorder);
        assertThat(recorder.when(messageContaining("sleeping"))).succeedsWithin(BOUND);
        List<ProcessHandle> tree = tree(handle);
        assertThat(tree).as("packer, its child, its plugins, the script and its sleep").hasSizeGreaterThanOrEqualTo(4);
        for (ProcessHandle p : tree) {
            assertThat(cmdline(p)).as("command line of %s", p.pid()).doesNotContain(password).doesNotContain(token);
        }
        assertThat(varFiles(workspace)).hasSize(1);

        // When its timeout passes
        time.advance(Duration.ofMinutes(30));

        // Then it is killed, nothing it started survives, and its var-file is gone
        assertThat(recorder.exit).succeedsWithin(BOUND);
        BuildExit exit = recorder.exit.join();
        assertThat(exit.timedOut()).isTrue();
        assertThat(exit.cancelled()).isFalse();
        assertThat(exit.exitCode()).isEqualTo(-1);
        assertThat(tree).noneMatch(ProcessHandle::isAlive);
        assertThat(varFiles(workspace)).isEmpty();
        assertThat(FailureClassifier.standard().classify(exit, recorder.texts()).failure()).isEqualTo(FailureClass.TIMED_OUT);
        assertThat(Files.readString(logOf(workspace))).contains("exceeded its timeout").doesNotContain(password)
                .contains("sleeping with " + Redactor.MASK);
        assertThat(recorder.exits).hasValue(1);
    }

    @Test
    void cancelInterruptsPackerLikeCtrlC() {
        // Given a build that sleeps for ten minutes
        BuildJob job = Builds.job("cancelled", "hangs.json", "box", Map.of("api_password", "x-123456"),
                Set.of("api_password"));
        Path workspace = dir.resolve("ws");
        Builds.Recorder recorder = new Builds.Recorder();
        BuildHandle handle = runner().start(Builds.request(job, workspace, Map.of(), Duration.ofHours(1)), recorder);
        assertThat(recorder.when(messageContaining("sleeping"))).succeedsWithin(BOUND);
        List<ProcessHandle> tree = tree(handle);

        // When it is cancelled (and the grace period never runs out: time stands still)
        handle.cancel();
        handle.cancel();

        // Then packer stops on its own, through its interrupt handling, leaving nothing running
        assertThat(recorder.exit).succeedsWithin(BOUND);
        BuildExit exit = recorder.exit.join();
        assertThat(exit.cancelled()).isTrue();
        assertThat(exit.timedOut()).isFalse();
        // Ctrl-C reaches the whole process group, so the provisioner's sleep may die before packer
        // prints "Cancelling build after receiving interrupt"; either way packer exits on its own.
        assertThat(exit.exitCode()).as("packer's own exit code, not a kill").isNotEqualTo(-1);
        assertThat(tree).noneMatch(ProcessHandle::isAlive);
        assertThat(varFiles(workspace)).isEmpty();
        assertThat(recorder.exits).hasValue(1);
    }

    @Test
    void reportsThrottlesPackerPrints() {
        // Given a build whose output reports a throttled call
        BuildJob job = Builds.job("chatty", "throttle-chatter.json", "box", Map.of(), Set.of());
        Builds.Recorder recorder = new Builds.Recorder();
        // When it runs
        runner().start(Builds.request(job, dir.resolve("ws"), Map.of(), Duration.ofHours(1)), recorder);
        assertThat(recorder.exit).succeedsWithin(BOUND);
        // Then the throttle is reported once, with the API it names
        assertThat(recorder.throttles).containsExactly("DescribeImages");
        assertThat(recorder.exit.join().succeeded()).isTrue();
    }

    @Test
    void preflightRefusesAPackerVersionOutsideThePin() {
        // Given a plan that pins a packer newer than the one installed
        ProcessPackerRunner packer = runner();
        PackerVersion installed = packer.version();
        String pin = "> " + installed;
        BuildPlan plan = plan(new PackerPins(pin, Map.of()), "file-with-manifest.json");
        // When preflight runs
        List<Refusal> refusals = packer.preflight(plan, dir);
        // Then it refuses, naming what was expected and what was found
        assertThat(refusals).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Refusal.Kind.PACKER_VERSION);
            assertThat(r.message()).contains("expected packer " + pin).contains("found " + installed);
        });
        assertThat(packer.preflight(plan(new PackerPins(">= 1.0.0, < 99.0.0", Map.of()), "file-with-manifest.json"), dir))
                .isEmpty();
    }

    @Test
    void preflightRefusesAMissingOrDriftedPlugin() throws IOException {
        // Given a plugin directory with one plugin installed the packer 1.8 way, one the 1.7 way
        Path plugins = dir.resolve("plugins");
        Path versioned = plugins.resolve("github.com/kiln/good/packer-plugin-good_v1.2.3_x5.0_"
                + platform());
        Files.createDirectories(versioned.getParent());
        Files.writeString(versioned, "#!/bin/sh\nexit 0\n");
        String sha = sha256(versioned);
        Files.writeString(versioned.resolveSibling(versioned.getFileName() + "_SHA256SUM"), sha);
        Path bare = plugins.resolve("packer-plugin-legacy");
        Files.writeString(bare, "#!/bin/sh\necho '{\"version\":\"0.9.0\",\"sdk_version\":\"0.2.0\",\"api_version\":\"x5.0\"}'\n");
        assertThat(bare.toFile().setExecutable(true)).isTrue();
        runner = PackerRunners.processBuilder().time(time).pluginPath(plugins).validateTemplates(false).build();

        // When preflight checks pins: one missing, one at another version, one right, then one with another checksum
        List<Refusal> refusals = runner.preflight(plan(new PackerPins(null, Map.of(
                "absent", new PackerPins.PluginPin("absent", "1.0.0", null),
                "legacy", new PackerPins.PluginPin("legacy", "1.0.0", null),
                "good", new PackerPins.PluginPin("good", "1.2.3", sha))),
                "file-with-manifest.json"), dir);
        List<Refusal> drifted = runner.preflight(plan(new PackerPins(null, Map.of(
                "good", new PackerPins.PluginPin("good", "v1.2.3", "00" + sha.substring(2)))),
                "file-with-manifest.json"), dir);

        // Then each mismatch is refused naming expected and found
        assertThat(refusals).extracting(Refusal::kind).containsOnly(Refusal.Kind.PLUGIN_DRIFT);
        assertThat(refusals).extracting(Refusal::message).satisfiesExactlyInAnyOrder(
                m -> assertThat(m).contains("expected plugin absent 1.0.0").contains("found none"),
                m -> assertThat(m).contains("expected plugin legacy 1.0.0").contains("found 0.9.0 at " + bare));
        assertThat(drifted).singleElement().satisfies(r -> assertThat(r.message())
                .contains("expected plugin good 1.2.3 with sha256 00" + sha.substring(2)).contains("found sha256 " + sha));
    }

    @Test
    void preflightValidatesEachBuildAndRefusesTheBrokenOne() {
        // Given a plan with a broken template and a good one
        BuildPlan plan = BuildPlan.builder("p").runId("t1")
                .job(Builds.job("a", "broken.json", "box", Map.of(), Set.of()))
                .job(Builds.job("b", "file-with-manifest.json", "f", Map.of("api_password", "hunter2-secret"),
                        Set.of("api_password")))
                .build();
        // When preflight runs
        List<Refusal> refusals = runner().preflight(plan, dir);
        // Then only the broken one is refused, with packer's own words
        assertThat(refusals).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Refusal.Kind.TEMPLATE_INVALID);
            assertThat(r.subject()).endsWith("broken.json");
            assertThat(r.message()).contains("Failed to parse template");
        });
        assertThat(varFiles(dir.resolve("preflight"))).isEmpty();
    }

    @Test
    void aBuildIsValidatedWithItsOwnBuilderOnly() {
        // Given a template whose other builder packer refuses (issue 16, item 5)
        BuildPlan plan = BuildPlan.builder("p").runId("t1")
                .job(Builds.job("a", "two-builders.json", "good", Map.of(), Set.of())).build();

        // When / Then: -only=good validates good alone
        assertThat(runner().preflight(plan, dir)).isEmpty();
    }

    @Test
    void eachBuildIsValidatedWithItsOwnVariablesWhateverTheOrder() {
        // Given two images sharing a template, one giving a value its validation rule refuses
        BuildJob good = Builds.job("a", "copies.pkr.hcl", "null.box", Map.of("copies", "2"), Set.of());
        BuildJob bad = Builds.job("b", "copies.pkr.hcl", "null.box", Map.of("copies", "-1"), Set.of());

        // When preflight runs with either first
        List<Refusal> goodFirst = runner().preflight(BuildPlan.builder("p").runId("t1").job(good).job(bad).build(), dir);
        List<Refusal> badFirst = runner().preflight(BuildPlan.builder("p").runId("t1").job(bad).job(good).build(), dir);

        // Then only the bad image's build is refused, both times, in packer's words
        for (List<Refusal> refusals : List.of(goodFirst, badFirst)) {
            assertThat(refusals).singleElement().satisfies(r -> {
                assertThat(r.jobs()).containsExactly(bad.id().value());
                assertThat(r.message()).contains("packer validate rejected " + Builds.template("copies.pkr.hcl")
                        + " -only=null.box (image 'b', build b/aws/123456789012/us-east-1/dev): ")
                        .contains("The copies must be at least 1.");
            });
        }
    }

    @Test
    void aSimulatedRunBuildsANullStandInForARealBuilder() throws IOException {
        // Given an amazon-ebs build that would call EC2 and run a provisioner, on a simulated run's runner
        ImageSpec spec = ImageSpec.builder("ebs", Builds.template("reaches-ec2.json"), "amazon-ebs").only("ebs").build();
        BuildJob job = new BuildJob(JobId.of("ebs", Builds.TARGET, "dev"), spec, Builds.TARGET, "dev", "kiln-ebs-dev",
                "t1-ebs", Set.of(), null);
        runner = PackerRunners.processBuilder().time(time).standIns().build();
        Path workspace = dir.resolve("ws");
        Builds.Recorder recorder = new Builds.Recorder();

        // When it builds
        runner.start(Builds.request(job, workspace, Map.of(), Duration.ofHours(1)), recorder);

        // Then packer's null builder stood in under the build's name: no EC2 call, no provisioner (issue 16, item 8)
        assertThat(recorder.exit).succeedsWithin(BOUND);
        BuildExit exit = recorder.exit.join();
        assertThat(exit.succeeded()).as("%s", exit).isTrue();
        assertThat(exit.artifacts()).singleElement().satisfies(a -> {
            assertThat(a.buildName()).isEqualTo("ebs");
            assertThat(a.builderId()).isEqualTo("fnoeding.null");
        });
        assertThat(workspace.resolve("provisioned")).doesNotExist();
        assertThat(Files.readString(logOf(workspace))).doesNotContain("Prevalidating").doesNotContain("amazonaws");
    }

    /** A template in a directory of its own that reads a script and a file by relative path. */
    private Path relativeTemplate(String greeting) throws IOException {
        Path src = Files.createDirectories(dir.resolve("team/packer"));
        Files.createDirectories(src.resolve("scripts"));
        Files.writeString(src.resolve("build.json"), """
                {
                  "variables": { "kiln_image_name": "" },
                  "builders": [ { "type": "file", "name": "f", "target": "artifact.txt", "content": "%s" } ],
                  "provisioners": [ { "type": "shell-local", "script": "scripts/hello.sh" } ],
                  "post-processors": [ { "type": "manifest", "output": "packer-manifest.json" } ]
                }
                """.formatted(greeting));
        Path script = src.resolve("scripts/hello.sh");
        Files.writeString(script, "#!/bin/sh\necho \"hello from $(cat data.txt)\"\n");
        script.toFile().setExecutable(true);
        Files.writeString(src.resolve("data.txt"), "the template's directory");
        return src.resolve("build.json");
    }

    private static BuildJob jobOf(String image, Path template) {
        ImageSpec spec = ImageSpec.builder(image, template, "null").only("f").build();
        return new BuildJob(JobId.of(image, Builds.TARGET, "dev"), spec, Builds.TARGET, "dev", "kiln-" + image + "-dev",
                "t1-" + image, Set.of(), null);
    }

    @Test
    void eachBuildRunsFromItsOwnCopyOfTheTemplatesDirectory() throws IOException {
        // Given a template reading a script and a file by relative path, and two builds of it (issue 16, item 6)
        Path template = relativeTemplate("built");
        BuildJob a = jobOf("a", template);
        BuildJob b = jobOf("b", template);
        Path runDir = dir.resolve("runs/t1");
        assertThat(runner().preflight(BuildPlan.builder("p").runId("t1").job(a).job(b).build(), runDir)).isEmpty();

        // When both build at once
        Builds.Recorder ra = new Builds.Recorder();
        Builds.Recorder rb = new Builds.Recorder();
        runner.start(Builds.request(a, dir.resolve("ws-a"), Map.of(), Duration.ofHours(1)), ra);
        runner.start(Builds.request(b, dir.resolve("ws-b"), Map.of(), Duration.ofHours(1)), rb);

        // Then each ran its script from its own copy, wrote its artifact and manifest there, and the team's
        // directory got nothing
        for (Builds.Recorder r : List.of(ra, rb)) {
            assertThat(r.exit).succeedsWithin(BOUND);
            assertThat(r.exit.join().succeeded()).as("%s", r.exit.join()).isTrue();
            assertThat(r.texts()).anyMatch(t -> t.contains("hello from the template's directory"));
            assertThat(r.exit.join().artifacts()).anySatisfy(art -> assertThat(art.files()).contains("artifact.txt"));
        }
        for (String ws : List.of("ws-a", "ws-b")) {
            assertThat(dir.resolve(ws).resolve("src-1/artifact.txt")).hasContent("built");
            assertThat(dir.resolve(ws).resolve("src-1/packer-manifest.json")).exists();
        }
        assertThat(template.resolveSibling("artifact.txt")).doesNotExist();
        assertThat(template.resolveSibling("packer-manifest.json")).doesNotExist();
        // and the run's snapshot is as private as the rest of the run's directory
        try (Stream<Path> snapshot = Files.walk(runDir.resolve("templates"))) {
            assertThat(snapshot.filter(Files::isDirectory).toList()).isNotEmpty().allSatisfy(d ->
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d))).isEqualTo("rwx------"));
        }
    }

    @Test
    void aRelativeRunsDirectoryStillFindsTheSnapshot() throws IOException {
        // Given a runs directory named relative to where Kiln runs, as kiln's default kiln-runs is
        Path template = relativeTemplate("relative");
        BuildJob a = jobOf("a", template);
        Path cwd = Path.of("").toAbsolutePath();
        Path runDir = cwd.relativize(dir.resolve("relative-runs/t1"));
        assertThat(runDir.isAbsolute()).isFalse();

        // Then packer, which runs from the snapshot's directory, still finds the snapshot
        assertThat(runner().preflight(BuildPlan.builder("p").runId("t1").job(a).build(), runDir)).isEmpty();
        Builds.Recorder r = new Builds.Recorder();
        runner.start(Builds.request(a, dir.resolve("ws-rel"), Map.of(), Duration.ofHours(1)), r);
        assertThat(r.exit).succeedsWithin(BOUND);
        assertThat(r.exit.join().succeeded()).as("%s", r.exit.join()).isTrue();
    }

    @Test
    void aTemplateEditedAfterPreflightDoesNotChangeThePlannedBuild() throws IOException {
        // Given a build whose template passed preflight
        Path template = relativeTemplate("as planned");
        BuildJob job = jobOf("a", template);
        assertThat(runner().preflight(BuildPlan.builder("p").runId("t1").job(job).build(), dir.resolve("runs/t1")))
                .isEmpty();

        // When someone edits the template before the build starts
        relativeTemplate("edited");
        Builds.Recorder recorder = new Builds.Recorder();
        runner.start(Builds.request(job, dir.resolve("ws"), Map.of(), Duration.ofHours(1)), recorder);

        // Then the build is the one planned
        assertThat(recorder.exit).succeedsWithin(BOUND);
        assertThat(recorder.exit.join().succeeded()).isTrue();
        assertThat(dir.resolve("ws/src-1/artifact.txt")).hasContent("as planned");
    }

    @Test
    void preflightValidatesFromTheTemplatesDirectoryAndNamesItsFiles() throws IOException {
        // Given a template whose script is missing: packer validate looks for it relative to its directory
        Path template = relativeTemplate("x");
        Files.delete(template.resolveSibling("scripts/hello.sh"));
        BuildJob job = jobOf("a", template);

        // When preflight validates it
        List<Refusal> refusals = runner().preflight(BuildPlan.builder("p").runId("t1").job(job).build(),
                dir.resolve("runs/t1"));

        // Then it is refused for the missing script, and the script found with the script present
        assertThat(refusals).singleElement().satisfies(r -> assertThat(r.message()).contains("scripts/hello.sh")
                .doesNotContain("runs/t1/templates"));
        relativeTemplate("x");
        assertThat(runner.preflight(BuildPlan.builder("p").runId("t2").job(job).build(), dir.resolve("runs/t2")))
                .isEmpty();
    }

    @Test
    void requiredPluginsWithAPackerOlderThan17AreRefusedPlainlyForTheirTemplatesBuildsOnly() {
        // Given a template with required_plugins, another without, and packer 1.6.6 (issue 16, item 7)
        BuildJob plugins = Builds.job("a", "needs-plugins.pkr.hcl", "null.box", Map.of(), Set.of());
        BuildJob plain = Builds.job("b", "copies.pkr.hcl", "null.box", Map.of("copies", "1"), Set.of());

        // When preflight checks them
        List<Refusal> refusals = runner().preflight(BuildPlan.builder("p").runId("t1").job(plugins).job(plain).build(),
                dir);

        // Then the template's builds are refused, saying why in plain words and where, and nothing else is
        assertThat(refusals).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Refusal.Kind.PLUGIN_DRIFT);
            assertThat(r.jobs()).containsExactly(plugins.id().value());
            assertThat(r.message()).startsWith(Builds.template("needs-plugins.pkr.hcl") + ":3:")
                    .contains("declares required_plugins (amazon), which packer reads from 1.7.0 on; packer 1.6.6")
                    .contains("Install packer 1.7 or later and run 'packer init'")
                    .doesNotContain("Unsupported block type");
        });
    }

    @Test
    void requiredPluginsAreCheckedAgainstWhatIsInstalledAndThePlansPins() throws IOException {
        // Given a packer 1.7 (a stand-in answering 'version'), an amazon plugin 1.2.4 installed, and a template
        // requiring amazon ~> 1.2.5
        Path packer = dir.resolve("bin/packer");
        Files.createDirectories(packer.getParent());
        Files.writeString(packer, "#!/bin/sh\necho '1,,version,1.7.10'\n");
        assertThat(packer.toFile().setExecutable(true)).isTrue();
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path amazon = plugins.resolve("packer-plugin-amazon");
        installPlugin(amazon, "1.2.4");
        runner = PackerRunners.processBuilder().time(time).executable(packer).pluginPath(plugins)
                .validateTemplates(false).build();
        BuildJob job = Builds.job("a", "needs-plugins.pkr.hcl", "null.box", Map.of(), Set.of());
        String at = Builds.template("needs-plugins.pkr.hcl") + ":3:";

        // When preflight runs with 1.2.4, then with 1.2.8 installed, then with a plan pinning 1.3.0
        List<Refusal> old = runner.preflight(BuildPlan.builder("p").runId("t1").job(job).build(), dir.resolve("r1"));
        installPlugin(amazon, "1.2.8");
        List<Refusal> fits = runner.preflight(BuildPlan.builder("p").runId("t2").job(job).build(), dir.resolve("r2"));
        List<Refusal> pinned = runner.preflight(BuildPlan.builder("p").runId("t3").job(job).pins(new PackerPins(null,
                Map.of("amazon", new PackerPins.PluginPin("amazon", "1.3.0", null)))).build(), dir.resolve("r3"));

        // Then the constraint is read as packer reads it, and the template and the pin must agree
        assertThat(old).singleElement().satisfies(r -> assertThat(r.message()).startsWith(at)
                .contains("requires plugin amazon ~> 1.2.5 (github.com/hashicorp/amazon), found 1.2.4 at " + amazon)
                .contains("packer init"));
        assertThat(fits).isEmpty();
        assertThat(pinned).extracting(Refusal::message).anySatisfy(m -> assertThat(m).startsWith(at)
                .contains("requires plugin amazon ~> 1.2.5, but the plan pins it at 1.3.0"));
    }

    private static void installPlugin(Path binary, String version) throws IOException {
        Files.writeString(binary, "#!/bin/sh\necho '{\"version\":\"" + version
                + "\",\"sdk_version\":\"0.2.0\",\"api_version\":\"x5.0\"}'\n");
        assertThat(binary.toFile().setExecutable(true)).isTrue();
    }

    @Test
    void aTemplatesRequiredVersionIsCheckedWithThePlansPin() {
        // Given a template asking for packer >= 1.7.0, on packer 1.6.6
        BuildJob job = Builds.job("a", "needs-newer-packer.pkr.hcl", "null.box", Map.of(), Set.of());

        // When / Then: its builds are refused, at the template's line
        assertThat(runner().preflight(BuildPlan.builder("p").runId("t1").job(job).build(), dir)).singleElement()
                .satisfies(r -> {
                    assertThat(r.kind()).isEqualTo(Refusal.Kind.PACKER_VERSION);
                    assertThat(r.jobs()).containsExactly(job.id().value());
                    assertThat(r.message()).startsWith(Builds.template("needs-newer-packer.pkr.hcl") + ":2:")
                            .contains("the template requires packer >= 1.7.0, found 1.6.6");
                });
    }

    @Test
    void describesItself() {
        ProcessPackerRunner packer = runner();
        assertThat(packer.describe()).isEqualTo("packer " + packer.version() + " at " + packer.executable());
    }

    private static BuildPlan plan(PackerPins pins, String template) {
        return BuildPlan.builder("p").runId("t1").pins(pins)
                .job(Builds.job("a", template, "f", Map.of(), Set.of())).build();
    }

    private static List<ProcessHandle> tree(BuildHandle handle) {
        ProcessHandle root = ProcessHandle.of(handle.pid().orElseThrow()).orElseThrow();
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        root.descendants().forEach(all::add);
        return all;
    }

    private static String cmdline(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return p.info().commandLine().orElse("");
        }
    }

    private static List<Path> varFiles(Path workspace) {
        if (!Files.isDirectory(workspace)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(workspace)) {
            return files.filter(f -> f.getFileName().toString().startsWith(".kiln-")).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path logOf(Path workspace) {
        return workspace.resolveSibling(workspace.getFileName() + ".log");
    }

    private static String platform() {
        String arch = System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64";
        return "linux_" + arch;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
