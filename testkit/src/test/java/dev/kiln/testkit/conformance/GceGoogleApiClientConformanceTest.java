package dev.kiln.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.emulators.TestCa;
import dev.kiln.emulators.gcp.GceDelays;
import dev.kiln.emulators.gcp.GceEmulator;
import dev.kiln.limits.LimitSpec;
import dev.kiln.testkit.KilnEmulators;
import dev.kiln.time.TimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * google-api-python-client, built from the emulator's own discovery document with a stock service
 * account whose token_uri is the emulator's, not the Java client, against the Compute Engine
 * emulator over HTTPS (issue 19): fingerprints and metadata, an instance's life from an image family
 * view to an image, filtered and paged lists, an aggregated list paged across scopes, a batch, and
 * Compute Engine's error and rate-quota answers as the client received them, byte for byte
 * (PROVIDER_LIMITS.md: 403 rateLimitExceeded, and the newer 429 RESOURCE_EXHAUSTED).
 */
@KilnEmulators
class GceGoogleApiClientConformanceTest {

    private static final String PROJECT = "kiln-conformance";
    /** The throttled emulators' clock stands still, mid-minute: their read window never turns over under the test. */
    private static final Instant STILL = Instant.parse("2026-01-05T09:00:30Z");

    @Test
    void google_api_python_client_runs_against_the_gce_emulator(TestCa ca, @TempDir Path work) throws Exception {
        PythonClient client = new PythonClient("gce_googleapiclient.py", "googleapiclient", "python3-googleapi");
        try (GceEmulator gce = GceEmulator.builder().tls(ca).delays(GceDelays.none()).start();
             GceEmulator throttled = throttled(ca, GceEmulator.ThrottleStyle.FORBIDDEN_403);
             GceEmulator throttled429 = throttled(ca, GceEmulator.ThrottleStyle.RESOURCE_EXHAUSTED_429)) {
            Map<String, JsonNode> checks = client.run(work, ca, Map.of(
                    "KILN_ENDPOINT", gce.tls().orElseThrow().endpoint().toString(),
                    "KILN_THROTTLED_ENDPOINT", throttled.tls().orElseThrow().endpoint().toString(),
                    "KILN_THROTTLED_429_ENDPOINT", throttled429.tls().orElseThrow().endpoint().toString(),
                    "KILN_PROJECT", PROJECT));

            JsonNode metadata = checks.get("metadata");
            assertThat(metadata.path("fingerprintBytes").asInt()).isEqualTo(8);
            assertThat(metadata.at("/items/0/key").asText()).isEqualTo("enable-oslogin");
            assertThat(metadata.at("/stale/status").asInt()).isEqualTo(412);
            assertThat(metadata.at("/stale/body").asText()).isEqualTo("{\"error\":{\"code\":412,\"message\":"
                    + "\"Supplied fingerprint does not match current metadata fingerprint.\",\"errors\":[{\"message\":"
                    + "\"Supplied fingerprint does not match current metadata fingerprint.\",\"domain\":\"global\","
                    + "\"reason\":\"conditionNotMet\"}],\"status\":\"FAILED_PRECONDITION\"}}");

            JsonNode life = checks.get("lifecycle");
            assertThat(life.path("insert").asText()).isEqualTo("DONE");
            assertThat(life.path("status").asText()).isEqualTo("RUNNING");
            assertThat(life.path("sourceImage").asText()).isEqualTo("https://www.googleapis.com/compute/v1/projects/"
                    + "debian-cloud/global/images/debian-12-bookworm-v20260114");
            assertThat(life.path("imageStatus").asText()).isEqualTo("READY");
            assertThat(life.path("instanceGone").asText()).isEqualTo("notFound");

            JsonNode lists = checks.get("lists");
            assertThat(lists.path("names").toString()).isEqualTo("[\"web-0\",\"web-1\",\"web-2\",\"web-3\",\"web-4\"]");
            assertThat(lists.path("pages").asInt()).isEqualTo(3);
            assertThat(lists.path("operationScopes").toString()).isEqualTo("[\"global\",\"zones/us-east1-b\"]");
            assertThat(lists.path("operations").asInt()).isEqualTo(11);

            assertThat(checks.get("batch").path("answers").toString())
                    .isEqualTo("{\"instance\":\"web-0\",\"missing\":404,\"zone\":\"us-east1-b\"}");
            assertThat(gce.counters().snapshot().get("batch").calls()).isEqualTo(1);

            JsonNode notFound = checks.get("notFound");
            assertThat(notFound.path("status").asInt()).isEqualTo(404);
            assertThat(notFound.path("body").asText()).isEqualTo("{\"error\":{\"code\":404,\"message\":\"The resource"
                    + " 'projects/" + PROJECT + "/global/images/missing' was not found\",\"errors\":[{\"message\":\"The"
                    + " resource 'projects/" + PROJECT + "/global/images/missing' was not found\",\"domain\":"
                    + "\"global\",\"reason\":\"notFound\"}],\"status\":\"NOT_FOUND\"}}");

            JsonNode unsupported = checks.get("unsupported");
            String url = "GET /compute/v1/projects/" + PROJECT + "/zones/us-east1-b/instanceGroups";
            assertThat(unsupported.path("status").asInt()).isEqualTo(404);
            assertThat(unsupported.path("body").asText()).isEqualTo("{\"error\":{\"code\":404,\"message\":\"The"
                    + " requested URL " + url + " was not found on this server.\",\"errors\":[{\"message\":\"The"
                    + " requested URL " + url + " was not found on this server.\",\"domain\":\"global\",\"reason\":"
                    + "\"notFound\"}],\"status\":\"NOT_FOUND\"}}");
            assertThat(gce.unknownRoutes()).containsExactly(url);

            String number = metadata.path("projectNumber").asText();
            assertThat(number).matches("\\d{12}");
            String quota = "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of"
                    + " service 'compute.googleapis.com' for consumer 'project_number:" + number + "'.";
            String info = "{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"RATE_LIMIT_EXCEEDED\","
                    + "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":\"compute.googleapis.com\",\"consumer\":"
                    + "\"projects/" + number + "\",\"quota_limit\":\"gce.reads\"}}";
            JsonNode forbidden = checks.get("throttled");
            assertThat(forbidden.path("status").asInt()).isEqualTo(403);
            assertThat(forbidden.path("body").asText()).isEqualTo("{\"error\":{\"code\":403,\"message\":\"" + quota
                    + "\",\"errors\":[{\"message\":\"" + quota + "\",\"domain\":\"usageLimits\",\"reason\":"
                    + "\"rateLimitExceeded\"}],\"status\":\"PERMISSION_DENIED\",\"details\":[" + info + "]}}");
            JsonNode exhausted = checks.get("throttled429");
            assertThat(exhausted.path("status").asInt()).isEqualTo(429);
            assertThat(exhausted.path("body").asText()).isEqualTo("{\"error\":{\"code\":429,\"message\":\"" + quota
                    + "\",\"errors\":[{\"message\":\"" + quota + "\",\"domain\":\"global\",\"reason\":"
                    + "\"rateLimitExceeded\"}],\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[" + info + "]}}");
            assertThat(throttled.counters().total().throttled()).isEqualTo(1);
        }
    }

    /** An emulator whose project read quota holds two calls a minute, on a clock that stands still. */
    private static GceEmulator throttled(TestCa ca, GceEmulator.ThrottleStyle style) {
        return GceEmulator.builder().tls(ca).timeSource(TimeSource.virtual(STILL)).delays(GceDelays.none())
                .throttleStyle(style).limit("gce.reads", LimitSpec.fixedWindow(2, Duration.ofMinutes(1))).start();
    }
}
