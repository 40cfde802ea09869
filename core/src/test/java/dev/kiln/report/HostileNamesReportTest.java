package dev.kiln.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.JobResult;
import dev.kiln.job.FailureClass;
import dev.kiln.job.RetryPolicy;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.Target;
import dev.kiln.sim.Simulation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: markup a plan lets through (vSphere names may hold '&lt;', '&gt;', quotes and '=') reaches
 * every report of a real run, end to end, as text. ReportsTest checks the renderers on fixture
 * events; this checks the path from a plan through a run, in virtual time.
 */
class HostileNamesReportTest {

    private static final String MARKUP = "<img src=x onerror=alert(1)>\"'";

    @TempDir
    Path work;

    @Test
    void markup_in_a_plans_names_renders_inert_in_every_report() throws IOException {
        Path template = Files.writeString(work.resolve("web.json"),
                "{\"builders\": [{\"type\": \"null\", \"communicator\": \"none\"}]}");
        Path runs = work.resolve("runs");
        // Given a vSphere image whose rendered name carries markup, and builds that fail
        BuildPlan plan = Fleet.builder("hostile").environments("dev").retryPolicy(RetryPolicy.never())
                .target(Target.of("vsphere", "vcenter-lab", "esxi-01"))
                .image(ImageSpec.builder("web", template, "null")
                        .nameTemplate("web " + MARKUP + " {env}").expectedDuration(Duration.ofMinutes(1)).build())
                .build(new PlanContext(Instant.parse("2026-02-01T10:00:00Z"), "hostile1", "abc", null, Map.of()));
        assertThat(plan.jobs().get(0).imageName()).contains(MARKUP);

        // When it runs, with its journal and reports written
        JobResult job = Simulation.builder().seed(1).failures(1.0, FailureClass.PROVISIONER_FAILED)
                .kiln(k -> k.files(f -> f.withRunsDirectory(runs).withEventLog(true).withReports(true)))
                .build().run(plan).run().jobs().get(0);
        Path dir;
        try (var listing = Files.list(runs)) {
            dir = listing.filter(Files::isDirectory).findFirst().orElseThrow();
        }

        // Then the HTML page holds the name only escaped, and junit.xml has it escaped and still parses
        String html = Files.readString(dir.resolve("report.html"), StandardCharsets.UTF_8);
        assertThat(html).doesNotContain("<img").contains("&lt;img src=x onerror=alert(1)&gt;");
        String junit = Files.readString(dir.resolve("junit.xml"), StandardCharsets.UTF_8);
        assertThat(junit).doesNotContain("<img");
        try {
            DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(dir.resolve("junit.xml").toFile());
        } catch (Exception e) {
            throw new AssertionError("junit.xml is not well-formed: " + e.getMessage(), e);
        }
        assertThat(job.state().isTerminal()).isTrue();
    }
}
