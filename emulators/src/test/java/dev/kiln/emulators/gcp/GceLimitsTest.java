package dev.kiln.emulators.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.rpc.InternalException;
import com.google.api.gax.rpc.PermissionDeniedException;
import com.google.api.gax.rpc.ResourceExhaustedException;
import com.google.api.gax.rpc.UnavailableException;
import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.Fault;
import dev.kiln.limits.LimitSpec;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Compute Engine's per-minute rate quotas as the official client meets them: fixed windows that
 * start empty at each minute boundary, per project and per region, answered with the documented
 * 403 {@code rateLimitExceeded} (or 429); projects the caller may not use; injected faults.
 * Virtual time holds the windows still.
 */
class GceLimitsTest {

    private static final String P = "kiln-test";
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:30Z"));
    private GceEmulator gce;
    private Sdk sdk;

    private void start(GceEmulator.Builder builder) {
        gce = builder.timeSource(time).delays(GceDelays.none()).start();
        sdk = new Sdk(gce);
    }

    @AfterEach
    void stop() {
        if (sdk != null) {
            sdk.close();
        }
        if (gce != null) {
            gce.close();
        }
    }

    @Test
    void theReadWindowRefusesTheSixthReadWithTheDocumented403UntilTheMinuteTurns() {
        start(GceEmulator.builder().limit("gce.reads", LimitSpec.fixedWindow(5, MINUTE)));
        for (int i = 0; i < 5; i++) {
            sdk.regions.get(P, "us-east1");
        }

        assertThatThrownBy(() -> sdk.regions.get(P, "us-east1")).isInstanceOf(PermissionDeniedException.class)
                .satisfies(e -> assertThat(Sdk.body(e)).isEqualTo("{\"error\":{\"code\":403,\"message\":\"Quota"
                        + " exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service"
                        + " 'compute.googleapis.com' for consumer 'project_number:" + projectNumber() + "'.\","
                        + "\"errors\":[{\"message\":\"Quota exceeded for quota metric 'Read requests' and limit 'Read"
                        + " requests per minute' of service 'compute.googleapis.com' for consumer 'project_number:"
                        + projectNumber() + "'.\",\"domain\":\"usageLimits\",\"reason\":\"rateLimitExceeded\"}],"
                        + "\"status\":\"PERMISSION_DENIED\",\"details\":[{\"@type\":"
                        + "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"RATE_LIMIT_EXCEEDED\","
                        + "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":\"compute.googleapis.com\","
                        + "\"consumer\":\"projects/" + projectNumber() + "\",\"quota_limit\":\"gce.reads\"}}]}}"));
        assertThat(gce.counters().of("regions.get")).isEqualTo(new ActionCounts(6, 1, 0, 0, 0));

        time.advance(Duration.ofSeconds(29));
        assertThatThrownBy(() -> sdk.projects.get(P)).isInstanceOf(PermissionDeniedException.class);
        time.advance(Duration.ofSeconds(1));
        assertThat(sdk.regions.get(P, "us-east1").getName()).isEqualTo("us-east1");
    }

    private static long projectNumber() {
        return GceWorld.projectNumber(P);
    }

    @Test
    void regionalWindowsAreCountedPerRegionAndGlobalCallsDoNotTouchThem() {
        start(GceEmulator.builder().limit("gce.regional.reads", LimitSpec.fixedWindow(3, MINUTE)));
        for (int i = 0; i < 3; i++) {
            sdk.zones.get(P, "us-east1-b");
        }
        assertThatThrownBy(() -> sdk.regions.get(P, "us-east1")).isInstanceOf(PermissionDeniedException.class)
                .satisfies(e -> assertThat(Sdk.body(e)).contains("in region us-east1.", "rateLimitExceeded",
                        "'Read requests per minute per region'"));
        assertThat(sdk.regions.get(P, "us-west1").getName()).isEqualTo("us-west1");
        assertThat(sdk.images.getFromFamily("debian-cloud", "debian-12").getStatus()).isEqualTo("READY");
        assertThat(sdk.projects.get(P).getName()).isEqualTo(P);
    }

    @Test
    void operationReadsHaveTheirOwnWindow() {
        start(GceEmulator.builder().limit("gce.operation.reads", LimitSpec.fixedWindow(2, MINUTE)));
        var op = sdk.instances.insertCallable().call(com.google.cloud.compute.v1.InsertInstanceRequest.newBuilder()
                .setProject(P).setZone("us-east1-b")
                .setInstanceResource(GceRoundTripTest.buildInstance("builder-1", "e2-micro", "b-1")).build());
        sdk.zoneOperations.get(P, "us-east1-b", op.getName());
        sdk.zoneOperations.get(P, "us-east1-b", op.getName());
        assertThatThrownBy(() -> sdk.zoneOperations.get(P, "us-east1-b", op.getName()))
                .isInstanceOf(PermissionDeniedException.class)
                .satisfies(e -> assertThat(Sdk.body(e)).contains("'Operation read requests per minute'"));
        assertThat(sdk.instances.get(P, "us-east1-b", "builder-1").getStatus()).isEqualTo("RUNNING");
    }

    @Test
    void theNewerFormIs429ResourceExhausted() {
        start(GceEmulator.builder().limit("gce.reads", LimitSpec.fixedWindow(1, MINUTE))
                .throttleStyle(GceEmulator.ThrottleStyle.RESOURCE_EXHAUSTED_429));
        sdk.regions.get(P, "us-east1");
        assertThatThrownBy(() -> sdk.regions.get(P, "us-east1")).isInstanceOf(ResourceExhaustedException.class)
                .satisfies(e -> assertThat(Sdk.body(e)).contains("\"code\":429", "\"status\":\"RESOURCE_EXHAUSTED\"",
                        "\"reason\":\"RATE_LIMIT_EXCEEDED\"", "\"reason\":\"rateLimitExceeded\""));
    }

    @Test
    void withThrottlingOffNothingIsRefused() {
        start(GceEmulator.builder().limit("gce.reads", LimitSpec.fixedWindow(1, MINUTE)).throttling(false));
        for (int i = 0; i < 10; i++) {
            sdk.regions.get(P, "us-east1");
        }
        assertThat(gce.counters().total().throttled()).isZero();
    }

    @Test
    void aProjectTheCallerMayNotUseIsAPlain403WithoutRateLimitReasons() {
        start(GceEmulator.builder().denyProject("someone-elses"));
        assertThatThrownBy(() -> sdk.regions.get("someone-elses", "us-east1"))
                .isInstanceOf(PermissionDeniedException.class)
                .satisfies(e -> assertThat(Sdk.body(e)).contains("\"reason\":\"forbidden\"",
                        "Required 'compute.regions.get' permission for 'projects/someone-elses/regions/us-east1'")
                        .doesNotContain("rateLimitExceeded"));
    }

    @Test
    void injectedOutagesAndErrorsAnswer503And500() {
        start(GceEmulator.builder());
        gce.faults().inject("regions.get", Fault.outage(Duration.ZERO, Duration.ofSeconds(10)));
        gce.faults().inject("projects.get", Fault.errorRate(1.0));
        assertThatThrownBy(() -> sdk.regions.get(P, "us-east1")).isInstanceOf(UnavailableException.class);
        assertThatThrownBy(() -> sdk.projects.get(P)).isInstanceOf(InternalException.class);
        time.advance(Duration.ofSeconds(10));
        assertThat(sdk.regions.get(P, "us-east1").getName()).isEqualTo("us-east1");
        assertThat(gce.counters().total().injectedFaults()).isEqualTo(2);
    }
}
