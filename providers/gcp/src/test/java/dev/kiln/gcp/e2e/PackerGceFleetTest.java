package dev.kiln.gcp.e2e;

import static dev.kiln.limits.LimitSpec.fixedWindow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunHandle;
import dev.kiln.RunResult;
import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.Fault;
import dev.kiln.emulators.Faults;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.gcp.GceDelays;
import dev.kiln.emulators.gcp.GceEmulator;
import dev.kiln.gcp.GcpProvider;
import dev.kiln.event.ApiUse;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.testkit.RequiredTools;
import dev.kiln.testkit.RunAudit;
import dev.kiln.testkit.Seeded;
import dev.kiln.testkit.Seeded.Seed;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real packer 1.6.6 running 12 builds of its googlecompute builder, unmodified, in 3 regions against
 * the Compute Engine emulator, every call of theirs through Kiln's gate: once through Kiln with the
 * emulator's own rate windows, once through Kiln with its limits made huge by the plan (against a
 * project-wide read window any unheld fleet overruns), once with
 * the windows far below what the cost model assumes, and once killed half-way. The emulator's rate
 * quotas are 10-second fixed windows, small enough that 12 builds at once overrun them; each
 * region's CPUS quota holds three builds at a time.
 */
class PackerGceFleetTest {

    private static final String PROJECT = "kiln-e2e";
    private static final List<String> REGIONS = List.of("us-east1", "us-west1", "europe-west1");
    private static final int IMAGES_PER_REGION = 4;
    private static final int CPU_QUOTA = 6;
    private static final String MACHINE_TYPE = "e2-standard-2";
    private static final Duration WINDOW = Duration.ofSeconds(10);

    /** The emulator's rate quotas and the limits Kiln keeps to: the same figures. */
    private static final LimitsTable LIMITS = ProviderDefaults.gcp().withOverrides(Map.of(
            "gce.reads", fixedWindow(40, WINDOW),
            "gce.writes", fixedWindow(24, WINDOW),
            "gce.operation.reads", fixedWindow(60, WINDOW),
            "gce.heavy.reads", fixedWindow(20, WINDOW),
            "gce.global.writes", fixedWindow(8, WINDOW),
            "gce.regional.reads", fixedWindow(30, WINDOW),
            "gce.regional.writes", fixedWindow(16, WINDOW)));

    /**
     * What one googlecompute build calls against the emulator, as the gate recorded it (kiln-emulators'
     * {@code gcp/PACKER_CALLS.md}): the cost model of {@code ProviderDefaults.gcpCompute()} over a
     * build of about 15 s, the emulator's operations being quick.
     */
    private static final CostModel REAL = ProviderDefaults.gcpCompute().withExpectedDuration(Duration.ofSeconds(15));

    @TempDir
    Path work;

    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();

    private static GceEmulator emulator() {
        return GceEmulator.builder().limits(LIMITS).regionQuota("CPUS", CPU_QUOTA).start();
    }

    private static GcpProvider provider(GceEmulator emulator) {
        return GcpProvider.builder().endpoint(emulator.endpoint()).noCredentials().limits(LIMITS).costModel(REAL)
                .operationPolling(Duration.ofMillis(250), Duration.ofMinutes(1)).build();
    }

    private ProcessPackerRunner runner(Path packer) throws IOException {
        return PackerRunners.processBuilder().executable(packer)
                .extraEnv("HOME", Files.createDirectories(work.resolve("home")).toString()).build();
    }

    private Kiln kiln(GceEmulator emulator, ProcessPackerRunner runner, Duration grace) {
        return kiln(emulator, runner, grace, events::add);
    }

    private Kiln kiln(GceEmulator emulator, ProcessPackerRunner runner, Duration grace, KilnListener listener) {
        return Kiln.builder().provider(provider(emulator)).packerRunner(runner)
                .network(Googlecompute.network(emulator)).listener(listener)
                .files(f -> f.withRunsDirectory(work.resolve("runs")))
                .scheduling(s -> s.withGracePeriod(grace).withBudgetSampleInterval(null).withHostSlots(12)).build();
    }

    private static Path template() {
        return Googlecompute.template();
    }

    private BuildPlan fleet(Kiln kiln, Path template, int imagesPerRegion, List<String> regions,
            Map<String, LimitSpec> overrides) {
        Fleet.Builder fleet = Fleet.builder("gcp-e2e").environments("dev").retryPolicy(RetryPolicy.never());
        for (String region : regions) {
            fleet.target(Target.of("gcp", PROJECT, region));
        }
        overrides.forEach((name, spec) -> fleet.limitOverride("gcp", name, spec));
        for (int i = 1; i <= imagesPerRegion; i++) {
            fleet.image(ImageSpec.builder("base" + i, template, "googlecompute").instanceSize(MACHINE_TYPE).diskGb(10)
                    .variable("machine_type", MACHINE_TYPE)
                    .expectedDuration(Duration.ofSeconds(15)).timeout(Duration.ofMinutes(3)).build());
        }
        return fleet.build(kiln.planContext());
    }

    @Test
    void kiln_builds_twelve_images_in_three_regions_without_a_rate_limit_error_or_a_quota_error() throws Exception {
        // Given 12 builds, 4 per region, where each region's CPUS quota holds 3 at a time
        Path packer = RequiredTools.packer();
        try (GceEmulator emulator = emulator(); ProcessPackerRunner runner = runner(packer);
                Kiln kiln = kiln(emulator, runner, Duration.ofSeconds(30))) {
            BuildPlan plan = fleet(kiln, template(), IMAGES_PER_REGION, REGIONS, Map.of());
            assertThat(plan.jobs()).hasSize(12);

            // When Kiln runs them
            long started = TimeSource.system().nanoTime();
            RunResult result = kiln.run(plan);
            Duration took = Duration.ofNanos(TimeSource.system().nanoTime() - started);

            // Then every build succeeded on its first attempt with a READY image labelled with its build id
            assertThat(result.jobs()).as(() -> summary(result, emulator)).allSatisfy(j -> {
                assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
                assertThat(j.attempts()).isEqualTo(1);
                assertThat(j.verified()).containsExactly("projects/" + PROJECT + "/global/images/"
                        + j.job().imageName());
                assertThat(emulator.resourcesTagged(GcpProvider.BUILD_ID_LABEL, j.job().buildId())).singleElement()
                        .satisfies(r -> assertThat(r.type() + " " + r.id() + " " + r.state())
                                .isEqualTo("image " + j.job().imageName() + " READY"));
            });
            // and the emulator refused nothing: no rate-limit error, no QUOTA_EXCEEDED, yet the quota was used
            ActionCounts total = emulator.counters().total();
            assertThat(total.throttled()).as("throttles by call: %s", emulator.counters().snapshot()).isZero();
            assertThat(total.quotaErrors()).isZero();
            assertThat(result.throttles()).as("throttles Kiln observed").isZero();
            for (String region : REGIONS) {
                assertThat(emulator.peakQuotaUsage(PROJECT, region, "CPUS")).isLessThanOrEqualTo(CPU_QUOTA);
                assertThat(emulator.quotaUsage(PROJECT, region, "DISKS_TOTAL_GB")).isZero();
            }
            assertThat(emulator.unknownRoutes()).isEmpty();
            System.out.printf(Locale.ROOT, "kiln fleet: 12 googlecompute builds in 3 regions in %.1f s; metered %s;"
                    + " %d calls, %d throttled, %d quota errors; peak CPUS %s; busiest windows %s%s%n",
                    took.toMillis() / 1000.0, metered(), total.calls(), total.throttled(), total.quotaErrors(),
                    REGIONS.stream().map(r -> r + "=" + (int) emulator.peakQuotaUsage(PROJECT, r, "CPUS")).toList(),
                    busiestWindows(emulator.calls()), summary(result, emulator));
        }
    }

    @Test
    void with_kilns_limits_made_huge_the_same_fleet_trips_the_emulators_rate_quotas() throws Exception {
        // Given the same fleet, with the plan lifting every GCE limit Kiln keeps to, against an emulator
        // whose project-wide read window takes 10 calls in 10 s. The fleet makes over 100 reads, most as
        // its builds start, so unheld it overruns that window at any pace of this machine; the emulator's
        // usual 40 was overrun only while the first nine builds started within seconds of each other,
        // and once in a fresh-clone CI run they did not (0 throttles).
        Path packer = RequiredTools.packer();
        Map<String, LimitSpec> huge = new LinkedHashMap<>();
        LIMITS.declaredLimits().forEach(l -> huge.put(l.name(), fixedWindow(1_000_000, WINDOW)));
        try (GceEmulator emulator = GceEmulator.builder()
                        .limits(LIMITS.withOverrides(Map.of("gce.reads", fixedWindow(10, WINDOW))))
                        .regionQuota("CPUS", CPU_QUOTA).start();
                ProcessPackerRunner runner = runner(packer);
                Kiln kiln = kiln(emulator, runner, Duration.ofSeconds(30))) {
            BuildPlan plan = fleet(kiln, template(), IMAGES_PER_REGION, REGIONS, huge);

            // When Kiln runs them: only the quota ledger and the host slots hold builds back now
            long started = TimeSource.system().nanoTime();
            RunResult result = kiln.run(plan);
            Duration took = Duration.ofNanos(TimeSource.system().nanoTime() - started);

            // Then the emulator refused calls with rate-limit errors, though the CPUS quota still held
            ActionCounts total = emulator.counters().total();
            assertThat(total.throttled()).as("throttles by call: %s", emulator.counters().snapshot()).isPositive();
            assertThat(total.quotaErrors()).isZero();
            assertThat(result.throttles()).as("throttles Kiln saw in the builds' output").isPositive();
            System.out.printf(Locale.ROOT, "kiln with limits lifted: %.1f s, %s; %d calls, %d throttled (%s);"
                    + " busiest windows %s%s%n", took.toMillis() / 1000.0, result.counts(), total.calls(),
                    total.throttled(), throttledByCall(emulator), busiestWindows(emulator.calls()),
                    summary(result, emulator));
        }
    }

    @Test
    void with_windows_far_below_the_cost_model_metering_still_meets_no_rate_limit_error() throws Exception {
        // Given an emulator whose operation-read window takes 8 calls in 10 s and whose read window 10,
        // where the cost model assumes a build's polling alone is 30 operation reads a minute: 6 builds
        Path packer = RequiredTools.packer();
        LimitsTable tight = LIMITS.withOverrides(Map.of("gce.operation.reads", fixedWindow(8, WINDOW),
                "gce.reads", fixedWindow(10, WINDOW), "gce.regional.reads", fixedWindow(10, WINDOW)));
        Map<String, LimitSpec> overrides = new LinkedHashMap<>();
        tight.declaredLimits().forEach(l -> overrides.put(l.name(), l.spec()));
        try (GceEmulator emulator = GceEmulator.builder().limits(tight).regionQuota("CPUS", CPU_QUOTA).start();
                ProcessPackerRunner runner = runner(packer);
                Kiln kiln = kiln(emulator, runner, Duration.ofSeconds(30))) {
            BuildPlan plan = fleet(kiln, template(), 2, REGIONS, overrides);

            // When Kiln runs them
            long started = TimeSource.system().nanoTime();
            RunResult result = kiln.run(plan);
            Duration took = Duration.ofNanos(TimeSource.system().nanoTime() - started);

            // Then every build succeeded, the emulator refused nothing, and Kiln held packer's calls to do it
            assertThat(result.jobs()).as(() -> summary(result, emulator))
                    .allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
            assertThat(emulator.counters().total().throttled()).as("throttles by call: %s",
                    emulator.counters().snapshot()).isZero();
            // Whether the gate had to hold a call, or admission had already spaced the builds enough,
            // depends on how packer's polls fall; the gate's holding is proven in GateMeterTest.
            Map<String, ApiUse> metered = metered();
            assertThat(metered.get("operation.get").calls()).as("metered: %s", metered).isPositive();
            System.out.printf(Locale.ROOT, "kiln, GCE windows of 8 operation reads and 10 reads: 6 googlecompute"
                    + " builds in %.1f s, 0 throttled; metered %s; busiest windows %s%n", took.toMillis() / 1000.0,
                    metered, busiestWindows(emulator.calls()));
        }
    }

    @Test
    void a_build_killed_half_way_is_swept_of_everything_labelled_with_its_build_id() throws Exception {
        // Given one build, cancelled once its instance runs, with too short a grace for packer's own
        // cleanup
        Path packer = RequiredTools.packer();
        // (its instance takes a minute to start, so the build is caught with it)
        GceDelays slowStart = new GceDelays(Duration.ofMillis(200), Duration.ofMinutes(1), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofMillis(500));
        try (GceEmulator emulator = GceEmulator.builder().limits(LIMITS).regionQuota("CPUS", CPU_QUOTA)
                        .delays(slowStart).start();
                ProcessPackerRunner runner = runner(packer);
                Kiln kiln = kiln(emulator, runner, Duration.ofMillis(100))) {
            BuildPlan plan = fleet(kiln, template(), 1, List.of("europe-west1"), Map.of());
            BuildJob job = plan.jobs().get(0);

            // When
            RunHandle handle = kiln.start(plan);
            try {
                await("the build's instance").atMost(Duration.ofMinutes(1)).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> emulator.resourcesTagged(GcpProvider.BUILD_ID_LABEL, job.buildId()).stream()
                                .anyMatch(r -> r.type().equals("instance")));
            } catch (ConditionTimeoutException e) {
                handle.cancel();
                fail("the build's instance never ran; calls: " + emulator.calls());
            }
            List<TaggedResource> before = emulator.resourcesTagged(GcpProvider.BUILD_ID_LABEL, job.buildId());
            long expected = TimeSource.system().now().plus(job.timeout()).plus(Duration.ofHours(1)).getEpochSecond();
            handle.cancel();
            RunResult result = handle.await();

            // Then the job is cancelled and nothing labelled with its build id survives, nor any disk
            JobResult j = result.jobs().get(0);
            assertThat(j.state()).isEqualTo(JobState.CANCELLED);
            // (its instance carried the expiry Kiln gave the template, for kiln sweep --expired)
            assertThat(before).filteredOn(r -> r.type().equals("instance")).singleElement()
                    .satisfies(r -> assertThat(Long.parseLong(r.tags().get(GcpProvider.EXPIRY_LABEL)))
                            .isBetween(expected - 120, expected));
            assertThat(emulator.resourcesTagged(GcpProvider.BUILD_ID_LABEL, job.buildId()))
                    .as("swept %s (%s); calls %s; %s", j.swept(), j.message(), emulator.calls(),
                            Files.readAllLines(result.runDirectory().resolve("events.jsonl")).stream()
                                    .filter(l -> l.contains("Swept")).toList()).isEmpty();
            assertThat(emulator.quotaUsage(PROJECT, "europe-west1", "DISKS_TOTAL_GB")).isZero();
            assertThat(emulator.quotaUsage(PROJECT, "europe-west1", "INSTANCES")).isZero();
            System.out.printf(Locale.ROOT, "killed build: labelled before the kill %s; Kiln's sweep deleted %s%n",
                    before.stream().map(r -> r.type() + "/" + r.id()).toList(), j.swept());
        }
    }

    @Test
    @ExtendWith(Seeded.class)
    void a_storm_of_rate_limit_and_5xx_errors_ends_every_job_recorded_and_leaves_nothing_of_a_failed_build(Seed seed)
            throws Exception {
        // Given two builds, and an emulator answering 15% of calls with 403 rateLimitExceeded and 10%
        // with 500 backendError (issue 10's fault suite, on Compute Engine)
        Path packer = RequiredTools.packer();
        try (GceEmulator emulator = emulator(); ProcessPackerRunner runner = runner(packer);
                Kiln kiln = kiln(emulator, runner, Duration.ofSeconds(30))) {
            emulator.faults().reseed(seed.value());
            emulator.faults().inject(Faults.ANY_ACTION, Fault.throttleRate(0.15).withErrorRate(0.1));
            BuildPlan plan = fleet(kiln, template(), 2, List.of("europe-west1"), Map.of());

            // When Kiln runs them
            RunResult result = kiln.run(plan);

            // Then every job ended terminal in the journal and junit.xml, a failed one with its cause
            String story = summary(result, emulator);
            RunAudit.of(result.runDirectory()).assertEveryJobRecorded(result, story);
            for (JobResult j : result.jobs()) {
                // and nothing of a failed build survives; a successful one keeps its image only
                assertThat(emulator.resourcesTagged(GcpProvider.BUILD_ID_LABEL, j.job().buildId()))
                        .as(story).allSatisfy(r -> {
                            assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
                            assertThat(r.type()).isEqualTo("image");
                        });
            }
            assertThat(emulator.counters().total().injectedFaults()).as(story).isPositive();
            System.out.printf(Locale.ROOT, "kiln fault scenario GCE rate-limit and 5xx storm: %d faults injected%s%n",
                    emulator.counters().total().injectedFaults(), story);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** What the gate metered of packer's calls over the runs of this test, by API class. */
    private Map<String, ApiUse> metered() {
        Map<String, ApiUse> byApi = new TreeMap<>();
        for (KilnEvent e : events) {
            if (e instanceof KilnEvent.ApiCallsMetered m) {
                m.byApi().forEach((api, use) -> byApi.merge(api, use, ApiUse::plus));
            }
        }
        return byApi;
    }

    /** Calls per rate window of the build project, busiest first, e.g. {@code 09:00:10=57}. */
    private static Map<String, Long> busiestWindows(List<ApiCall> calls) {
        Map<Instant, Long> byWindow = calls.stream().filter(c -> c.account().equals(PROJECT))
                .collect(Collectors.groupingBy(c -> Instant.ofEpochSecond(c.at().getEpochSecond()
                        - Math.floorMod(c.at().getEpochSecond(), WINDOW.toSeconds())), TreeMap::new,
                        Collectors.counting()));
        Map<String, Long> top = new LinkedHashMap<>();
        byWindow.entrySet().stream().sorted(Map.Entry.<Instant, Long>comparingByValue().reversed()).limit(3)
                .forEach(e -> top.put(e.getKey().toString().substring(11, 19), e.getValue()));
        return top;
    }

    private static Map<String, Long> throttledByCall(GceEmulator emulator) {
        Map<String, Long> out = new TreeMap<>();
        emulator.counters().snapshot().forEach((action, c) -> {
            if (c.throttled() > 0) {
                out.put(action, c.throttled());
            }
        });
        return out;
    }

    private static String summary(RunResult result, GceEmulator emulator) {
        StringBuilder b = new StringBuilder();
        for (JobResult j : result.jobs()) {
            b.append(String.format(Locale.ROOT, "%n  %-40s %-10s waited %5.1f s ran %5.1f s %s", j.job().id(),
                    j.state(), j.waited().toMillis() / 1000.0, j.ran().toMillis() / 1000.0,
                    j.state() == JobState.SUCCEEDED ? j.verified() : j.message()));
        }
        if (!result.refusals().isEmpty()) {
            b.append("\n  refusals: ").append(result.refusals());
        }
        b.append("\n  counters: ").append(emulator.counters().snapshot());
        return b.toString();
    }
}
