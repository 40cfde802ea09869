package dev.kiln.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.JobResult;
import dev.kiln.RunResult;
import dev.kiln.job.JobState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What a finished run left in its directory, read the way a person or a CI server reads it: the
 * journal ({@code events.jsonl}) line by line, {@code junit.xml} with an XML parser and
 * {@code report.html} as text, without Kiln's own readers. Fault tests use it to check that every
 * job ended in a recorded terminal state and that the reports say what happened.
 *
 * <pre>{@code
 * RunAudit audit = RunAudit.of(result.runDirectory());
 * assertThat(audit.jobsWithoutTerminalState()).isEmpty();
 * assertThat(audit.junitFailures().values()).allMatch(m -> m.startsWith("TIMED_OUT"));
 * }</pre>
 */
public final class RunAudit {

    /** The states a job ends in. */
    public static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final List<JsonNode> events;

    private RunAudit(Path directory, List<JsonNode> events) {
        this.directory = directory;
        this.events = events;
    }

    /**
     * Reads the run in {@code runDirectory}.
     *
     * @throws AssertionError when the journal is missing or a line of it is not JSON
     */
    public static RunAudit of(Path runDirectory) {
        Path journal = runDirectory.resolve("events.jsonl");
        if (!Files.isRegularFile(journal)) {
            throw new AssertionError("no journal at " + journal);
        }
        List<JsonNode> events = new ArrayList<>();
        int n = 0;
        for (String line : read(journal).split("\n")) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            try {
                events.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new AssertionError("line " + n + " of " + journal + " is not JSON: " + e.getMessage(), e);
            }
        }
        return new RunAudit(runDirectory, List.copyOf(events));
    }

    /** The run's directory. */
    public Path directory() {
        return directory;
    }

    /** Every event of the journal, in order. */
    public List<JsonNode> events() {
        return events;
    }

    /** The events of one {@code type} (a {@code KilnEvent} record's simple name), in order. */
    public List<JsonNode> events(String type) {
        return events.stream().filter(e -> type.equals(e.path("type").asText())).toList();
    }

    /** How many jobs the run said it had when it started ({@code RunStarted.jobs}); -1 when it never said. */
    public int plannedJobs() {
        return events("RunStarted").stream().mapToInt(e -> e.path("jobs").asInt(-1)).findFirst().orElse(-1);
    }

    /** The last state the journal recorded for each job, by job id, in the order jobs first appear. */
    public Map<String, String> lastStates() {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode e : events("JobStateChanged")) {
            out.put(e.path("jobId").asText(), e.path("to").asText());
        }
        return Collections.unmodifiableMap(out);
    }

    /** Jobs whose last recorded state is not terminal; a run that lost none has none. */
    public List<String> jobsWithoutTerminalState() {
        List<String> out = new ArrayList<>();
        lastStates().forEach((job, state) -> {
            if (!TERMINAL.contains(state)) {
                out.add(job + " (" + state + ")");
            }
        });
        return out;
    }

    /**
     * What every fault scenario asks of a run, checked: each of {@code result}'s jobs ended in a
     * terminal state, in the journal and in junit.xml, the run recorded its end, and every failed
     * job's junit failure starts with its classified cause. {@code story} says what happened, for
     * the failure message.
     */
    public void assertEveryJobRecorded(RunResult result, String story) {
        int jobs = result.jobs().size();
        assertThat(jobsWithoutTerminalState()).as(story).isEmpty();
        assertThat(lastStates()).as(story).hasSize(jobs);
        assertThat(finished()).as(story).isTrue();
        assertThat(junitCases()).as(story).isEqualTo(jobs);
        Map<String, String> failures = junitFailures();
        for (JobResult j : result.jobs()) {
            assertThat(j.state().isTerminal()).as(story).isTrue();
            if (j.state() == JobState.FAILED) {
                assertThat(failures.get(j.job().id().value())).as(story).startsWith(j.failure().name() + ": ");
            }
        }
    }

    /** Whether the run recorded its end ({@code RunFinished}). */
    public boolean finished() {
        return !events("RunFinished").isEmpty();
    }

    /** The build ids the run started builds with, by job id. */
    public Map<String, String> buildIds() {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode e : events("BuildStarted")) {
            out.put(e.path("jobId").asText(), e.path("buildId").asText());
        }
        return Collections.unmodifiableMap(out);
    }

    /** The pids of the packer processes the run started, in order. */
    public List<Long> packerPids() {
        return events("BuildProcess").stream().map(e -> e.path("pid").asLong()).toList();
    }

    /**
     * The {@code <failure message>} of each failed test case of {@code junit.xml}, by job id (read from
     * the case's {@code system-out}, whose first line names the job).
     *
     * @throws AssertionError when junit.xml is missing or not well-formed XML
     */
    public Map<String, String> junitFailures() {
        Document xml = junit();
        Map<String, String> out = new LinkedHashMap<>();
        NodeList cases = xml.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element c = (Element) cases.item(i);
            NodeList failures = c.getElementsByTagName("failure");
            if (failures.getLength() == 0) {
                continue;
            }
            out.put(jobOf(c), ((Element) failures.item(0)).getAttribute("message"));
        }
        return Collections.unmodifiableMap(out);
    }

    /** How many test cases {@code junit.xml} holds. */
    public int junitCases() {
        return junit().getElementsByTagName("testcase").getLength();
    }

    /** {@code report.html} as text. */
    public String html() {
        return read(directory.resolve("report.html"));
    }

    /** {@code summary.md} as text. */
    public String summary() {
        return read(directory.resolve("summary.md"));
    }

    /** Every regular file under the run directory. */
    public List<Path> files() {
        try (var walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Document junit() {
        Path file = directory.resolve("junit.xml");
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(file.toFile());
        } catch (Exception e) {
            throw new AssertionError(file + " is not well-formed XML: " + e.getMessage(), e);
        }
    }

    private static String jobOf(Element testCase) {
        NodeList out = testCase.getElementsByTagName("system-out");
        String text = out.getLength() == 0 ? "" : out.item(0).getTextContent();
        String first = text.lines().findFirst().orElse("");
        return first.startsWith("job ") ? first.substring(4) : testCase.getAttribute("name");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
