package dev.kiln.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunHandle;
import dev.kiln.RunResult;
import dev.kiln.event.KilnEvent;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.packer.PackerRunners;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.spi.CloudProvider;
import dev.kiln.testing.RequiresPacker;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real packer (null builder) under Kiln, broken from outside: killed with SIGKILL mid-build, hung
 * past its timeout, and printing binary garbage and lines that only look machine-readable through
 * its provisioner. Every job ends in a recorded terminal state, the reports say what happened, and
 * no process of the build outlives it.
 */
@RequiresPacker
class PackerFaultsTest {

    /** A number no other test's sleep carries, so this build's processes can be found by it. */
    private final String marker = "300." + ThreadLocalRandom.current().nextInt(100_000_000, 999_999_999);

    @TempDir
    Path work;

    private final SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.system()).acceptNullBuilds().build();

    private Kiln kiln(KilnEventsTo listener, Duration grace) {
        Kiln.Builder builder = Kiln.builder().packerRunner(PackerRunners.process())
                .files(f -> f.withRunsDirectory(work.resolve("runs")))
                .scheduling(s -> s.withGracePeriod(grace).withBudgetSampleInterval(null)).listener(listener::on);
        for (CloudProvider p : cloud.providers()) {
            builder.provider(p);
        }
        return builder.build();
    }

    @FunctionalInterface
    private interface KilnEventsTo {
        void on(KilnEvent event);
    }

    private BuildPlan plan(String image, String template, Duration timeout) throws IOException {
        Path file = Files.writeString(work.resolve(image + ".json"), template);
        return Fleet.builder("faults").environments("dev").retryPolicy(RetryPolicy.never())
                .target(Target.of("aws", "123456789012", "us-east-1"))
                .image(ImageSpec.builder(image, file, "null").only("box").timeout(timeout)
                        .expectedDuration(Duration.ofSeconds(1)).build())
                .build(new PlanContext(Instant.parse("2026-02-01T10:00:00Z"), "faults1", "abc", null, Map.of()));
    }

    /** Waits until {@code count} sleeps of this test run. */
    private void awaitSleeps(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (leftovers().stream().filter(p -> p.contains("sleep " + marker)).count() < count) {
            assertThat(System.nanoTime()).as("%d sleeps of the build running within 2 minutes", count)
                    .isLessThan(deadline);
            Thread.sleep(50); // polling a condition, not waiting for time to pass
        }
    }

    /** Processes whose command line names this test's runs directory or its sleep: the build's, if any live. */
    private List<String> leftovers() {
        String runs = work.resolve("runs").toString();
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(runs) || c.contains(marker)).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
    }

    @Test
    void packer_killed_with_sigkill_mid_build_ends_failed_and_leaves_no_process() throws Exception {
        // Given a build whose provisioner runs for minutes
        BuildPlan plan = plan("killed", """
                {"builders": [{"type": "null", "name": "box", "communicator": "none"}],
                 "provisioners": [{"type": "shell-local", "inline": ["echo kiln-provisioning", "sleep %s"]}]}
                """.formatted(marker), Duration.ofMinutes(10));
        CompletableFuture<Long> pid = new CompletableFuture<>();
        CompletableFuture<Void> provisioning = new CompletableFuture<>();
        try (Kiln kiln = kiln(e -> {
            if (e instanceof KilnEvent.BuildProcess p) {
                pid.complete(p.pid());
            } else if (e instanceof KilnEvent.PackerOutput o && o.text().contains("Running local shell script")) {
                provisioning.complete(null);
            }
        }, Duration.ofSeconds(30))) {
            RunHandle handle = kiln.start(plan);
            provisioning.get(2, TimeUnit.MINUTES);

            // When packer itself is killed with SIGKILL, as an operator's kill -9 or the OOM killer does
            ProcessHandle packer = ProcessHandle.of(pid.get()).orElseThrow();
            List<ProcessHandle> tree = new ArrayList<>(packer.descendants().toList());
            tree.add(packer);
            assertThat(tree).as("packer's wrapper, packer, its plugins").hasSizeGreaterThanOrEqualTo(3);
            packer.destroyForcibly();
            RunResult result = handle.await();

            // Then the job failed, saying how packer ended
            JobResult job = result.jobs().get(0);
            assertThat(job.state()).isEqualTo(JobState.FAILED);
            assertThat(job.message()).isEqualTo("packer was killed by signal 9 (SIGKILL)");
            RunChecks run = new RunChecks(result.runDirectory());
            run.assertEveryJobTerminal(1);
            assertThat(run.junitFailures()).containsValue(job.failure().name()
                    + ": packer was killed by signal 9 (SIGKILL)");
            assertThat(run.html()).contains("packer was killed by signal 9 (SIGKILL)");
            // and no process packer started lives on: not packer's own child, a plugin, nor the provisioner's sleep
            assertThat(tree.stream().filter(ProcessHandle::isAlive).map(p -> p.pid() + " "
                    + p.info().commandLine().orElse(""))).isEmpty();
            assertThat(leftovers()).isEmpty();
            assertThat(cloud.resourcesOf(job.job().buildId())).isEmpty();
        }
    }

    @Test
    void issue14_a_process_a_provisioner_detached_dies_with_packer_killed_by_sigkill() throws Exception {
        // Given a build whose provisioner detaches a process and then works on: `(sleep N &)` leaves
        // the sleep a child of no process of the build (its shell exits at once), so nothing but its
        // process group ties it to packer; a kill that follows parents to children never finds it
        BuildPlan plan = plan("detached", """
                {"builders": [{"type": "null", "name": "box", "communicator": "none"}],
                 "provisioners": [{"type": "shell-local", "inline": ["(sleep %s &)", "sleep %s"]}]}
                """.formatted(marker, marker), Duration.ofMinutes(10));
        CompletableFuture<Long> pid = new CompletableFuture<>();
        try (Kiln kiln = kiln(e -> {
            if (e instanceof KilnEvent.BuildProcess p) {
                pid.complete(p.pid());
            }
        }, Duration.ofSeconds(30))) {
            RunHandle handle = kiln.start(plan);
            awaitSleeps(2); // the detached one and the provisioner's own

            // When packer is killed with SIGKILL
            ProcessHandle.of(pid.get()).orElseThrow().destroyForcibly();
            RunResult result = handle.await();

            // Then the job failed and nothing the build started lives on, the detached sleep included
            assertThat(result.jobs().get(0).state()).isEqualTo(JobState.FAILED);
            assertThat(leftovers()).isEmpty();
        }
    }

    @Test
    void issue14_a_process_a_build_detached_dies_when_packer_ends_on_its_own() throws Exception {
        // Given a build that detaches a process and ends normally
        BuildPlan plan = plan("leaves", """
                {"builders": [{"type": "null", "name": "box", "communicator": "none"}],
                 "provisioners": [{"type": "shell-local", "inline": ["(sleep %s >/dev/null 2>&1 &)", "echo done"]}]}
                """.formatted(marker), Duration.ofMinutes(10));

        // When it runs
        RunResult result;
        try (Kiln kiln = kiln(e -> { }, Duration.ofSeconds(30))) {
            result = kiln.run(plan);
        }

        // Then what it left running was killed before the build ended
        assertThat(result.jobs().get(0).state()).isIn(JobState.SUCCEEDED, JobState.FAILED);
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void packer_hung_past_its_timeout_is_killed_with_everything_and_reported_timed_out() throws Exception {
        // Given a build that hangs in its provisioner, with a 3-second timeout
        BuildPlan plan = plan("hung", """
                {"builders": [{"type": "null", "name": "box", "communicator": "none"}],
                 "provisioners": [{"type": "shell-local", "inline": ["echo hanging", "sleep %s"]}]}
                """.formatted(marker), Duration.ofSeconds(3));

        // When
        RunResult result;
        try (Kiln kiln = kiln(e -> { }, Duration.ofSeconds(10))) {
            result = kiln.run(plan);
        }

        // Then
        JobResult job = result.jobs().get(0);
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.failure()).isEqualTo(FailureClass.TIMED_OUT);
        RunChecks run = new RunChecks(result.runDirectory());
        run.assertEveryJobTerminal(1);
        assertThat(run.junitFailures()).containsValue("TIMED_OUT: killed after its timeout of PT3S");
        assertThat(run.html()).contains("TIMED_OUT");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void a_provisioner_printing_garbage_is_logged_journaled_and_reported_without_breaking_anything()
            throws Exception {
        // Given builds whose provisioner prints binary noise, terminal escapes and fake machine-readable
        // lines on both streams, one ending well and one badly
        String template = """
                {"variables": {"code": "0"},
                 "builders": [{"type": "null", "name": "box", "communicator": "none"}],
                 "provisioners": [{"type": "shell-local", "inline": [
                   "head -c 3000 /dev/urandom; echo",
                   "head -c 3000 /dev/urandom >&2; echo >&2",
                   "printf '1,,ui\\\\n99999999999999999999999,box,artifact,0,id,x\\\\n1,box,artifact,0,builder-id,t\\\\n'",
                   "printf '\\\\033]0;title\\\\007 \\\\033[31mred <script>alert(1)</script> %%!(PACKER_COMMA)\\\\n' >&2",
                   "exit {{user `code`}}"]}]}
                """;
        Path file = Files.writeString(work.resolve("garbage.json"), template);
        ImageSpec ok = ImageSpec.builder("garbage-ok", file, "null").only("box").variable("code", "0")
                .expectedDuration(Duration.ofSeconds(1)).build();
        ImageSpec bad = ImageSpec.builder("garbage-bad", file, "null").only("box").variable("code", "3")
                .expectedDuration(Duration.ofSeconds(1)).build();
        BuildPlan plan = Fleet.builder("garbage").environments("dev").retryPolicy(RetryPolicy.never())
                .target(Target.of("aws", "123456789012", "us-east-1")).image(ok).image(bad)
                .build(new PlanContext(Instant.parse("2026-02-01T10:00:00Z"), "garbage1", "abc", null, Map.of()));

        // When
        RunResult result;
        try (Kiln kiln = kiln(e -> { }, Duration.ofSeconds(10))) {
            result = kiln.run(plan);
        }

        // Then the build that ended well succeeded, the other failed as a provisioner failure
        assertThat(result.jobs()).extracting(j -> j.job().image().name() + " " + j.state() + " " + j.failure())
                .containsExactlyInAnyOrder("garbage-ok SUCCEEDED null", "garbage-bad FAILED PROVISIONER_FAILED");
        // and the journal is JSON line by line, junit.xml well-formed, the markup inert in the page
        RunChecks run = new RunChecks(result.runDirectory());
        run.assertEveryJobTerminal(2);
        assertThat(run.junitFailures()).hasSize(1);
        assertThat(run.html()).doesNotContain("<script>alert(1)</script>");
        assertThat(leftovers()).isEmpty();
    }
}
