package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.event.KilnEvent;
import dev.kiln.job.JobState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

    @Test
    void serves_the_runs_meters_as_prometheus_text_on_loopback() throws Exception {
        try (MetricsServer server = MetricsServer.start(0)) {
            // Given a build waiting and a throttle seen
            Instant t = Instant.parse("2026-01-05T09:00:00Z");
            server.listener().onEvent(new KilnEvent.JobStateChanged(t, "k1", "a/aws/1/us-east-1/dev",
                    JobState.PREFLIGHT, JobState.WAITING, 0, ""));
            server.listener().onEvent(new KilnEvent.ThrottleObserved(t, "k1", "aws/1/us-east-1#RunInstances", "sdk"));
            HttpClient http = HttpClient.newHttpClient();

            // When
            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create(server.url())).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port() + "/")).build(), HttpResponse.BodyHandlers.ofString());

            // Then
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("text/plain; version=0.0.4"));
            assertThat(scrape.body()).contains("kiln_queue_depth 1.0").contains("kiln_builds{state=\"waiting\"} 1.0")
                    .contains("kiln_throttles_total{limit=\"RunInstances\",scope=\"aws/1/us-east-1\"} 1.0");
            assertThat(other.statusCode()).isEqualTo(404);
            assertThat(server.url()).startsWith("http://127.0.0.1:");
        }
    }
}
