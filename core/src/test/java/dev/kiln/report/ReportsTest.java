package dev.kiln.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.JobResult;
import dev.kiln.KilnException;
import dev.kiln.RunResult;
import dev.kiln.event.ApiUse;
import dev.kiln.event.KilnEvent;
import dev.kiln.internal.run.EventLog;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.sim.SimulationResult;
import dev.kiln.testing.Plans;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportsTest {

    @TempDir
    Path runs;

    @Test
    void a_run_leaves_junit_xml_html_and_markdown_in_its_directory() throws Exception {
        // Given a simulated run of 40 builds, some failing
        SimulationResult sim = ReportFixtures.simulatedRun(runs);
        RunResult result = sim.run();

        // Then its directory holds the journal and the three reports
        Path dir = result.runDirectory();
        assertThat(dir.resolve("events.jsonl")).exists();
        assertThat(dir.resolve(Reports.JUNIT_XML)).exists();
        assertThat(dir.resolve(Reports.HTML)).exists();
        assertThat(dir.resolve(Reports.SUMMARY)).exists();

        // And the JUnit XML has one test case per build, named by provider/region, failures classified
        Document xml = parse(Files.readString(dir.resolve(Reports.JUNIT_XML)));
        NodeList cases = xml.getElementsByTagName("testcase");
        assertThat(cases.getLength()).isEqualTo(result.jobs().size());
        Map<String, JobResult> byName = new HashMap<>();
        for (JobResult j : result.jobs()) {
            byName.put(j.job().target().provider() + "/" + j.job().target().region() + " "
                    + j.job().image().name() + "/" + j.job().environment() + " (" + j.job().target().account() + ")", j);
        }
        int failures = 0;
        for (int i = 0; i < cases.getLength(); i++) {
            Element c = (Element) cases.item(i);
            JobResult job = byName.get(c.getAttribute("classname") + " " + c.getAttribute("name"));
            assertThat(job).as("test case %s %s", c.getAttribute("classname"), c.getAttribute("name")).isNotNull();
            NodeList failure = c.getElementsByTagName("failure");
            if (job.state() == JobState.FAILED) {
                failures++;
                Element f = (Element) failure.item(0);
                assertThat(f.getAttribute("type")).isEqualTo(job.failure().name());
                assertThat(f.getAttribute("message")).startsWith(job.failure().name() + ": ")
                        .contains(job.message());
            } else {
                assertThat(failure.getLength()).isZero();
            }
        }
        assertThat(failures).isPositive();
        Element suites = xml.getDocumentElement();
        assertThat(suites.getAttribute("tests")).isEqualTo(String.valueOf(result.jobs().size()));
        assertThat(suites.getAttribute("failures")).isEqualTo(String.valueOf(failures));
    }

    @Test
    void the_report_read_back_from_events_agrees_with_the_run_result() {
        // Given
        RunResult result = ReportFixtures.simulatedRun(runs).run();

        // When
        RunReport report = RunReport.read(result.runDirectory());

        // Then
        assertThat(report.runId()).isEqualTo(result.runId());
        assertThat(report.finished()).isTrue();
        assertThat(report.elapsed()).isEqualTo(result.elapsed());
        assertThat(report.builds()).hasSameSizeAs(result.jobs());
        for (int i = 0; i < result.jobs().size(); i++) {
            JobResult job = result.jobs().get(i);
            RunReport.Build build = report.builds().get(i);
            assertThat(build.jobId()).isEqualTo(job.job().id().value());
            assertThat(build.state()).isEqualTo(job.state());
            assertThat(build.failure()).isEqualTo(job.failure());
            assertThat(build.attempts()).hasSize(job.attempts());
            assertThat(build.waited()).isEqualTo(job.waited());
            assertThat(build.ran()).isEqualTo(job.ran());
            assertThat(build.buildId()).isEqualTo(job.job().buildId());
            assertThat(build.imageName()).isEqualTo(job.job().imageName());
        }
        assertThat(report.budgets()).isNotEmpty();
        assertThat(report.budgets()).allSatisfy(s -> assertThat(s.samples()).isNotEmpty());
    }

    @Test
    void packers_metered_calls_show_per_target_and_api_class_in_html_markdown_and_text() {
        // Given a run whose two builds' calls the gate metered, one of them throttled once, written
        // to the journal and read back
        List<KilnEvent> events = new ArrayList<>(ReportFixtures.hostileRun());
        String target = "aws/123456789012/us-east-1";
        Instant at = Plans.T0.plusSeconds(41);
        events.add(events.size() - 1, new KilnEvent.ApiCallsMetered(at, "k1", "base/aws/123456789012/us-east-1/dev",
                1, target, Map.of("RunInstances", new ApiUse(3, 1, 1, 2500, 2), "", new ApiUse(2, 0, 0, 0, 0))));
        events.add(events.size() - 1, new KilnEvent.ApiCallsMetered(at, "k1", "app/aws/123456789012/us-east-1/dev",
                1, target, Map.of("RunInstances", new ApiUse(2, 0, 0, 500, 2))));
        Path log = runs.resolve("events.jsonl");
        try (EventLog journal = new EventLog(log)) {
            events.forEach(journal::onEvent);
        }

        // When
        RunReport report = RunReport.read(log);

        // Then the two builds' calls add up per class
        assertThat(report.meteredCalls()).containsOnlyKeys(target);
        assertThat(report.meteredCalls().get(target)).containsEntry("RunInstances", new ApiUse(5, 1, 1, 3000, 4))
                .containsEntry("", new ApiUse(2, 0, 0, 0, 0));
        // and the HTML's API budget panel shows them against the prediction, the throttle marked
        assertThat(Reports.html(report)).contains("<td>RunInstances</td><td>5</td><td>4</td><td>1</td><td>3.0 s</td>"
                + "<td class=\"failed\">1</td>").contains("<td>(unlimited: tokens, metadata)</td><td>2</td>");
        // and so do the Markdown summary and the text table
        assertThat(Reports.markdownSummary(report)).contains("7 of packer's calls through Kiln's gate (3.0 s held)")
                .contains("| " + target + " | RunInstances | 5 | 4 | 1 | 3.0s | ❌ 1 |");
        String text = TextTable.apiCalls(report.meteredCalls());
        assertThat(text.lines()).anySatisfy(l -> assertThat(l.split("\\s{2,}"))
                .containsExactly(target, "RunInstances", "5", "4", "1", "3.0s", "1"));
        assertThat(text).endsWith("7 calls (4 predicted), 1 retried by packer's SDKs, held 3.0s in all, 1 throttled\n");
        assertThat(TextTable.apiCalls(Map.of())).isEmpty();
    }

    @Test
    void every_text_from_the_plan_or_packer_is_escaped_in_the_html() {
        // Given a run whose plan name, messages, artifact ids and limits carry markup
        RunReport report = RunReport.of(ReportFixtures.hostileRun());

        // When
        String html = Reports.html(report);

        // Then only Kiln's own script is there, and the markup shows as text
        assertThat(html).doesNotContain(ReportFixtures.SCRIPT).doesNotContain(ReportFixtures.IMG)
                .doesNotContain("<img");
        assertThat(html.split("<script", -1)).hasSize(2);
        assertThat(html).contains("&lt;script&gt;document.documentElement.setAttribute(&#39;data-pwned&#39;");
        assertThat(html).contains("Content-Security-Policy").contains("default-src 'none'")
                .contains("script-src 'sha256-");
        assertThat(html).doesNotContain("http://").doesNotContain("https://").doesNotContain("@import");
    }

    @Test
    void the_markdown_summary_escapes_markup_and_table_pipes_and_appends() throws Exception {
        // Given
        RunReport report = RunReport.of(ReportFixtures.hostileRun());
        Path summary = runs.resolve("step-summary.md");
        Files.writeString(summary, "earlier step\n");

        // When appended twice, as two steps would
        Reports.appendMarkdownSummary(report, summary);
        Reports.appendMarkdownSummary(report, summary);

        // Then
        String md = Files.readString(summary);
        assertThat(md).startsWith("earlier step\n");
        assertThat(md.split("### ", -1)).hasSize(3);
        assertThat(md).doesNotContain("<script").doesNotContain("<img").contains("&lt;script&gt;")
                .contains("\\| pipe");
        assertThat(md).contains("| app/dev | aws/123456789012/us-east-1 | ❌ FAILED | 1 |");
        assertThat(md).contains("PROVISIONER\\_FAILED: Script exited with non-zero exit status: 1");
    }

    @Test
    void the_markdown_summary_shows_packer_syntax_as_written() {
        // Given issue 14: a failure whose hint is packer template syntax, backticks and all
        String hint = "ami-1 is not tagged kiln:build-id; tag it in the template, e.g. \"tags\": {\"kiln:build-id\":"
                + " \"{{user `kiln_build_id`}}\"}";
        List<KilnEvent> events = ReportFixtures.hostileRun().stream()
                .map(e -> e instanceof KilnEvent.BuildEnded b && !b.succeeded()
                        ? new KilnEvent.BuildEnded(b.at(), b.runId(), b.jobId(), b.attempt(), false,
                                FailureClass.UNKNOWN, hint, List.of())
                        : e)
                .toList();

        // When
        String md = Reports.markdownSummary(RunReport.of(events));

        // Then the backticks are escaped, not turned into quotes, so the page shows valid packer syntax
        String row = md.lines().filter(l -> l.contains("kiln:build-id")).findFirst().orElseThrow();
        assertThat(row).contains("{{user \\`kiln\\_build\\_id\\`}}").doesNotContain("'kiln");
        assertThat(row.replaceAll("\\\\([\\\\`*_\\[\\]|])", "$1")).contains("{{user `kiln_build_id`}}");
    }

    @Test
    void junit_xml_stays_well_formed_whatever_the_messages_hold() throws Exception {
        // Given
        RunReport report = RunReport.of(ReportFixtures.hostileRun());

        // When
        String xml = Reports.junitXml(report);

        // Then
        Document doc = parse(xml);
        Element failure = (Element) doc.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("type")).isEqualTo(FailureClass.PROVISIONER_FAILED.name());
        assertThat(failure.getAttribute("message")).contains(ReportFixtures.SCRIPT);
        assertThat(((Element) doc.getElementsByTagName("testcase").item(0)).getAttribute("classname"))
                .isEqualTo("aws/us-east-1");
        assertThat(((Element) doc.getElementsByTagName("testsuite").item(0)).getAttribute("timestamp"))
                .isEqualTo("2026-01-05T09:00:00");
    }

    @Test
    void a_crashed_run_still_reports_up_to_its_last_event() throws Exception {
        // Given a journal cut off while a build ran
        RunResult result = ReportFixtures.simulatedRun(runs).run();
        Path events = result.runDirectory().resolve("events.jsonl");
        List<String> lines = Files.readAllLines(events);
        Path crashed = Files.createDirectories(runs.resolve("crashed"));
        Files.write(crashed.resolve("events.jsonl"), lines.subList(0, lines.size() / 2));

        // When
        Reports.Written written = Reports.regenerate(crashed);
        RunReport report = RunReport.read(crashed);

        // Then
        assertThat(report.finished()).isFalse();
        assertThat(report.builds()).anyMatch(b -> !b.state().isTerminal());
        assertThat(Files.readString(written.html())).contains("the run did not record its end");
        assertThat(report.elapsed()).isLessThan(result.elapsed()).isGreaterThan(Duration.ZERO);
    }

    @Test
    void a_directory_without_an_event_log_is_a_clear_error() {
        assertThatThrownBy(() -> RunReport.read(runs)).isInstanceOf(KilnException.class)
                .hasMessageContaining("no run at " + runs).hasMessageContaining("events.jsonl");
    }

    @Test
    void a_limit_that_holds_its_level_is_sampled_where_the_stretch_begins_and_ends() {
        // Given a simulated fleet whose limits are sampled every 20 s
        SimulationResult result = ReportFixtures.simulatedRun(runs);

        // When reported
        RunReport report = RunReport.read(result.run().runDirectory());

        // Then no limit has three samples in a row at one level, yet every one is sampled at the start and the end
        assertThat(report.budgets()).isNotEmpty().allSatisfy(series -> {
            List<RunReport.BudgetSample> s = series.samples();
            for (int i = 2; i < s.size(); i++) {
                assertThat(sameLevel(s.get(i - 2), s.get(i - 1)) && sameLevel(s.get(i - 1), s.get(i)))
                        .as("%s at %s", series.limit(), s.get(i).at()).isFalse();
            }
            assertThat(s.get(0).at()).isEqualTo(report.startedAt());
            assertThat(s.get(s.size() - 1).at()).isEqualTo(report.endedAt());
        });
        // And idle stretches cost two samples, not one per interval
        long intervals = report.elapsed().toSeconds() / 20;
        assertThat(report.budgets()).anyMatch(series -> series.samples().size() < intervals / 2);
    }

    private static boolean sameLevel(RunReport.BudgetSample a, RunReport.BudgetSample b) {
        return a.available() == b.available() && a.capacity() == b.capacity()
                && a.reservedRatePerSecond() == b.reservedRatePerSecond() && a.ratePerSecond() == b.ratePerSecond();
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}
