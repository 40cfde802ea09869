package dev.kiln.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A run directory read as a person or a CI server reads it, without Kiln's own readers: the journal
 * line by line, junit.xml with an XML parser, report.html as text. (The testkit's RunAudit does the
 * same for the provider modules; core cannot depend on the testkit.)
 */
final class RunChecks {

    static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    RunChecks(Path runDirectory) {
        this.dir = runDirectory;
    }

    /** The last state the journal recorded for each job. */
    Map<String, String> lastStates() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("events.jsonl"), StandardCharsets.UTF_8)) {
            JsonNode e = JSON.readTree(line);
            if (e.path("type").asText().equals("JobStateChanged")) {
                out.put(e.path("jobId").asText(), e.path("to").asText());
            }
        }
        return out;
    }

    /** The failure message of each failed test case in junit.xml, by job id. */
    Map<String, String> junitFailures() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document xml = f.newDocumentBuilder().parse(dir.resolve("junit.xml").toFile());
        Map<String, String> out = new LinkedHashMap<>();
        NodeList cases = xml.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element c = (Element) cases.item(i);
            NodeList failures = c.getElementsByTagName("failure");
            if (failures.getLength() > 0) {
                String job = c.getElementsByTagName("system-out").item(0).getTextContent().lines().findFirst()
                        .orElse("").replaceFirst("^job ", "");
                out.put(job, ((Element) failures.item(0)).getAttribute("message"));
            }
        }
        return out;
    }

    String html() throws IOException {
        return Files.readString(dir.resolve("report.html"), StandardCharsets.UTF_8);
    }

    /** Every job of {@code jobs} has a terminal state in the journal; returns the states. */
    Map<String, String> assertEveryJobTerminal(int jobs) throws IOException {
        Map<String, String> states = lastStates();
        assertThat(states).as("jobs in the journal").hasSize(jobs);
        assertThat(states).as("last recorded states").allSatisfy((job, state) ->
                assertThat(TERMINAL).as(job).contains(state));
        return states;
    }
}
