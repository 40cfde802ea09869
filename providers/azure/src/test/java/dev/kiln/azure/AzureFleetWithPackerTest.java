package dev.kiln.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.Fault;
import dev.kiln.emulators.Faults;
import dev.kiln.emulators.azure.ArmDelays;
import dev.kiln.emulators.azure.ArmEmulator;
import dev.kiln.event.ApiUse;
import dev.kiln.event.KilnEvent;
import dev.kiln.gate.Gate;
import dev.kiln.gate.Interception;
import dev.kiln.gate.Router;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.limits.LimitSpec;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.SweepReport;
import dev.kiln.testkit.RequiredTools;
import dev.kiln.testkit.RunAudit;
import dev.kiln.testkit.Seeded;
import dev.kiln.testkit.Seeded.Seed;
import dev.kiln.time.TimeSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twelve builds of packer's real azure-arm builder (1.6.6, unmodified) over three regions against
 * an ARM emulator with tight write and delete buckets and 4 cores per region, every call of theirs
 * through Kiln's gate: through Kiln (the emulator's limits as plan overrides) no call is throttled
 * and no quota is exceeded; the same builds started all at once without Kiln's limits are
 * throttled; and with the emulator's read bucket far below what the cost model assumes, metering
 * still holds every build's calls at zero throttles.
 */
class AzureFleetWithPackerTest {

    private static final String SUBSCRIPTION = ArmEmulator.DEFAULT_SUBSCRIPTION;
    private static final List<String> REGIONS = List.of("eastus", "westeurope", "southeastasia");
    private static final LimitSpec.TokenBucket WRITES = LimitSpec.tokenBucket(8, 0.5);
    private static final LimitSpec.TokenBucket DELETES = LimitSpec.tokenBucket(8, 0.5);
    private static final int CORES_PER_REGION = 4;

    @TempDir
    Path work;

    private static ArmEmulator tightEmulator() {
        return ArmEmulator.builder().coresLimit(CORES_PER_REGION).limit("arm.writes", WRITES)
                .limit("arm.deletes", DELETES).start();
    }

    private static String group(String region) {
        return "kiln-images-" + region;
    }

    private static BuildPlan fleet(ArmEmulator arm, String name, List<String> regions, List<String> images,
                                   Map<String, LimitSpec> limits) {
        Fleet.Builder fleet = Fleet.builder(name).environments("dev", "prod").retryPolicy(RetryPolicy.never());
        limits.forEach((limit, spec) -> fleet.limitOverride("azure", limit, spec));
        for (String region : regions) {
            fleet.target(new Target("azure", SUBSCRIPTION, region, Map.of("resource_group", group(region))));
        }
        for (String image : images) {
            fleet.image(ImageSpec.builder(image, Packer.template(), "azure-arm").instanceSize("Standard_D2s_v3")
                    .expectedDuration(Duration.ofSeconds(20)).timeout(Duration.ofMinutes(4)).build());
        }
        return fleet.build(new PlanContext(Instant.parse("2026-01-05T09:00:00Z"), name, "abc123", null, Map.of()));
    }

    private static void imageGroups(ArmEmulator arm) {
        Arm fixtures = new Arm(arm, SUBSCRIPTION);
        for (String region : REGIONS) {
            fixtures.resourceGroup(group(region), region, Map.of());
        }
    }

    private Kiln.Builder kiln(ArmEmulator arm, ProcessPackerRunner runner, List<KilnEvent> events) {
        return Kiln.builder().packerRunner(runner).network(Packer.network(arm)).listener(events::add)
                .files(f -> f.withRunsDirectory(work.resolve("runs"))).scheduling(s -> s.withHostSlots(12))
                .provider(AzureProvider.builder().endpoint(arm.endpoint()).build());
    }

    @Test
    void through_kiln_twelve_builds_in_three_regions_meet_no_throttle_and_no_quota_error() {
        // Given 12 real azure-arm builds, 4 a region, where each region's writes and deletes hold 8
        // calls and refill one every 2 s, and its cores hold two builds at a time
        RequiredTools.packer();
        List<KilnEvent> events = new CopyOnWriteArrayList<>();
        try (ArmEmulator arm = tightEmulator(); ProcessPackerRunner runner = Packer.runner(work)) {
            imageGroups(arm);
            BuildPlan plan = fleet(arm, "az1", REGIONS, List.of("base", "web"),
                    Map.of("arm.writes", WRITES, "arm.deletes", DELETES));
            TimeSource clock = TimeSource.system();
            long started = clock.nanoTime();

            // When Kiln runs them, every call of packer's through its gate
            RunResult result;
            try (Kiln kiln = kiln(arm, runner, events).build()) {
                result = kiln.run(plan);
            }
            Duration took = Duration.ofNanos(clock.nanoTime() - started);

            // Then every build made its managed image
            assertThat(result.jobs()).hasSize(12);
            assertThat(result.jobs()).extracting(j -> j.job().id().value() + " " + j.state() + " " + j.message())
                    .allMatch(s -> s.contains(" SUCCEEDED"), "every build succeeded");
            assertThat(result.jobs()).allSatisfy(j -> assertThat(j.verified()).singleElement().asString()
                    .endsWith("/providers/Microsoft.Compute/images/" + j.job().imageName()));
            // and the emulator throttled nothing and refused no quota
            ActionCounts total = arm.counters().total();
            assertThat(total.throttled()).as("429s the emulator answered").isZero();
            assertThat(total.quotaErrors()).as("409 quota errors the emulator answered").isZero();
            assertThat(arm.unknownRoutes()).isEmpty();
            for (String region : REGIONS) {
                assertThat(arm.peakCoresInUse(SUBSCRIPTION, region)).as("peak cores in %s", region)
                        .isBetween(2, CORES_PER_REGION);
                assertThat(arm.coresInUse(SUBSCRIPTION, region)).isZero();
            }
            // and Kiln metered packer's own calls, build by build
            Map<String, ApiUse> metered = metered(events);
            assertThat(metered.get("resource.write").calls()).as("packer's ARM writes, metered: %s", metered)
                    .isGreaterThanOrEqualTo(12 * 4);
            assertThat(metered.values().stream().mapToLong(ApiUse::throttled).sum()).isZero();
            for (JobResult j : result.jobs()) {
                assertThat(arm.resourcesTagged(AzureProvider.BUILD_TAG, j.job().buildId()))
                        .as("what build %s left", j.job().buildId()).singleElement()
                        .satisfies(r -> assertThat(r.type()).isEqualTo("Microsoft.Compute/images"))
                        .satisfies(r -> assertThat(r.tags().get(AzureProvider.EXPIRY_TAG)).as("azure_tags' expiry")
                                .matches("[0-9]+"));
            }
            // and an expired sweep a day later keeps every image, though azure_tags gave each the expiry
            try (AzureProvider sweeper = AzureProvider.builder().endpoint(arm.endpoint()).build()) {
                sweeper.start(openContext(clock));
                for (Target target : plan.targets()) {
                    SweepReport report = sweeper.sweepExpired(target, clock.now().plus(Duration.ofDays(1)));
                    assertThat(report.deleted()).as("expired sweep of %s", target.key()).isEmpty();
                    assertThat(report.failed()).as("expired sweep of %s", target.key()).isEmpty();
                }
            }
            System.out.printf(Locale.ROOT, "Kiln: 12 azure-arm builds in %d s, %d ARM calls, 0 throttled, 0 quota"
                    + " errors; packer's calls metered by class %s; per action %s%n", took.toSeconds(),
                    total.calls(), metered, perAction(arm));
        }
    }

    @Test
    void without_kiln_the_same_builds_are_throttled() throws Exception {
        // Given the same 12 builds as 12 packer processes started at once, through a gate that only
        // routes (no limits), on a fresh emulator with the same limits
        Path packer = RequiredTools.packer();
        try (ArmEmulator arm = tightEmulator();
                Gate gate = Gate.builder().intercept(Interception.hosts(List.copyOf(arm.routes().keySet())))
                        .router(Router.to(arm.routes())).bundleDirectory(work.resolve("gate")).start()) {
            imageGroups(arm);
            BuildPlan plan = fleet(arm, "az2", REGIONS, List.of("base", "web"), Map.of());
            List<Process> builds = new ArrayList<>();
            for (var job : plan.jobs()) {
                Path dir = Files.createDirectories(work.resolve(job.buildId()));
                Path vars = dir.resolve("vars.json");
                Map<String, Object> v = new LinkedHashMap<>(job.connection().variables());
                v.put("kiln_image_name", job.imageName());
                v.put("kiln_build_id", job.buildId());
                v.put("kiln_region", job.target().region());
                v.put("kiln_account", job.target().account());
                Files.writeString(vars, Arm.JSON.writeValueAsString(v));
                ProcessBuilder pb = new ProcessBuilder(packer.toString(), "build", "-machine-readable",
                        "-var-file=" + vars, Packer.template().toString()).directory(dir.toFile())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("packer.out").toFile());
                pb.environment().putAll(arm.packerEnv());
                pb.environment().putAll(gate.env(gate.newClient(job.buildId())));
                pb.environment().put("CHECKPOINT_DISABLE", "1");
                pb.environment().put("HOME", dir.toString());
                pb.environment().put("KILN_AZURE_RESOURCE_GROUP", group(job.target().region()));
                builds.add(pb.start());
            }

            // When they run
            int failed = 0;
            for (Process p : builds) {
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                }
                failed += p.exitValue() == 0 ? 0 : 1;
            }

            // Then ARM throttled them: go-autorest retried what it could, the rest failed
            ActionCounts total = arm.counters().total();
            assertThat(total.throttled() + total.quotaErrors())
                    .as("429s and 409s the emulator answered, by action: %s", perAction(arm)).isPositive();
            assertThat(total.throttled()).as("429s, by action: %s", perAction(arm)).isPositive();
            List<String> outputs = new ArrayList<>();
            for (var job : plan.jobs()) {
                outputs.add(Files.readString(work.resolve(job.buildId()).resolve("packer.out"), StandardCharsets.UTF_8));
            }
            System.out.printf(Locale.ROOT, "Without Kiln: 12 azure-arm builds, %d failed; %d ARM calls, %d throttled"
                    + " (429), %d quota errors (409); per action %s%n", failed, total.calls(), total.throttled(),
                    total.quotaErrors(), perAction(arm));
        }
    }

    @Test
    void with_limits_far_below_the_cost_model_metering_still_meets_no_throttle() {
        // Given an ARM emulator whose read bucket holds 6 calls and refills one every 2 s, where the cost
        // model assumes a build's reads fit ARM's 250 and 25 a second: 6 builds, 2 a region
        RequiredTools.packer();
        LimitSpec.TokenBucket reads = LimitSpec.tokenBucket(6, 0.5);
        List<KilnEvent> events = new CopyOnWriteArrayList<>();
        try (ArmEmulator arm = ArmEmulator.builder().limit("arm.reads", reads).start();
                ProcessPackerRunner runner = Packer.runner(work)) {
            imageGroups(arm);
            BuildPlan plan = fleet(arm, "az3", REGIONS, List.of("base"), Map.of("arm.reads", reads));

            // When Kiln runs them
            RunResult result;
            try (Kiln kiln = kiln(arm, runner, events).build()) {
                result = kiln.run(plan);
            }

            // Then every build succeeded, no call was throttled, and Kiln held packer's reads to do it
            assertThat(result.jobs()).extracting(j -> j.job().id().value() + " " + j.state() + " " + j.message())
                    .allMatch(s -> s.contains(" SUCCEEDED"), "every build succeeded");
            ActionCounts total = arm.counters().total();
            assertThat(total.throttled()).as("429s, by action: %s", perAction(arm)).isZero();
            Map<String, ApiUse> metered = metered(events);
            // Whether the gate had to hold a read, or admission had already spaced the builds enough,
            // depends on how packer's polls fall; the gate's holding is proven in GateMeterTest.
            assertThat(metered.get("resource.read").calls()).as("reads Kiln metered: %s", metered).isPositive();
            assertThat(metered.get("resource.read").calls()).as("reads packer made, against the cost model: %s",
                    metered).isGreaterThan(reads.capacity() * 2);
            System.out.printf(Locale.ROOT, "Kiln, ARM reads 6 + 0.5/s: 6 azure-arm builds, %d calls, 0 throttled;"
                    + " packer's calls metered %s%n", total.calls(), metered);
        }
    }

    @Test
    @ExtendWith(Seeded.class)
    void a_storm_of_429s_and_5xx_errors_ends_every_job_recorded_and_leaves_nothing_of_a_failed_build(Seed seed) {
        // Given two builds in one region, and an ARM emulator answering 15% of calls with 429
        // TooManyRequests and Retry-After (ARM's throttle) and 10% with 500 InternalServerError
        // (issue 10's fault suite, on Azure); its operations take half a second, not seconds, so the
        // retries the storm causes are what the builds spend their time on
        RequiredTools.packer();
        Duration half = Duration.ofMillis(500);
        List<KilnEvent> events = new CopyOnWriteArrayList<>();
        try (ArmEmulator arm = ArmEmulator.builder().seed(seed.value())
                        .delays(new ArmDelays(half, half, half, half, half, Duration.ofSeconds(1))).start();
                ProcessPackerRunner runner = Packer.runner(work);
                Kiln kiln = kiln(arm, runner, events).build()) {
            imageGroups(arm);
            arm.faults().inject(Faults.ANY_ACTION, Fault.throttleRate(0.15).withErrorRate(0.1));
            BuildPlan plan = fleet(arm, "azstorm", REGIONS.subList(0, 1), List.of("base"), Map.of());

            // When Kiln runs them
            RunResult result = kiln.run(plan);

            // Then every job ended terminal in the journal and junit.xml, a failed one with its cause
            String story = stormSummary(result, arm);
            RunAudit.of(result.runDirectory()).assertEveryJobRecorded(result, story);
            for (JobResult j : result.jobs()) {
                // and nothing of a failed build survives; a successful one keeps its image only
                assertThat(arm.resourcesTagged(AzureProvider.BUILD_TAG, j.job().buildId())).as(story)
                        .allSatisfy(r -> {
                            assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
                            assertThat(r.type()).isEqualTo("Microsoft.Compute/images");
                        });
            }
            // (and the storm reached the builds, not only Kiln's own calls: their throttles were metered)
            ActionCounts total = arm.counters().total();
            assertThat(total.injectedFaults()).as(story).isPositive();
            System.out.printf(Locale.ROOT, "kiln fault scenario ARM 429 and 5xx storm: %d faults injected in %d"
                    + " calls, packer's metered %s%s%n", total.injectedFaults(), total.calls(), metered(events), story);
        }
    }

    private static ProviderContext openContext(TimeSource clock) {
        return new ProviderContext() {
            @Override
            public ApiGate gate(Target target) {
                return ApiGate.open();
            }

            @Override
            public TimeSource time() {
                return clock;
            }
        };
    }

    /** What the gate metered of packer's calls over the run, by API class. */
    static Map<String, ApiUse> metered(List<KilnEvent> events) {
        Map<String, ApiUse> byApi = new TreeMap<>();
        for (KilnEvent e : events) {
            if (e instanceof KilnEvent.ApiCallsMetered m) {
                m.byApi().forEach((api, use) -> byApi.merge(api, use, ApiUse::plus));
            }
        }
        return byApi;
    }

    private static String stormSummary(RunResult result, ArmEmulator arm) {
        StringBuilder b = new StringBuilder();
        for (JobResult j : result.jobs()) {
            b.append(String.format(Locale.ROOT, "%n  %-40s %-10s ran %5.1f s %s", j.job().id(), j.state(),
                    j.ran().toMillis() / 1000.0, j.state() == JobState.SUCCEEDED ? j.verified() : j.message()));
        }
        Map<String, Long> injected = new TreeMap<>();
        arm.counters().snapshot().forEach((a, c) -> {
            if (c.injectedFaults() > 0) {
                injected.put(a, c.injectedFaults());
            }
        });
        b.append("\n  faults injected by action: ").append(injected);
        return b.toString();
    }

    private static Map<String, String> perAction(ArmEmulator arm) {
        Map<String, String> out = new TreeMap<>();
        arm.counters().snapshot().forEach((a, c) -> out.put(a, c.calls() + (c.throttled() > 0 ? "/" + c.throttled()
                + "x429" : "") + (c.quotaErrors() > 0 ? "/" + c.quotaErrors() + "x409" : "")));
        return out;
    }
}
