package dev.kiln.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.packer.Artifact;
import dev.kiln.internal.run.EventLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
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
}
