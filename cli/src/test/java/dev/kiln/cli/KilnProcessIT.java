package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/kiln} as a user runs it: a process started from another directory, over the packaged
 * {@code cli/target/kiln.jar} (failsafe runs this after {@code package}). KILN_NO_BUILD keeps the
 * script from building inside the build.
 */
class KilnProcessIT {

    @TempDir
    Path cwd;

    @Test
    void bad_input_from_any_directory_is_one_paragraph_and_exit_2() throws Exception {
        // When
        KilnProcess.Run r = KilnProcess.run(cwd, Map.of(), "plan", "missing.yaml");

        // Then
        assertThat(r.exit()).as("%s", r).isEqualTo(2);
        assertThat(r.err().strip()).as("%s", r).startsWith("kiln plan: invalid plan").contains("missing.yaml")
                .doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void the_demo_fleet_builds_44_images_live_on_four_emulators_and_says_where_its_reports_are() throws Exception {
        // Given
        Tools.packer();

        // When
        KilnProcess.Run r = KilnProcess.run(cwd, Map.of("CI", "true"), "demo");

        // Then every part ran live against its emulator, and every build succeeded
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).containsPattern("aws +live: 12 builds on 3 targets against the aws emulator")
                .containsPattern("azure +live: 12 builds on 3 targets against the azure emulator")
                .containsPattern("gcp +live: 12 builds on 3 targets against the gcp emulator")
                .containsPattern("vsphere +live: 8 builds on 2 targets against the vsphere emulator")
                .doesNotContain("stand-in:")
                .contains("44 builds: 44 succeeded").contains("0 throttles");
        // and packer's own calls of the aws, azure and gcp parts passed Kiln's gate, none throttled
        assertThat(r.out()).contains("packer's API calls through Kiln's gate:")
                .containsPattern("\\n[1-9]\\d* calls \\(\\d+ predicted\\), \\d+ retried by packer's SDKs,"
                        + " held \\S+ in all, 0 throttled\\n");
        for (String target : List.of("aws/123456789012/", "azure/0b3c1f9e-0000-4000-8000-000000000001/",
                "gcp/kiln-demo-project/")) {
            assertThat(r.out()).as("%s", r).containsPattern("\\n" + target.replace(".", "\\.") + "\\S+ +\\S+ +[1-9]");
        }
        // and no emulator refused a call for a rate or a quota, and vCenter queued no provisioning
        for (String provider : List.of("aws", "azure", "gcp", "vsphere")) {
            assertThat(r.out()).as("%s", r).containsPattern(provider
                    + " +https?://127\\.0\\.0\\.1:\\d+ +[1-9]\\d* calls, 0 throttled, 0 over quota, 0 queued");
        }
        Path run = KilnProcess.onlyRun(cwd.resolve("kiln-runs"));
        assertThat(r.out()).contains("report:  " + run.resolve("report.html"));
        assertThat(Files.readString(run.resolve("junit.xml"))).contains("tests=\"44\" failures=\"0\"");
        // and each provider verified every image of its part on its emulator, in its own terms
        Map<String, List<String>> verified = verifiedByJob(run.resolve("events.jsonl"));
        assertThat(verified).hasSize(44);
        verified.forEach((job, artifacts) -> {
            String provider = job.split("/")[1];
            String artifact = artifacts.get(0);
            switch (provider) {
                case "aws" -> assertThat(artifact).as(job).containsPattern("^[a-z0-9-]+:ami-[0-9a-f]+$");
                case "azure" -> assertThat(artifact).as(job).contains("/providers/Microsoft.Compute/images/");
                case "gcp" -> assertThat(artifact).as(job).startsWith("projects/kiln-demo-project/global/images/");
                // a template; for app, exported, the library item and the template it holds
                case "vsphere" -> assertThat(artifacts).as(job).anySatisfy(a -> assertThat(a).startsWith(
                        job.startsWith("app/") ? "LibraryItem:" : "VirtualMachine:vm-"));
                default -> throw new AssertionError("a build of an unknown provider: " + job);
            }
        });
        // and the vCenter emulator's fixture password reached no file of the run
        try (Stream<Path> files = Files.walk(run)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f)).as("%s", f).doesNotContain("Kiln-Emulator-1!");
            }
        }
        System.out.printf("kiln demo: 44 builds, every part live, in %.1f s%n", r.took().toMillis() / 1000.0);
    }

    /** The verified artifacts of each job, from the run's ArtifactVerified events. */
    private static Map<String, List<String>> verifiedByJob(Path events) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<String>> out = new TreeMap<>();
        for (String line : Files.readAllLines(events)) {
            JsonNode e = json.readTree(line);
            if (e.path("type").asText().equals("ArtifactVerified")) {
                assertThat(e.path("problems")).as("%s", line).isEmpty();
                assertThat(e.path("verified")).as("%s", line).isNotEmpty();
                List<String> verified = new ArrayList<>();
                e.path("verified").forEach(v -> verified.add(v.asText()));
                out.put(e.path("jobId").asText(), verified);
            }
        }
        return out;
    }

    @Test
    void ctrl_c_cancels_the_run_lets_packer_clean_up_and_exits_130() throws Exception {
        // Given a run of two one-minute builds
        Tools.packer();
        Path plans = Cli.plans(cwd);
        Process p = KilnProcess.start(cwd, Map.of("CI", "true"), "run", "--simulate", "--grace", "20s",
                plans.resolve("slow.yaml").toString());
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> KilnProcess.read(p.getErrorStream()));
        List<String> out = new ArrayList<>();
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        int running = 0;
        while (running < 2 && (line = lines.readLine()) != null) {
            out.add(line);
            if (line.contains("RUNNING")) {
                running++;
            }
        }
        // A build shows RUNNING as its packer starts, which happens off the run's thread: both
        // packers exist once their pids are in the journal
        Path runs = cwd.resolve("kiln-runs");
        await().atMost(Duration.ofMinutes(1)).until(() -> journalled(runs, "BuildProcess") >= 2);
        List<ProcessHandle> packers = p.descendants().toList();
        assertThat(packers).as("packer processes").isNotEmpty();

        // When Ctrl-C reaches kiln (SIGINT; SIGTERM where this test's parent made SIGINT ignored)
        boolean sigint = !ignoresSigint(p.pid());
        new ProcessBuilder("kill", sigint ? "-INT" : "-TERM", String.valueOf(p.pid())).start().waitFor();
        String rest = KilnProcess.read(p.getInputStream());
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("kiln exits").isTrue();

        // Then the run was cancelled, swept and reported, and no packer is left
        String stdout = String.join("\n", out) + "\n" + rest;
        assertThat(p.exitValue()).as("%s%n%s", stdout, err.get()).isEqualTo(sigint ? 130 : 143);
        assertThat(err.get()).contains("interrupted; cancelling the run");
        assertThat(stdout).contains("CANCELLED").contains("2 builds: 2 cancelled");
        Path run = KilnProcess.onlyRun(cwd.resolve("kiln-runs"));
        List<String> events = Files.readAllLines(run.resolve("events.jsonl"));
        assertThat(events.get(events.size() - 1)).contains("\"type\":\"RunFinished\"");
        assertThat(events).anySatisfy(e -> assertThat(e).contains("\"type\":\"Swept\""));
        assertThat(run.resolve("report.html")).exists();
        for (ProcessHandle packer : packers) {
            assertThat(packer.isAlive()).as("packer %s still alive", packer.pid()).isFalse();
        }
    }

    /** Events of {@code type} in the journal of the one run under {@code runs} so far (0 before it has one). */
    private static long journalled(Path runs, String type) throws IOException {
        if (!Files.isDirectory(runs)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(runs)) {
            List<Path> journals = s.map(d -> d.resolve("events.jsonl")).filter(Files::isRegularFile).toList();
            if (journals.size() != 1) {
                return 0;
            }
            return Files.readAllLines(journals.get(0)).stream()
                    .filter(l -> l.contains("\"type\":\"" + type + "\"")).count();
        }
    }

    /** Whether the process ignores SIGINT (bit 2 of SigIgn in /proc), as children of non-interactive shells may. */
    private static boolean ignoresSigint(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (l.startsWith("SigIgn:")) {
                return (Long.parseLong(l.substring(7).trim(), 16) & 0x2) != 0;
            }
        }
        return false;
    }
}
