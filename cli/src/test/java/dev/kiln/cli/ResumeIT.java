package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.aws.Ec2Delays;
import dev.kiln.emulators.aws.Ec2Emulator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery as an operator meets it: {@code kiln run} killed with SIGKILL while builds are
 * under way (no shutdown hook, no sweep, packer orphaned), then {@code kiln run --resume RUN_DIR}.
 * The EC2 emulator lives in this JVM, so what the killed run created outlives it.
 */
class ResumeIT {

    private static final Map<String, String> AWS = Map.of("AWS_ACCESS_KEY_ID", "AKIAKILNRESUME000001",
            "AWS_SECRET_ACCESS_KEY", "kiln-resume-test-not-a-secret", "KILN_AWS_POLL_DELAY", "1s");

    @TempDir
    Path cwd;

    @Test
    void a_run_killed_mid_build_resumes_sweeps_what_it_left_and_builds_each_image_once() throws Exception {
        Tools.packer();
        // Given builds slow enough to be caught under way
        CountDownLatch launched = new CountDownLatch(3);
        try (Ec2Emulator ec2 = Ec2Emulator.builder().delays(Ec2Delays.uniform(Duration.ofSeconds(3)))
                .onCall(c -> {
                    if (c.action().equals("RunInstances") && c.succeeded()) {
                        launched.countDown();
                    }
                }).start()) {
            Map<String, String> env = new HashMap<>(AWS);
            env.put("KILN_AWS_ENDPOINT", ec2.endpoint().toString());
            env.put("CI", "true");
            Path plan = Cli.plans(cwd).resolve("resume.yaml");

            // When kiln is killed (-9) once an app build has launched its instance, after a base build succeeded
            Process first = KilnProcess.start(cwd, env, "run", plan.toString());
            CompletableFuture<String> firstErr = CompletableFuture.supplyAsync(
                    () -> KilnProcess.read(first.getErrorStream()));
            List<String> seen = readUntilAnAppBuildRuns(first);
            assertThat(launched.await(2, TimeUnit.MINUTES)).as("three instances launched").isTrue();
            List<ProcessHandle> orphans = first.descendants().toList();
            first.toHandle().destroyForcibly();
            assertThat(first.waitFor(1, TimeUnit.MINUTES)).isTrue();
            assertThat(orphans).as("packer of the running build, orphaned by the kill").isNotEmpty();
            Path run = KilnProcess.onlyRun(cwd.resolve("kiln-runs"));
            List<JsonNode> beforeResume = events(run);
            List<String> interrupted = jobsLastIn(beforeResume, "RUNNING");
            assertThat(interrupted).as("%s%n%s", seen, firstErr.get())
                    .anySatisfy(j -> assertThat(j).startsWith("app/"));
            assertThat(jobsLastIn(beforeResume, "SUCCEEDED")).as("built before the kill").isNotEmpty();

            // and it is resumed from its run directory
            KilnProcess.Run second = KilnProcess.run(cwd, env, "run", "--resume", run.toString());

            // Then the run finished with every build succeeded, each built once, the interrupted ones twice started
            assertThat(second.exit()).as("%s", second).isZero();
            assertThat(second.out()).contains("kiln: resuming run " + run.getFileName())
                    .contains("4 builds: 4 succeeded");
            List<JsonNode> journal = events(run);
            Map<String, Integer> succeeded = count(journal, "JobStateChanged", e -> e.path("to").asText().equals(
                    "SUCCEEDED"));
            assertThat(succeeded).as("SUCCEEDED per job").hasSize(4).allSatisfy((job, n) -> assertThat(n).isOne());
            Map<String, Integer> starts = count(journal, "BuildStarted", e -> true);
            starts.forEach((job, n) -> assertThat(n).as(job).isEqualTo(interrupted.contains(job) ? 2 : 1));
            // and what the interrupted builds had made was swept before they were built again
            // (one of them had launched its instance; another may have been caught before it made anything)
            assertThat(count(journal, "Swept", e -> true).keySet()).containsAll(interrupted);
            assertThat(count(journal, "Swept", e -> e.path("deleted").size() > 0).keySet())
                    .containsAnyElementsOf(interrupted);
            // and their orphaned packer processes were stopped
            for (ProcessHandle packer : orphans) {
                assertThat(packer.isAlive()).as("packer %s still alive", packer.pid()).isFalse();
            }
            // and the emulator holds one image per job and no instance of any attempt
            buildIds(journal).forEach((job, ids) -> {
                List<TaggedResource> left = new ArrayList<>();
                ids.forEach(id -> left.addAll(ec2.resourcesTagged("kiln:build-id", id)));
                assertThat(left.stream().filter(r -> r.type().equals("image")).count()).as("%s: %s", job, left)
                        .isOne();
                assertThat(left.stream().filter(r -> r.type().equals("instance")
                        && !r.state().equals("shutting-down")).toList()).as(job).isEmpty();
            });
            // and the reports cover the whole run
            assertThat(Files.readString(run.resolve("junit.xml"))).contains("tests=\"4\" failures=\"0\"");
            assertThat(journal).anySatisfy(e -> assertThat(e.path("type").asText()).isEqualTo("RunResumed"));
            assertThat(journal.get(journal.size() - 1).path("type").asText()).isEqualTo("RunFinished");
        }
    }

    /** Reads kiln's plain progress lines until one says an app build is running. */
    private static List<String> readUntilAnAppBuildRuns(Process p) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        String line;
        while ((line = lines.readLine()) != null) {
            seen.add(line);
            if (line.matches("\\d\\d:\\d\\d:\\d\\d  RUNNING +app/.*")) {
                return seen;
            }
        }
        throw new AssertionError("kiln ended before an app build ran:\n" + String.join("\n", seen));
    }

    private static List<JsonNode> events(Path run) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("events.jsonl"))) {
            out.add(json.readTree(line));
        }
        return out;
    }

    /** Jobs whose last state in the journal is {@code state}. */
    private static List<String> jobsLastIn(List<JsonNode> events, String state) {
        Map<String, String> last = new TreeMap<>();
        for (JsonNode e : events) {
            if (e.path("type").asText().equals("JobStateChanged")) {
                last.put(e.path("jobId").asText(), e.path("to").asText());
            }
        }
        return last.entrySet().stream().filter(e -> e.getValue().equals(state)).map(Map.Entry::getKey).toList();
    }

    /** The build ids of each job's attempts. */
    private static Map<String, Set<String>> buildIds(List<JsonNode> events) {
        Map<String, Set<String>> ids = new TreeMap<>();
        for (JsonNode e : events) {
            if (e.path("type").asText().equals("BuildStarted")) {
                ids.computeIfAbsent(e.path("jobId").asText(), k -> new TreeSet<>()).add(e.path("buildId").asText());
            }
        }
        return ids;
    }

    private static Map<String, Integer> count(List<JsonNode> events, String type, Predicate<JsonNode> which) {
        Map<String, Integer> n = new TreeMap<>();
        for (JsonNode e : events) {
            if (e.path("type").asText().equals(type) && which.test(e)) {
                n.merge(e.path("jobId").asText(), 1, Integer::sum);
            }
        }
        return n;
    }
}
