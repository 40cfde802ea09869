package dev.kiln.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.auth.oauth2.GoogleCredentials;
import dev.kiln.KilnException;
import dev.kiln.emulators.Fault;
import dev.kiln.emulators.gcp.GceDelays;
import dev.kiln.emulators.gcp.GceEmulator;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.Scope;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Demand;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.PlanException;
import dev.kiln.plan.Target;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.SweepReport;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the GCP provider tells Kiln and how it behaves when Compute Engine pushes back, against the
 * emulator. Virtual time (shared by the emulator and the provider) makes backoff instant and
 * rate windows exact.
 */
class GcpProviderTest {

    private static final String P = "kiln-test";
    private static final String ZONE = "us-east1-b";
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:10Z"));
    private final RecordingContext context = new RecordingContext(time);
    private final Target target = Target.of("gcp", P, "us-east1");
    private GceEmulator gce;
    private GceFixture fixture;
    private GcpProvider gcp;

    private void start(GceEmulator.Builder emulator, GcpProvider.Builder provider) {
        gce = emulator.timeSource(time).start();
        fixture = new GceFixture(gce);
        gcp = provider.endpoint(gce.endpoint()).noCredentials()
                .operationPolling(Duration.ofMillis(100), Duration.ofMinutes(5)).build();
        gcp.start(context);
    }

    private void start() {
        start(GceEmulator.builder().delays(GceDelays.none()), GcpProvider.builder());
    }

    @AfterEach
    void stop() {
        if (gcp != null) {
            gcp.close();
        }
        if (fixture != null) {
            fixture.close();
        }
        if (gce != null) {
            gce.close();
        }
    }

    private BuildJob job(String machineType, String imageName, String buildId) {
        ImageSpec image = ImageSpec.builder("base", Path.of("/templates/gce.json"), "googlecompute")
                .instanceSize(machineType).build();
        return new BuildJob(JobId.of("base", target, "dev"), image, target, "dev", imageName, buildId, Set.of(),
                Demand.NONE);
    }

    @Test
    void theProbeMapsRegionAndProjectQuotasToKilnsMetricsWithTheirScopes() {
        start(GceEmulator.builder().delays(GceDelays.none()).regionQuota("CPUS", 8).regionQuota("N2_CPUS", 6)
                .projectQuota("CPUS_ALL_REGIONS", 20), GcpProvider.builder());
        fixture.await(P, fixture.instance(P, ZONE, "other-1", "n2-standard-2", "someone-else"));

        QuotaSnapshot snapshot = gcp.probeQuotas(target);

        assertThat(snapshot.target()).isEqualTo(target);
        assertThat(snapshot.quotas()).containsEntry("vcpus", new Quota("vcpus", Scope.REGION, 8, 2))
                .containsEntry("N2_CPUS", new Quota("N2_CPUS", Scope.REGION, 6, 2))
                .containsEntry("instances", new Quota("instances", Scope.REGION, 100, 1))
                .containsEntry("disk_gb", new Quota("disk_gb", Scope.REGION, 4096, 10))
                .containsEntry("addresses", new Quota("addresses", Scope.REGION, 8, 1))
                .containsEntry("images", new Quota("images", Scope.ACCOUNT, 2000, 0))
                .containsEntry("CPUS_ALL_REGIONS", new Quota("CPUS_ALL_REGIONS", Scope.ACCOUNT, 20, 2))
                .containsKeys("E2_CPUS", "SSD_TOTAL_GB");
        assertThat(context.acquired).containsExactly("read", "read");
    }

    @Test
    void aBuildsDemandComesFromItsMachineTypeAndItsFamilyMetric() {
        start();
        assertThat(gcp.demandOf(job("n2-standard-4", "img", "b-1")).amounts()).containsExactlyInAnyOrderEntriesOf(
                Map.of("vcpus", 4L, "N2_CPUS", 4L, "CPUS_ALL_REGIONS", 4L, "instances", 1L, "disk_gb", 10L,
                        "addresses", 1L, "images", 1L));
        assertThat(gcp.demandOf(job("e2-micro", "img", "b-1")).amounts()).containsEntry("vcpus", 2L)
                .containsEntry("E2_CPUS", 2L);
        assertThat(gcp.demandOf(job("n1-standard-8", "img", "b-1")).amounts()).containsEntry("vcpus", 8L)
                .doesNotContainKeys("N1_CPUS", "N2_CPUS");
        assertThat(gcp.demandOf(job(null, "img", "b-1")).get("vcpus")).as("packer's default n1-standard-1")
                .isEqualTo(1);

        Target ssdTarget = new Target("gcp", P, "us-east1", Map.of("disk_type", "pd-ssd", "omit_external_ip", "true"));
        ImageSpec image = ImageSpec.builder("big", Path.of("/t.json"), "googlecompute").instanceSize("c2-standard-8")
                .diskGb(50).build();
        Demand ssd = gcp.demandOf(new BuildJob(JobId.of("big", ssdTarget, "dev"), image, ssdTarget, "dev", "big",
                "b-2", Set.of(), Demand.NONE));
        assertThat(ssd.amounts()).containsEntry("SSD_TOTAL_GB", 50L).containsEntry("C2_CPUS", 8L)
                .doesNotContainKeys("disk_gb", "addresses");
    }

    @Test
    void anUnknownMachineTypeIsAskedOfTheApiAndAMissingOneIsAClearError() {
        start();
        gcp.probeQuotas(target);
        assertThatThrownBy(() -> gcp.demandOf(job("n9-weird", "img", "b-1"))).isInstanceOf(KilnException.class)
                .hasMessage("machine type 'n9-weird' does not exist in zone us-east1-b of project 'kiln-test'");
        assertThat(gce.counters().of("machineTypes.get").calls()).isEqualTo(1);
    }

    @Test
    void imageNamesAreCheckedProjectWideWhateverTheRegion() {
        start();
        fixture.await(P, fixture.image(P, "base-dev-1", "b-1"));
        assertThat(gcp.imageExists(Target.of("gcp", P, "europe-west1"), "base-dev-1")).isTrue();
        assertThat(gcp.imageExists(Target.of("gcp", P, "us-east1"), "base-dev-1")).isTrue();
        assertThat(gcp.imageExists(Target.of("gcp", "another-project", "us-east1"), "base-dev-1")).isFalse();
        assertThat(gcp.imageExists(target, "base-dev-2")).isFalse();
        assertThat(gcp.nameRule().uniquenessScope(Target.of("gcp", P, "europe-west1")))
                .isEqualTo(gcp.nameRule().uniquenessScope(target));
    }

    @Test
    void aPlanGivingTwoRegionsOfOneProjectTheSameImageNameIsRefused(@TempDir Path dir) throws Exception {
        Path template = Files.writeString(dir.resolve("gce.json"), """
                {"builders": [{"type": "googlecompute", "project_id": "{{user `kiln_account`}}",
                  "zone": "{{user `kiln_region`}}-b", "image_name": "{{user `kiln_image_name`}}",
                  "machine_type": "e2-standard-2", "source_image_family": "debian-12", "ssh_username": "packer",
                  "image_labels": {"kiln-build-id": "{{user `kiln_build_id`}}"},
                  "labels": {"kiln-build-id": "{{user `kiln_build_id`}}"}}]}
                """);
        Fleet.Builder fleet = Fleet.builder("names").environments("dev").naming("{image}-{env}")
                .target(Target.of("gcp", P, "us-east1")).target(Target.of("gcp", P, "europe-west1"))
                .image(ImageSpec.builder("base", template, "googlecompute").build());
        assertThatThrownBy(() -> fleet.build(PlanContext.of(time))).isInstanceOf(PlanException.class)
                .hasMessageContaining("base-dev").hasMessageContaining("gcp/" + P);

        BuildPlan perRegion = Fleet.builder("names").environments("dev").naming("{image}-{region}-{env}")
                .target(Target.of("gcp", P, "us-east1")).target(Target.of("gcp", P, "europe-west1"))
                .image(ImageSpec.builder("base", template, "googlecompute").build())
                .build(PlanContext.of(time));
        assertThat(perRegion.jobs()).extracting(BuildJob::imageName)
                .containsExactly("base-us-east1-dev", "base-europe-west1-dev");
    }

    @Test
    void aThrottledCallSlowsTheGateAndIsRetriedAfterBackoffUntilTheWindowTurns() {
        start(GceEmulator.builder().delays(GceDelays.none()).limit("gce.reads", LimitSpec.fixedWindow(2, MINUTE)),
                GcpProvider.builder().maxAttempts(10));
        gcp.probeQuotas(target);
        Instant before = time.now();

        assertThat(gcp.imageExists(target, "base-dev-1")).isFalse();

        long throttles = gce.counters().of("images.get").throttled();
        assertThat(throttles).isPositive();
        assertThat(context.throttled).hasSize((int) throttles).containsOnly("read");
        assertThat(context.acquired).hasSize(2 + (int) throttles + 1);
        assertThat(time.now()).as("waited in virtual time for the next minute").isAfterOrEqualTo(
                Instant.parse("2026-01-05T09:01:00Z")).isAfter(before);
    }

    @Test
    void the429FormIsAThrottleToo() {
        start(GceEmulator.builder().delays(GceDelays.none()).limit("gce.reads", LimitSpec.fixedWindow(1, MINUTE))
                .throttleStyle(GceEmulator.ThrottleStyle.RESOURCE_EXHAUSTED_429), GcpProvider.builder().maxAttempts(10));
        assertThat(gcp.imageExists(target, "x")).isFalse();
        assertThat(gcp.imageExists(target, "y")).isFalse();
        assertThat(context.throttled).isNotEmpty().containsOnly("read");
    }

    @Test
    void throttlesThatNeverEndFailWithAMessageAboutLimitsAfterTheLastAttempt() {
        start(GceEmulator.builder().delays(GceDelays.none()).limit("gce.reads", LimitSpec.fixedWindow(1,
                Duration.ofHours(1))), GcpProvider.builder().maxAttempts(3));
        gcp.imageExists(target, "x");
        assertThatThrownBy(() -> gcp.imageExists(target, "y")).isInstanceOf(KilnException.class)
                .hasMessage("Compute Engine kept refusing images.get in project 'kiln-test' with rate-limit errors"
                        + " (rateLimitExceeded, RATE_LIMIT_EXCEEDED, PERMISSION_DENIED) after 3 attempts: Kiln's"
                        + " limits for gcp/kiln-test are above what the project allows; lower them in the plan's"
                        + " limits block");
        assertThat(context.throttled).hasSize(3);
    }

    @Test
    void aForbiddenProjectIsAnAccessErrorNamingTheProjectNotAThrottleAndNotRetried() {
        start(GceEmulator.builder().delays(GceDelays.none()).denyProject("secret-project"), GcpProvider.builder());
        Target forbidden = Target.of("gcp", "secret-project", "us-east1");

        assertThatThrownBy(() -> gcp.probeQuotas(forbidden)).isInstanceOf(KilnException.class)
                .hasMessage("Compute Engine denied regions.get in project 'secret-project' (HTTP 403 (forbidden,"
                        + " PERMISSION_DENIED): Required 'compute.regions.get' permission for"
                        + " 'projects/secret-project/regions/us-east1'): the credentials Kiln runs with have no access"
                        + " there, or lack the permission; grant them Compute Instance Admin (v1) and Compute Storage"
                        + " Admin in project 'secret-project', or fix the project name");
        assertThat(context.throttled).isEmpty();
        assertThat(gce.counters().of("regions.get").calls()).isEqualTo(1);
    }

    @Test
    void anOutageIsRetriedWithoutCallingItAThrottle() {
        start();
        gce.faults().inject("regions.get", Fault.outage(Duration.ZERO, Duration.ofSeconds(5)));
        assertThat(gcp.probeQuotas(target).quotas()).containsKey("vcpus");
        assertThat(gce.counters().of("regions.get").injectedFaults()).isPositive();
        assertThat(context.throttled).isEmpty();
    }

    @Test
    void anUnknownRegionIsAClearError() {
        start();
        assertThatThrownBy(() -> gcp.probeQuotas(Target.of("gcp", P, "us-east-1"))).isInstanceOf(KilnException.class)
                .hasMessage("Compute Engine has no region 'us-east-1' in project 'kiln-test' (target"
                        + " gcp/kiln-test/us-east-1); use a region name such as us-east1");
    }

    @Test
    void verificationWantsAReadyImageLabelledWithTheBuildId() {
        start(GceEmulator.builder().delays(GceDelays.uniform(Duration.ofSeconds(1))), GcpProvider.builder());
        fixture.await(P, fixture.image(P, "base-dev-1", "b-1"));
        fixture.await(P, fixture.image(P, "base-dev-2", null));
        fixture.image(P, "base-dev-3", "b-3");

        ArtifactCheck ok = gcp.verifyArtifact(job("e2-micro", "base-dev-1", "b-1"), List.of(
                new Artifact("googlecompute", GcpProvider.GOOGLECOMPUTE_BUILDER_ID, "base-dev-1", List.of())));
        assertThat(ok.ok()).isTrue();
        assertThat(ok.verified()).containsExactly("projects/kiln-test/global/images/base-dev-1");

        ArtifactCheck byName = gcp.verifyArtifact(job("e2-micro", "base-dev-1", "b-1"),
                List.of(new Artifact("null", "null", "Null", List.of())));
        assertThat(byName.ok()).as("no googlecompute artifact: the job's image name").isTrue();

        assertThat(gcp.verifyArtifact(job("e2-micro", "base-dev-2", "b-2"), List.of()).problems()).containsExactly(
                "image projects/kiln-test/global/images/base-dev-2 is labelled kiln-build-id=(none), not b-2: it was"
                        + " not made by this build, or the template does not set image_labels");
        assertThat(gcp.verifyArtifact(job("e2-micro", "base-dev-3", "b-3"), List.of()).problems()).containsExactly(
                "image projects/kiln-test/global/images/base-dev-3 is PENDING, not READY");
        assertThat(gcp.verifyArtifact(job("e2-micro", "base-dev-4", "b-4"), List.of()).problems()).containsExactly(
                "no image base-dev-4 in project 'kiln-test'");

        ArtifactCheck half = gcp.verifyArtifact(job("e2-micro", "base-dev-1", "b-1"), List.of(
                new Artifact("googlecompute", GcpProvider.GOOGLECOMPUTE_BUILDER_ID, "base-dev-1,base-dev-5", List.of())));
        assertThat(half.ok()).isFalse();
        assertThat(half.verified()).containsExactly("projects/kiln-test/global/images/base-dev-1");
        assertThat(half.problems()).containsExactly("no image base-dev-5 in project 'kiln-test'");
    }

    @Test
    void aSweepDeletesTheInstanceItsKeptBootDiskLabelledDisksAndUnfinishedImagesButKeepsReadyOnes() {
        Duration second = Duration.ofSeconds(1);
        start(GceEmulator.builder().delays(new GceDelays(Duration.ZERO, second, second, Duration.ofMinutes(10), second)),
                GcpProvider.builder());
        fixture.await(P, fixture.instance(P, ZONE, "packer-1", "e2-standard-2", "b-1"));
        fixture.await(P, fixture.disk(P, "us-east1-c", "scratch-1", "b-1"));
        fixture.await(P, fixture.image(P, "done-1", "b-1"));
        fixture.image(P, "failed-1", "b-1");
        gce.failImage(P, "failed-1");
        fixture.image(P, "pending-1", "b-1");
        fixture.await(P, fixture.instance(P, ZONE, "someone-else", "e2-standard-2", "b-2"));

        SweepReport report = gcp.sweep(target, "b-1");

        assertThat(report.failed()).isEmpty();
        assertThat(report.deleted()).containsExactly("instance/us-east1-b/packer-1", "disk/us-east1-c/scratch-1",
                "disk/us-east1-b/packer-1", "image/failed-1", "image/pending-1");
        assertThat(gce.resourcesTagged(GcpProvider.BUILD_ID_LABEL, "b-1")).singleElement()
                .satisfies(r -> assertThat(r.id()).isEqualTo("done-1"));
        assertThat(gce.resourcesTagged(GcpProvider.BUILD_ID_LABEL, "b-2")).isNotEmpty();
        assertThat(gce.quotaUsage(P, "us-east1", "DISKS_TOTAL_GB")).as("only b-2's boot disk").isEqualTo(10);
        assertThat(context.acquired).contains("aggregated.list", "write", "operation.get", "global.write", "read");

        assertThat(gcp.sweep(target, "b-1").deleted()).isEmpty();
    }

    @Test
    void anExpiredSweepTakesWhatExpiredAcrossTheProjectInstancesFirstAndKeepsEveryImage() {
        // Given, at 09:00, a killed build's instance, its kept boot disk and a scratch disk in another zone,
        // expired at 08:00; a running build's instance expiring at 10:00; an unlabelled disk; and images
        // whose labels say they expired, one finished and one that failed
        Duration second = Duration.ofSeconds(1);
        start(GceEmulator.builder().delays(new GceDelays(Duration.ZERO, second, second, Duration.ofMinutes(10), second)),
                GcpProvider.builder());
        Instant now = time.now();
        Map<String, String> expired = Map.of(GcpProvider.BUILD_ID_LABEL, "b-old", GcpProvider.EXPIRY_LABEL,
                Long.toString(now.getEpochSecond() - 3600));
        Map<String, String> fresh = Map.of(GcpProvider.BUILD_ID_LABEL, "b-new", GcpProvider.EXPIRY_LABEL,
                Long.toString(now.getEpochSecond() + 3600));
        fixture.await(P, fixture.instance(P, ZONE, "packer-old", "e2-standard-2", expired));
        fixture.await(P, fixture.disk(P, "us-east1-c", "scratch-old", expired));
        fixture.await(P, fixture.instance(P, ZONE, "packer-new", "e2-standard-2", fresh));
        fixture.await(P, fixture.disk(P, ZONE, "unlabelled", Map.of()));
        fixture.await(P, fixture.labelledImage(P, "done-old", expired));
        fixture.labelledImage(P, "failed-old", expired);
        gce.failImage(P, "failed-old");

        // When
        SweepReport first = gcp.sweepExpired(target, now);
        SweepReport again = gcp.sweepExpired(target, now);

        // Then
        assertThat(first.failed()).isEmpty();
        assertThat(first.deleted()).containsExactly("instance/us-east1-b/packer-old", "disk/us-east1-c/scratch-old",
                "disk/us-east1-b/packer-old");
        assertThat(again.deleted()).isEmpty();
        assertThat(again.clean()).isTrue();
        assertThat(gce.resourcesTagged(GcpProvider.BUILD_ID_LABEL, "b-old")).extracting(r -> r.id())
                .containsExactlyInAnyOrder("done-old", "failed-old");
        assertThat(gce.resourcesTagged(GcpProvider.BUILD_ID_LABEL, "b-new")).isNotEmpty();
        assertThat(fixture.disksNamedLike(P, "unlabelled")).hasSize(1);
        assertThat(fixture.disksNamedLike(P, "packer-new")).hasSize(1);
        assertThat(context.acquired).contains("aggregated.list", "write", "operation.get", "read")
                .doesNotContain("global.write");
    }

    @Test
    void anExpiredSweepReportsALabelThatIsNotEpochSecondsAndDeletesNothing() {
        start();
        fixture.await(P, fixture.disk(P, ZONE, "odd", Map.of(GcpProvider.EXPIRY_LABEL, "never")));

        SweepReport report = gcp.sweepExpired(target, time.now());

        assertThat(report.deleted()).isEmpty();
        assertThat(report.failed()).containsExactly("disk/us-east1-b/odd: kiln-expires-at='never' is not an expiry"
                + " (epoch seconds, such as 1767225600); left in place");
        assertThat(fixture.disksNamedLike(P, "odd")).hasSize(1);
    }

    @Test
    void everyCallTheProviderMakesPassesTheGate() {
        start();
        fixture.await(P, fixture.instance(P, ZONE, "packer-1", "e2-micro", "b-1"));
        gce.counters().reset();

        gcp.probeQuotas(target);
        assertThatThrownBy(() -> gcp.demandOf(job("zz-unlisted-2", "img", "b-1"))).isInstanceOf(KilnException.class);
        gcp.imageExists(target, "x");
        gcp.verifyArtifact(job("e2-micro", "x", "b-1"), List.of());
        gcp.sweep(target, "b-1");

        assertThat(gce.counters().total().calls()).isGreaterThan(8);
        assertThat(context.acquired).hasSize((int) gce.counters().total().calls());
    }

    @Test
    void realServiceAccountCredentialsReachTheApiAndStayOutOfMessagesAndPackersEnvironment() throws Exception {
        gce = GceEmulator.builder().timeSource(time).delays(GceDelays.none()).denyProject("secret-project").start();
        KeyPairGenerator keys = KeyPairGenerator.getInstance("RSA");
        keys.initialize(2048);
        String privateKey = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keys.generateKeyPair().getPrivate().getEncoded());
        String file = """
                {"type": "service_account", "project_id": "kiln-test", "private_key_id": "kiln-test-key-1",
                 "private_key": "-----BEGIN PRIVATE KEY-----\\n%s\\n-----END PRIVATE KEY-----\\n",
                 "client_email": "kiln-builds@kiln-test.iam.gserviceaccount.com", "client_id": "1234567890",
                 "token_uri": "%s/token"}
                """.formatted(privateKey.replace("\n", "\\n"), gce.endpoint());
        GoogleCredentials credentials = GoogleCredentials.fromStream(new ByteArrayInputStream(
                file.getBytes(StandardCharsets.UTF_8))).createScoped("https://www.googleapis.com/auth/compute");
        gcp = GcpProvider.builder().endpoint(gce.endpoint()).credentials(FixedCredentialsProvider.create(credentials))
                .build();
        gcp.start(context);

        assertThat(gcp.probeQuotas(target).quotas()).containsKey("vcpus");
        assertThat(gce.callsWithBearerToken()).as("calls that carried the service account's token").isEqualTo(2);
        String someKeyMaterial = privateKey.substring(100, 140);
        assertThatThrownBy(() -> gcp.probeQuotas(Target.of("gcp", "secret-project", "us-east1")))
                .isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains("secret-project")
                        .doesNotContain(someKeyMaterial, "kiln-emulator-token", "kiln-test-key-1"));
        assertThat(String.join(" ", gcp.packerEnv(target, new Budget(30, 1)).values()))
                .doesNotContain(someKeyMaterial, "kiln-emulator-token", "kiln-test-key-1", "kiln-builds@");
    }

    @Test
    void packersEnvironmentCarriesPollingZoneAndEndpointButNoSecret() {
        start();
        Map<String, String> env = gcp.packerEnv(new Target("gcp", P, "us-east1", Map.of("zone", "us-east1-c")),
                new Budget(30, 1.0));
        assertThat(env).containsEntry(GcpProvider.ENV_POLL_SECONDS, "2.000")
                .containsEntry(GcpProvider.ENV_ZONE, "us-east1-c")
                .containsEntry(GcpProvider.ENV_ENDPOINT, gce.endpoint().toString());
        assertThat(gcp.packerEnv(target, new Budget(30, 0.5))).containsEntry(GcpProvider.ENV_POLL_SECONDS, "4.000");
        assertThat(env.keySet()).noneMatch(k -> k.contains("CREDENTIAL") || k.contains("TOKEN") || k.contains("KEY"));
        try (GcpProvider google = GcpProvider.builder().build()) {
            assertThat(google.packerEnv(target, Budget.UNLIMITED)).doesNotContainKey(GcpProvider.ENV_ENDPOINT)
                    .containsEntry(GcpProvider.ENV_ZONE, "us-east1-b");
        }
    }
}
