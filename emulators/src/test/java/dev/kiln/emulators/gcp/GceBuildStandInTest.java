package dev.kiln.emulators.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.limits.LimitSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The googlecompute stand-in, run in-process against the emulator: its call sequence, failures and retries. */
class GceBuildStandInTest {

    private static final String P = "kiln-test";
    private static final GceDelays FAST = GceDelays.uniform(Duration.ofMillis(100));

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(GceEmulator gce, String... extra) {
        List<String> args = new ArrayList<>(List.of("--project", P, "--image-name", "base-dev-1", "--build-id",
                "r1-001", "--machine-type", "e2-standard-2"));
        args.addAll(List.of(extra));
        Map<String, String> env = Map.of("KILN_GCP_ENDPOINT", gce.endpoint().toString(), "KILN_GCP_ZONE",
                "us-east1-b", "KILN_GCP_POLL_SECONDS", "0.05");
        return GceBuildStandIn.run(args.toArray(String[]::new), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** The calls in order, runs of the same call folded into one, e.g. {@code zoneOperations.get*}. */
    private static List<String> folded(List<ApiCall> calls) {
        List<String> out = new ArrayList<>();
        for (ApiCall c : calls) {
            String last = out.isEmpty() ? "" : out.get(out.size() - 1);
            if (last.equals(c.action()) || last.equals(c.action() + "*")) {
                out.set(out.size() - 1, c.action() + "*");
            } else {
                out.add(c.action());
            }
        }
        return out;
    }

    @Test
    void itMakesGooglecomputesCallsAndLeavesOnlyTheLabelledImage() {
        try (GceEmulator gce = GceEmulator.builder().delays(FAST).start()) {
            assertThat(run(gce)).as(err()).isZero();

            assertThat(folded(gce.calls())).containsExactly("images.get", "images.getFromFamily", "zones.get",
                    "machineTypes.get", "instances.insert", "zoneOperations.get*", "instances.get*",
                    "instances.getSerialPortOutput", "instances.delete", "zoneOperations.get*", "images.insert",
                    "globalOperations.get*", "images.get", "disks.delete", "zoneOperations.get*");
            assertThat(gce.calls().get(0).status()).as("the name check finds nothing").isEqualTo(404);
            assertThat(gce.resourcesTagged(GceBuildStandIn.LABEL, "r1-001")).singleElement().satisfies(r -> {
                assertThat(r.type()).isEqualTo("image");
                assertThat(r.id()).isEqualTo("base-dev-1");
                assertThat(r.state()).isEqualTo("READY");
            });
            assertThat(gce.quotaUsage(P, "us-east1", "DISKS_TOTAL_GB")).isZero();
            assertThat(gce.peakQuotaUsage(P, "us-east1", "CPUS")).isEqualTo(2);
            assertThat(out()).contains("==> googlecompute: Creating instance...",
                    "==> googlecompute: image base-dev-1 is READY in project kiln-test");
        }
    }

    @Test
    void withAnExpiryItLabelsTheInstanceAndItsDiskButNotTheImage() {
        List<TaggedResource> midBuild = new java.util.concurrent.CopyOnWriteArrayList<>();
        GceEmulator[] self = new GceEmulator[1];
        try (GceEmulator gce = GceEmulator.builder().delays(FAST).onCall(call -> {
            if (call.action().equals("instances.getSerialPortOutput")) {
                midBuild.addAll(self[0].resourcesTagged(GceBuildStandIn.EXPIRY_LABEL, "1767229200"));
            }
        }).start()) {
            self[0] = gce;

            assertThat(run(gce, "--expires-at", "1767229200")).as(err()).isZero();

            assertThat(midBuild).extracting(TaggedResource::type).containsExactlyInAnyOrder("instance", "disk");
            assertThat(midBuild).allSatisfy(r -> assertThat(r.tags()).containsEntry(GceBuildStandIn.LABEL, "r1-001"));
            assertThat(gce.resourcesTagged(GceBuildStandIn.EXPIRY_LABEL, "1767229200")).isEmpty();
            assertThat(gce.resourcesTagged(GceBuildStandIn.LABEL, "r1-001")).singleElement()
                    .satisfies(r -> assertThat(r.tags()).doesNotContainKey(GceBuildStandIn.EXPIRY_LABEL));
        }
    }

    @Test
    void aQuotaExceededOperationFailsTheBuildWithGooglesWordsAndLeavesNothing() {
        try (GceEmulator gce = GceEmulator.builder().delays(FAST).regionQuota("CPUS", 1).start()) {
            assertThat(run(gce)).isEqualTo(GceBuildStandIn.FAILED);
            assertThat(err()).contains("Error creating instance: QUOTA_EXCEEDED: Quota 'CPUS' exceeded. Limit: 1.0 in"
                    + " region us-east1.");
            assertThat(gce.resourcesTagged(GceBuildStandIn.LABEL, "r1-001")).isEmpty();
            assertThat(gce.counters().of("instances.insert").quotaErrors()).isEqualTo(1);
        }
    }

    @Test
    void anImageNameInUseFailsBeforeAnythingIsCreated() {
        try (GceEmulator gce = GceEmulator.builder().delays(FAST).start()) {
            assertThat(run(gce)).isZero();
            out.reset();
            assertThat(run(gce, "--build-id", "r1-002")).isEqualTo(GceBuildStandIn.FAILED);
            assertThat(err()).contains("Image base-dev-1 already exists");
            assertThat(gce.resourcesTagged(GceBuildStandIn.LABEL, "r1-002")).isEmpty();
        }
    }

    @Test
    void throttledCallsAreRetriedWithBackoffAndSaidInWordsPackersParsersKnow() {
        try (GceEmulator gce = GceEmulator.builder().delays(FAST)
                .limit("gce.operation.reads", LimitSpec.fixedWindow(4, Duration.ofSeconds(2))).start()) {
            assertThat(run(gce)).as(err()).isZero();
            assertThat(gce.counters().total().throttled()).isPositive();
            assertThat(out()).contains("answered 403 rateLimitExceeded; retrying in");
            List<TaggedResource> left = gce.resourcesTagged(GceBuildStandIn.LABEL, "r1-001");
            assertThat(left).extracting(TaggedResource::type).containsExactly("image");
        }
    }

    @Test
    void badArgumentsExitTwoAndSayWhatIsMissing() {
        assertThat(GceBuildStandIn.run(new String[] {"--project", P}, Map.of(), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .isEqualTo(GceBuildStandIn.USAGE);
        assertThat(err()).startsWith("gce-stand-in: --endpoint is required (or KILN_GCP_ENDPOINT)");
    }
}
