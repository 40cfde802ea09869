package dev.kiln.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.packer.Artifact;
import dev.kiln.internal.run.EventLog;
import dev.kiln.internal.run.EventLogReader;
import dev.kiln.limits.Quota;
import dev.kiln.limits.Scope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {

    @Test
    void every_event_is_one_json_line_with_its_type(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.jsonl");
        Instant at = Instant.parse("2026-01-05T09:00:00Z");
        try (EventLog log = new EventLog(file)) {
            log.onEvent(new KilnEvent.JobStateChanged(at, "k1", "base/aws/1/us-east-1/dev", JobState.WAITING,
                    JobState.RUNNING, 1, "attempt 1"));
            log.onEvent(new KilnEvent.BuildEnded(at, "k1", "base/aws/1/us-east-1/dev", 1, false,
                    FailureClass.PROVISIONER_FAILED, "Script exited with non-zero exit status: 1",
                    List.of(new Artifact("amazon-ebs", "mitchellh.amazonebs", "us-east-1:ami-1", List.of()))));
        }

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("type").asText()).isEqualTo("JobStateChanged");
        assertThat(first.get("at").asText()).isEqualTo("2026-01-05T09:00:00Z");
        assertThat(first.get("to").asText()).isEqualTo("RUNNING");
        JsonNode second = new ObjectMapper().readTree(lines.get(1));
        assertThat(second.get("failure").asText()).isEqualTo("PROVISIONER_FAILED");
        assertThat(second.get("artifacts").get(0).get("id").asText()).isEqualTo("us-east-1:ami-1");
    }

    @Test
    void every_event_type_reads_back_as_it_was_written(@TempDir Path dir) {
        // Given one event of every type, with every kind of field filled
        Instant at = Instant.parse("2026-01-05T09:00:00.123Z");
        String job = "base/aws/123456789012/us-east-1/dev";
        List<KilnEvent> events = List.of(
                new KilnEvent.RunStarted(at, "k1", "fleet", 3, dir.resolve("k1"), "packer 1.6.6"),
                new KilnEvent.PlanOrigin(at, "k1", "/plans/fleet.yaml", at.minusSeconds(5), "abc123"),
                new KilnEvent.TemplateUsed(at, "k1", "/plans/templates/base.json", "9f86d0", "abc123"),
                new KilnEvent.TemplateUsed(at, "k1", "/plans/templates/app", "9f86d1", null),
                new KilnEvent.RunResumed(at, "k1", 2, 1, 1),
                new KilnEvent.BuildProcess(at, "k1", job, 1, 4242L),
                new KilnEvent.JobStateChanged(at, "k1", job, JobState.PLANNED, JobState.QUEUED, 0, ""),
                new KilnEvent.JobWaiting(at, "k1", job, "waiting for vcpus quota"),
                new KilnEvent.BuildStarted(at, "k1", job, 1, "base-dev-1", "k1-000", "aws/123456789012/us-east-1",
                        dir.resolve("attempt-1.log"), Map.of("DescribeInstances", 2.5), Map.of("vcpus", 2L)),
                new KilnEvent.PackerOutput(at, "k1", job, 1, "say", "==> amazon-ebs: Creating temporary keypair"),
                new KilnEvent.BuildEnded(at, "k1", job, 1, false, FailureClass.THROTTLED, "RequestLimitExceeded",
                        List.of(new Artifact("amazon-ebs", "mitchellh.amazonebs", "us-east-1:ami-1", List.of("a")))),
                new KilnEvent.BuildEnded(at, "k1", job, 2, true, null, "", List.of()),
                new KilnEvent.ArtifactVerified(at, "k1", job, List.of("ami-1"), List.of()),
                new KilnEvent.Swept(at, "k1", job, "k1-000", List.of("i-1", "vol-2"), List.of("sg-3: in use")),
                new KilnEvent.ThrottleObserved(at, "k1", "aws/123456789012/us-east-1#RunInstances", "packer"),
                new KilnEvent.RateAdjusted(at, "k1", "aws/123456789012/us-east-1#RunInstances", 2.0, 1.0),
                new KilnEvent.BudgetSample(at, "k1", "aws/123456789012/us-east-1#RunInstances", 3.5, 5, 0.2, 2),
                new KilnEvent.ApiCallsMetered(at, "k1", job, 1, "aws/123456789012/us-east-1",
                        Map.of("RunInstances", new ApiUse(3, 1, 1, 2500, 2.5), "", new ApiUse(2, 0, 0, 0, 0))),
                new KilnEvent.NetworkProblem(at, "k1", job, 1, "ec2.us-east-1.amazonaws.com",
                        "kiln gate: cannot resolve ec2.us-east-1.amazonaws.com"),
                new KilnEvent.QuotaProbed(at, "k1", "aws/123456789012/us-east-1",
                        Map.of("vcpus", new Quota("vcpus", Scope.REGION, 64, 8))),
                new KilnEvent.RunForecast(at, "k1", 754_000, Map.of(job, 12_500L)),
                new KilnEvent.Refused(at, "k1", job, "NAME_TAKEN", "an image named 'x' already exists"),
                new KilnEvent.RunFinished(at, "k1", Map.of(JobState.SUCCEEDED, 2, JobState.FAILED, 1), 1234));
        Set<String> covered = events.stream().map(e -> e.getClass().getSimpleName()).collect(Collectors.toSet());
        assertThat(covered).as("one of every event type").containsExactlyInAnyOrderElementsOf(
                Arrays.stream(KilnEvent.class.getPermittedSubclasses()).map(Class::getSimpleName).toList());
        Path file = dir.resolve("events.jsonl");
        try (EventLog log = new EventLog(file)) {
            events.forEach(log::onEvent);
        }

        // When
        List<KilnEvent> read = EventLogReader.read(file);

        // Then
        assertThat(read).containsExactlyElementsOf(events);
    }

    @Test
    void a_torn_last_line_and_unknown_types_are_skipped(@TempDir Path dir) throws Exception {
        // Given the journal of a run that crashed mid-write, from a newer Kiln
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, """
                {"type":"JobWaiting","at":"2026-01-05T09:00:00Z","runId":"k1","jobId":"a/b/c/d/e","reason":"slot"}
                {"type":"SomethingNew","at":"2026-01-05T09:00:01Z","runId":"k1"}
                {"type":"JobWaiting","at":"2026-01-05T09:00:02Z","runId":"k1","jobId":"a/b/c/d/e","rea""");

        // When
        List<KilnEvent> read = EventLogReader.read(file);

        // Then
        assertThat(read).singleElement().isInstanceOf(KilnEvent.JobWaiting.class);
    }
}
