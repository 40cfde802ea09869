package dev.kiln.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.Fault;
import dev.kiln.emulators.Faults;
import dev.kiln.emulators.vsphere.CloneBuildStandIn;
import dev.kiln.emulators.vsphere.ProvisioningStats;
import dev.kiln.emulators.vsphere.VcenterEmulator;
import dev.kiln.emulators.vsphere.VmSummary;
import dev.kiln.event.KilnEvent;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.Target;
import dev.kiln.spi.SweepReport;
import dev.kiln.testkit.RequiredTools;
import dev.kiln.testkit.RunAudit;
import dev.kiln.testkit.Seeded;
import dev.kiln.testkit.Seeded.Seed;
import dev.kiln.time.TimeSource;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln runs real packer processes against the vCenter emulator through the vSphere provider: each
 * build is packer's null builder running the clone-build stand-in, which makes a vsphere-clone
 * build's REST calls (packer's own vsphere-clone speaks SOAP). Kiln is told each host takes 2
 * provisioning operations at once — the emulator's own limit stays vCenter's 8 — so that only
 * Kiln's holds keep the hosts under 2. Needs packer: skips without it, fails without it under
 * {@code -Dkiln.requireTools=true}.
 */
class VsphereFleetWithPackerTest {

    private static final long KILN_HOST_LIMIT = 2;
    private static final List<String> HOSTS = List.of("esx-01", "esx-02", "esx-03");

    @TempDir
    Path runs;

    private VcenterEmulator vcenter;
    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startVcenter() {
        vcenter = VcenterEmulator.builder().cloneTime(Duration.ofSeconds(2)).templateTime(Duration.ofSeconds(1))
                .bootTime(Duration.ofMillis(500)).shutdownTime(Duration.ofMillis(500)).start();
    }

    @AfterEach
    void stopVcenter() {
        vcenter.close();
    }

    private static Path template() {
        try {
            return Path.of(VsphereFleetWithPackerTest.class.getResource("/packer/vsphere-clone-standin.json").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PlanContext context(String runId) {
        return new PlanContext(Instant.parse("2026-01-05T09:00:00Z"), runId, "abc123", null, Map.of());
    }

    private static ImageSpec.Builder image(String name) {
        return ImageSpec.builder(name, template(), "null").only("standin").providers("vsphere").diskGb(16)
                .expectedDuration(Duration.ofSeconds(8)).timeout(Duration.ofMinutes(2));
    }

    /** All this JVM loads from: on the module path, core and Jackson are not on the class path. */
    private static String standInClassPath() {
        return Stream.of("jdk.module.path", "java.class.path").map(System::getProperty).filter(Objects::nonNull)
                .collect(Collectors.joining(File.pathSeparator));
    }

    private RunResult run(BuildPlan plan) {
        Path packer = RequiredTools.packer();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessPackerRunner runner = PackerRunners.processBuilder().executable(packer)
                // Kiln's own environment, as an operator's shell would hold it; packer passes it to shell-local.
                .extraEnv(CloneBuildStandIn.USER_VARIABLE, VcenterEmulator.DEFAULT_USER)
                .extraEnv(CloneBuildStandIn.PASSWORD_VARIABLE, VcenterEmulator.DEFAULT_PASSWORD)
                .extraEnv("KILN_STANDIN_JAVA", java)
                .extraEnv("KILN_STANDIN_CLASSPATH", standInClassPath())
                .build();
        VsphereProvider provider = Fixtures.provider(vcenter).hostMaxCost(KILN_HOST_LIMIT).build();
        try (runner; Kiln kiln = Kiln.builder().provider(provider).packerRunner(runner)
                .files(f -> f.withRunsDirectory(runs))
                .scheduling(s -> s.withHostSlots(8).withGracePeriod(Duration.ofSeconds(5)))
                .listener(events::add).build()) {
            return kiln.run(plan);
        }
    }

    @Test
    void twelve_builds_on_three_hosts_stay_under_kilns_host_limit_and_failures_are_swept() throws IOException {
        // Given 2 images x 3 hosts x 2 environments; esx-01 exports templates to a content library
        Map<String, String> plain = Map.of("datastore", VcenterEmulator.DEFAULT_DATASTORE, "folder",
                VcenterEmulator.DEFAULT_FOLDER);
        Map<String, String> library = new HashMap<>(plain);
        library.put("library", VcenterEmulator.DEFAULT_LIBRARY);
        BuildPlan fleet = Fleet.builder("vsphere-fleet").image(image("base").build()).image(image("app").build())
                .target(Fixtures.target("esx-01", library)).target(Fixtures.target("esx-02", plain))
                .target(Fixtures.target("esx-03", plain)).environments("dev", "prod").build(context("vsf1"));
        assertThat(fleet.jobs()).hasSize(12);

        // When Kiln runs them
        RunResult result = run(fleet);

        // Then every build succeeded and its template was verified on vCenter
        assertThat(result.jobs()).extracting(j -> j.job().id().value() + " " + j.state() + " " + j.message())
                .allMatch(s -> s.endsWith(" SUCCEEDED "));
        assertThat(result.jobs()).allSatisfy(j -> assertThat(j.verified()).singleElement().asString()
                .startsWith(j.job().target().region().equals("esx-01") ? "LibraryItem:" : "VirtualMachine:"));
        // and no host ever had more provisioning in flight than the limit Kiln was given
        Map<String, Long> maxCost = new HashMap<>();
        for (String host : HOSTS) {
            maxCost.put(host, vcenter.maxConcurrentHostCost(host));
        }
        assertThat(maxCost.values()).allSatisfy(c -> assertThat(c).isBetween(1L, KILN_HOST_LIMIT));
        assertThat(vcenter.counters().of("vcenter.vm.clone").queued()).isZero();
        // while Kiln ran builds on different hosts at once, never more than 2 on one host
        assertThat(maxRunning(null)).isGreaterThan(KILN_HOST_LIMIT);
        for (String host : HOSTS) {
            assertThat(maxRunning("vsphere/" + Fixtures.ACCOUNT + "/" + host)).as(host)
                    .isLessThanOrEqualTo(KILN_HOST_LIMIT);
        }
        assertThat(vcenter.vms()).filteredOn(v -> !v.template() && !v.name().equals(VcenterEmulator.DEFAULT_SOURCE_VM))
                .hasSize(8).allSatisfy(v -> assertThat(v.powerState()).isEqualTo("POWERED_OFF"));
        assertThat(vcenter.libraryItemNames()).hasSize(4);
        assertThat(vcenter.unknownOperations()).isEmpty();
        // and each finished template lost its expiry, so an expired sweep a day later takes no VM and no item
        assertThat(vcenter.vms()).allSatisfy(v -> assertThat(v.tags()).doesNotContainKey(
                VsphereProvider.EXPIRY_CATEGORY));
        try (VsphereProvider sweeper = Fixtures.provider(vcenter).build()) {
            sweeper.start(new RecordingContext());
            SweepReport late = sweeper.sweepExpired(Fixtures.target("esx-02", plain),
                    TimeSource.system().now().plus(Duration.ofDays(1)));
            assertThat(late.failed()).isEmpty();
            assertThat(late.deleted()).as("only the finished builds' emptied expiry tags")
                    .allMatch(d -> d.startsWith("Tag/" + VsphereProvider.EXPIRY_CATEGORY + "="));
        }
        assertThat(vcenter.vms()).filteredOn(v -> !v.template() && !v.name().equals(VcenterEmulator.DEFAULT_SOURCE_VM))
                .hasSize(8);
        assertThat(vcenter.libraryItemNames()).hasSize(4);
        report("fleet", result);

        // Given a build that fails after powering its clone on, and one killed past its timeout (long
        // enough for its clone and tag even on a loaded machine: a VM cloned but not yet tagged when
        // packer dies is invisible to a tag sweep)
        events.clear();
        Target esx02 = Fixtures.target("esx-02", plain);
        BuildPlan failing = Fleet.builder("vsphere-failures")
                .image(image("broken").variable("fail_after", "power-on").build())
                .image(image("hangs").variable("provision_time", "120s").timeout(Duration.ofSeconds(16)).build())
                .target(esx02).environments("dev").retryPolicy(RetryPolicy.never()).build(context("vsf2"));

        // When Kiln runs them
        RunResult failed = run(failing);

        // Then both failed, were swept, and nothing tagged with their build ids is left
        JobResult broken = job(failed, "broken");
        JobResult hangs = job(failed, "hangs");
        assertThat(broken.state()).isEqualTo(JobState.FAILED);
        assertThat(broken.failure()).isEqualTo(FailureClass.PROVISIONER_FAILED);
        assertThat(hangs.state()).isEqualTo(JobState.FAILED);
        assertThat(hangs.failure()).isEqualTo(FailureClass.TIMED_OUT);
        for (JobResult j : List.of(broken, hangs)) {
            assertThat(j.swept()).as("swept for %s", j.job().id()).anyMatch(s -> s.startsWith("VirtualMachine/vm-"))
                    .contains("Tag/kiln-build-id=" + j.job().buildId());
            assertThat(vcenter.resourcesTagged(VsphereProvider.DEFAULT_TAG_CATEGORY, j.job().buildId())).isEmpty();
            assertThat(vcenter.vms()).extracting(VmSummary::name).doesNotContain(j.job().imageName());
        }
        assertThat(vcenter.calls()).extracting(ApiCall::action).contains("vcenter.vm.power.stop",
                "cis.tagging.tag.delete");
        // and the password reached no file of either run
        try (var files = Files.walk(runs)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f)).as("%s", f).doesNotContain(VcenterEmulator.DEFAULT_PASSWORD);
            }
        }
        report("failures", failed);
    }

    @Test
    @ExtendWith(Seeded.class)
    void a_storm_of_503s_and_500s_ends_every_job_recorded_and_leaves_nothing_of_a_failed_build(Seed seed)
            throws IOException {
        // Given four builds on two hosts, one exporting to a content library, and a vCenter answering
        // 5% of every call with 503 SERVICE_UNAVAILABLE (its answer when busy) and, on the build's own
        // steps, 10% more with 500 ERROR (issue 10's fault suite, on vSphere). The 500s stay off the
        // calls Kiln's sweep makes: Kiln retries a 503 but takes a 500 as final, and though the run
        // sweeps again twice when a sweep leaves something, 10% of 500s on each of a sweep's calls
        // would still leave an object behind now and then.
        Map<String, String> plain = Map.of("datastore", VcenterEmulator.DEFAULT_DATASTORE, "folder",
                VcenterEmulator.DEFAULT_FOLDER);
        Map<String, String> library = new HashMap<>(plain);
        library.put("library", VcenterEmulator.DEFAULT_LIBRARY);
        BuildPlan plan = Fleet.builder("vsphere-storm").image(image("base").build()).image(image("app").build())
                .target(Fixtures.target("esx-01", library)).target(Fixtures.target("esx-02", plain))
                .environments("dev").retryPolicy(RetryPolicy.never()).build(context("vsstorm"));
        vcenter.faults().reseed(seed.value());
        vcenter.faults().inject(Faults.ANY_ACTION, Fault.throttleRate(0.05));
        for (String step : BUILD_STEPS) {
            vcenter.faults().inject(step, Fault.throttleRate(0.05).withErrorRate(0.1));
        }

        // When Kiln runs them
        RunResult result = run(plan);

        // Then every job ended terminal in the journal and junit.xml, a failed one with its cause
        String story = stormSummary(result);
        RunAudit.of(result.runDirectory()).assertEveryJobRecorded(result, story);
        for (JobResult j : result.jobs()) {
            // and nothing tagged with a failed build's id survives the sweep (VMs and library items);
            // a successful build keeps its template or library item only (on a host without a library,
            // the powered-off VM is the template: the REST API cannot mark one)
            assertThat(vcenter.resourcesTagged(VsphereProvider.DEFAULT_TAG_CATEGORY, j.job().buildId())).as(story)
                    .allSatisfy(r -> {
                        assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
                        assertThat(r.type() + " " + r.state()).isIn("VirtualMachine TEMPLATE",
                                "VirtualMachine POWERED_OFF", "com.vmware.content.library.Item " + r.state());
                    });
        }
        ActionCounts total = vcenter.counters().total();
        assertThat(total.injectedFaults()).as(story).isPositive();
        System.out.printf(Locale.ROOT, "kiln fault scenario vCenter 503 and 500 storm: %d faults injected in %d"
                + " calls%s%n", total.injectedFaults(), total.calls(), story);
    }

    /** The calls a build makes and Kiln's sweep does not. */
    private static final List<String> BUILD_STEPS = List.of("vcenter.vm.clone", "vcenter.vm.power.start",
            "vcenter.vm.power.get", "vcenter.vm.guest.identity.get", "vcenter.vm.guest.power.shutdown",
            "vcenter.vm_template.library_items.create", "cis.tagging.tag.create",
            "cis.tagging.tag_association.attach");

    private String stormSummary(RunResult result) {
        StringBuilder b = new StringBuilder();
        for (JobResult j : result.jobs()) {
            b.append(String.format(Locale.ROOT, "%n  %-40s %-10s ran %5.1f s %s swept %s", j.job().id().value(),
                    j.state(), j.ran().toMillis() / 1000.0, j.state() == JobState.SUCCEEDED ? j.verified()
                            : j.message(), j.swept()));
        }
        Map<String, Long> injected = new TreeMap<>();
        vcenter.counters().snapshot().forEach((a, c) -> {
            if (c.injectedFaults() > 0) {
                injected.put(a, c.injectedFaults());
            }
        });
        b.append("\n  faults injected by action: ").append(injected);
        return b.toString();
    }

    private static JobResult job(RunResult result, String image) {
        return result.jobs().stream().filter(j -> j.job().image().name().equals(image)).findFirst().orElseThrow();
    }

    /** The most builds Kiln had running at once on {@code target} (every target when null), from its events. */
    private long maxRunning(String target) {
        Map<String, String> targetOf = new HashMap<>();
        long running = 0;
        long max = 0;
        for (KilnEvent e : events) {
            if (e instanceof KilnEvent.BuildStarted s && (target == null || s.target().equals(target))) {
                targetOf.put(s.jobId() + "#" + s.attempt(), s.target());
                max = Math.max(max, ++running);
            } else if (e instanceof KilnEvent.BuildEnded b && targetOf.remove(b.jobId() + "#" + b.attempt()) != null) {
                running--;
            }
        }
        return max;
    }

    private void report(String what, RunResult result) {
        List<String> lines = new ArrayList<>();
        for (JobResult j : result.jobs()) {
            lines.add(String.format("  %-40s %-9s ran %5.1f s, waited %5.1f s", j.job().id().value(), j.state(),
                    j.ran().toMillis() / 1000.0, j.waited().toMillis() / 1000.0));
        }
        List<String> cost = new ArrayList<>();
        for (ProvisioningStats s : vcenter.provisioning()) {
            cost.add(s.kind() + " " + s.name() + ": max " + s.maxConcurrentCostSeen() + " of " + s.maxCost() + ", "
                    + s.operations() + " ops, " + s.queued() + " queued");
        }
        System.out.printf("vSphere %s through Kiln with packer (Kiln host limit %d): %d builds%n%s%n  provisioning: %s%n",
                what, KILN_HOST_LIMIT, result.jobs().size(), String.join("\n", lines), String.join("; ", cost));
    }
}
