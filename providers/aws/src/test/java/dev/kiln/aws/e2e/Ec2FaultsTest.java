package dev.kiln.aws.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunHandle;
import dev.kiln.RunResult;
import dev.kiln.aws.AwsProvider;
import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.Fault;
import dev.kiln.emulators.Faults;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.event.KilnEvent;
import dev.kiln.job.JobState;
import dev.kiln.job.RetryPolicy;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.testkit.RequiredTools;
import dev.kiln.testkit.RunAudit;
import dev.kiln.testkit.Seeded;
import dev.kiln.testkit.Seeded.Seed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Issue 10's fault suite: real packer (1.6.6's amazon-ebs) under Kiln against the EC2 emulator
 * while the emulator's fault injection storms it with 5xx errors, throttles, latency spikes and
 * dropped connections, the emulator is restarted mid-run, or packer is killed with SIGKILL.
 *
 * <p>Whatever happens, for every scenario: every job ends in a terminal state recorded in the
 * journal and junit.xml, a failed job's report names its classified cause, nothing tagged with a
 * build id of a failed build survives the sweep (and only the AMI and its snapshot of a successful
 * one), and none of the planted secrets (a sensitive plan variable the template prints, the AWS
 * secret key in packer's environment) appears in any packer process's argv (read from
 * {@code /proc/<pid>/cmdline} while packer runs), any file of the run, any log line or any message.
 * Var-files are 0600 while packer runs and gone after; run directories are 0700.
 *
 * <p>The figures of README's "Reliability" section are printed by {@link #figures()}.
 */
@ExtendWith(Seeded.class)
class Ec2FaultsTest {

    private static final String REGION = "eu-west-1";
    private static final String ACCESS_KEY = "AKIAKILNFAULTS000001";
    private static final String SECRET_KEY = "kiln-faults-fake-secret-" + UUID.randomUUID();

    // Figures over the whole suite, for README's Reliability section.
    private static final AtomicLong SCENARIOS = new AtomicLong();
    private static final AtomicLong JOBS = new AtomicLong();
    private static final AtomicLong FAULTS_INJECTED = new AtomicLong();
    private static final AtomicLong JOBS_LOST = new AtomicLong();
    private static final AtomicLong ORPHANS = new AtomicLong();
    private static final AtomicLong SECRETS_FOUND = new AtomicLong();
    private static final AtomicLong ARGV_SCANNED = new AtomicLong();

    private final String planted = "kiln-planted-" + UUID.randomUUID();

    /** This test's seed: each run draws new faults; -Dkiln.seed replays one. */
    private Seed seed;

    @TempDir
    Path work;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    /** Processes of the running packer whose argv held a planted secret. */
    private final ConcurrentLinkedQueue<String> leakyArgv = new ConcurrentLinkedQueue<>();
    /** Var-files seen while packer ran whose permissions were not rw-------. */
    private final ConcurrentLinkedQueue<String> openVarFiles = new ConcurrentLinkedQueue<>();
    /** Var-files seen while packer ran, so the check above is known to have looked at some. */
    private final Set<Path> varFilesSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @BeforeEach
    void captureLogs(Seed testSeed) {
        seed = testSeed;
        logs.start();
        root().addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root().detachAppender(logs);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    @AfterAll
    static void figures() {
        System.out.printf(Locale.ROOT, "kiln fault suite (EC2 + real packer): %d scenarios, %d jobs, %d faults injected"
                        + " by the emulator, %d jobs lost, %d resources orphaned, %d secrets found (%d packer argv"
                        + " read)%n", SCENARIOS.get(), JOBS.get(), FAULTS_INJECTED.get(), JOBS_LOST.get(),
                ORPHANS.get(), SECRETS_FOUND.get(), ARGV_SCANNED.get());
    }

    @Test
    void a_5xx_storm() throws Exception {
        scenario("5xx storm", e -> e.faults().inject(Faults.ANY_ACTION, Fault.errorRate(0.25)), retries(), null);
    }

    @Test
    void a_throttle_storm() throws Exception {
        scenario("503 RequestLimitExceeded storm",
                e -> e.faults().inject(Faults.ANY_ACTION, Fault.throttleRate(0.2)), retries(), null);
    }

    @Test
    void latency_spikes() throws Exception {
        scenario("latency spikes", e -> {
            e.faults().inject(Faults.ANY_ACTION, Fault.latency(Duration.ofMillis(50)));
            e.faults().inject("RunInstances", Fault.latency(Duration.ofSeconds(2)));
            e.faults().inject("CreateImage", Fault.latency(Duration.ofSeconds(2)));
        }, retries(), null);
    }

    @Test
    void connection_resets() throws Exception {
        scenario("connection resets", e -> e.faults().inject(Faults.ANY_ACTION, Fault.resetRate(0.2)), retries(),
                null);
    }

    @Test
    void the_emulator_restarted_mid_run() throws Exception {
        scenario("emulator restarted mid-run", e -> { }, retries(), (emulator, running) -> {
            // once an instance runs: the API front end goes away, comes back with the same resources,
            // and answers 503 for its first second
            running.get(2, TimeUnit.MINUTES);
            Ec2Emulator restarted = Ec2Emulator.restart(emulator.get());
            restarted.faults().inject(Faults.ANY_ACTION, Fault.outage(Duration.ZERO, Duration.ofSeconds(1)));
            emulator.set(restarted);
        });
    }

    @Test
    void packer_killed_with_sigkill_once_its_instance_runs() throws Exception {
        List<JobResult> jobs = scenario("packer killed -9", e -> { }, RetryPolicy.never(), (emulator, running) -> {
            // once an instance of the run exists (this packer's or the other's: either way its build
            // has things in the cloud the sweep must find), the first packer is killed
            running.get(2, TimeUnit.MINUTES);
            ProcessHandle.of(firstPid.get(2, TimeUnit.MINUTES)).ifPresent(ProcessHandle::destroyForcibly);
        });
        assertThat(jobs).extracting(JobResult::message).contains("packer was killed by signal 9 (SIGKILL)");
        assertThat(jobs).filteredOn(j -> j.state() == JobState.FAILED).isNotEmpty();
    }

    private static RetryPolicy retries() {
        return RetryPolicy.defaults().withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));
    }

    @FunctionalInterface
    private interface During {
        void act(AtomicReference<Ec2Emulator> emulator, CompletableFuture<Void> instanceRunning) throws Exception;
    }

    /** The pid of the first packer the run started. */
    private final CompletableFuture<Long> firstPid = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<Long> pids = new ConcurrentLinkedQueue<>();

    /**
     * Runs two amazon-ebs builds under {@code inject}'s faults (and {@code during}'s action, from this
     * thread), then checks what every scenario must hold. Returns the jobs' results.
     */
    private List<JobResult> scenario(String name, Consumer<Ec2Emulator> inject, RetryPolicy retry, During during)
            throws Exception {
        Path packer = RequiredTools.packer();
        CompletableFuture<Void> instanceRunning = new CompletableFuture<>();
        Consumer<ApiCall> onCall = c -> {
            if (c.action().equals("RunInstances") && c.succeeded()) {
                instanceRunning.complete(null);
            }
        };
        AtomicReference<Ec2Emulator> emulator = new AtomicReference<>(
                Ec2Emulator.builder().seed(seed.value()).onCall(onCall).start());
        long injected = 0;
        try (ProcessPackerRunner runner = runner(packer);
                Kiln kiln = Kiln.builder().provider(provider(emulator.get())).packerRunner(runner)
                        .files(f -> f.withRunsDirectory(work.resolve("runs")))
                        .scheduling(s -> s.withGracePeriod(Duration.ofSeconds(10)).withBudgetSampleInterval(null))
                        .listener(this::watch).build()) {
            inject.accept(emulator.get());
            BuildPlan plan = plan(kiln, retry);
            RunResult result;
            if (during == null) {
                result = kiln.run(plan);
            } else {
                RunHandle handle = kiln.start(plan);
                try {
                    during.act(emulator, instanceRunning);
                } finally {
                    result = handle.await();
                }
            }
            injected = emulator.get().counters().total().injectedFaults();
            check(name, plan, result, emulator.get());
            return result.jobs();
        } finally {
            FAULTS_INJECTED.addAndGet(injected);
            emulator.get().close();
        }
    }

    /** Reads the argv of packer and everything it started, and the var-files' permissions, while packer runs. */
    private void watch(KilnEvent event) {
        if (event instanceof KilnEvent.BuildProcess p) {
            firstPid.complete(p.pid());
            pids.add(p.pid());
            scan(p.pid());
        } else if (event instanceof KilnEvent.PackerOutput) {
            pids.forEach(this::scan);
        }
    }

    private void scan(long pid) {
        ProcessHandle.of(pid).ifPresent(packer -> Stream.concat(Stream.of(packer), packer.descendants())
                .forEach(p -> {
                    try {
                        String argv = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()),
                                "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                        ARGV_SCANNED.incrementAndGet();
                        if (argv.contains(planted) || argv.contains(SECRET_KEY)) {
                            leakyArgv.add(p.pid() + " " + argv);
                        }
                    } catch (IOException e) {
                        // gone meanwhile
                    }
                }));
        try (Stream<Path> files = Files.walk(work.resolve("runs"))) {
            files.filter(f -> f.getFileName().toString().startsWith(".kiln-")).forEach(f -> {
                varFilesSeen.add(f);
                try {
                    String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
                    if (!perms.equals("rw-------")) {
                        openVarFiles.add(f + " " + perms);
                    }
                } catch (IOException e) {
                    // deleted meanwhile: that is what should happen
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // a file went away during the walk
        }
    }

    private void check(String name, BuildPlan plan, RunResult result, Ec2Emulator emulator) throws IOException {
        SCENARIOS.incrementAndGet();
        JOBS.addAndGet(plan.jobs().size());
        RunAudit audit = RunAudit.of(result.runDirectory());
        String story = name + ": " + summary(result) + "\n  emulator: " + emulator.counters().total();
        System.out.println("kiln fault scenario " + story);
        if (Boolean.getBoolean("kiln.faults.logs")) {
            audit.files().stream().filter(f -> f.toString().endsWith(".log")).forEach(f -> {
                try {
                    System.out.println("---- " + f + "\n" + Files.readString(f));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }

        // every job ended terminal, in the journal and in junit.xml
        JOBS_LOST.addAndGet(audit.jobsWithoutTerminalState().size()
                + Math.max(0, plan.jobs().size() - audit.lastStates().size()));
        assertThat(audit.jobsWithoutTerminalState()).as(story).isEmpty();
        assertThat(audit.lastStates()).as(story).hasSize(plan.jobs().size());
        assertThat(audit.finished()).as(story).isTrue();
        assertThat(audit.junitCases()).as(story).isEqualTo(plan.jobs().size());
        assertThat(result.jobs()).as(story).allSatisfy(j -> assertThat(j.state().isTerminal()).isTrue());

        // a failed job's report names its classified cause and what happened
        Map<String, String> failures = audit.junitFailures();
        String html = audit.html();
        for (JobResult j : result.jobs()) {
            if (j.state() == JobState.FAILED) {
                assertThat(j.failure()).as(story).isNotNull();
                // junit.xml holds the message on one line: packer's errors may span several
                assertThat(failures.get(j.job().id().value())).as(story)
                        .startsWith(j.failure().name() + ": ").contains(j.message().replaceAll("\\s+", " ").strip());
                assertThat(html).as(story).contains(j.failure().name());
            }
        }

        // nothing a failed build made survives; a successful one keeps only its AMI and snapshot
        List<String> orphans = new ArrayList<>();
        for (JobResult j : result.jobs()) {
            for (TaggedResource r : emulator.resourcesTagged("kiln:build-id", j.job().buildId())) {
                if (j.state() != JobState.SUCCEEDED || !Set.of("image", "snapshot").contains(r.type())) {
                    orphans.add(j.job().id() + " " + j.state() + ": " + r.type() + "/" + r.id());
                }
            }
        }
        ORPHANS.addAndGet(orphans.size());
        assertThat(orphans).as(story).isEmpty();

        // no planted secret anywhere: argv, var-files, run files, logs, messages; run directories 0700
        List<String> found = new ArrayList<>(leakyArgv);
        for (Path f : audit.files()) {
            String text = Files.readString(f, StandardCharsets.ISO_8859_1);
            if (text.contains(planted) || text.contains(SECRET_KEY)) {
                found.add(f.toString());
            }
            assertThat(f.getFileName().toString()).as("var-file left behind").doesNotStartWith(".kiln-");
        }
        for (ILoggingEvent e : logs.list) {
            StringBuilder text = new StringBuilder(e.getFormattedMessage());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                text.append(' ').append(t.getMessage());
            }
            if (text.indexOf(planted) >= 0 || text.indexOf(SECRET_KEY) >= 0) {
                found.add("log: " + text);
            }
        }
        for (JobResult j : result.jobs()) {
            String said = j.message() + " " + j.diagnosis().orElse("") + " " + j.job();
            if (said.contains(planted) || said.contains(SECRET_KEY)) {
                found.add("message of " + j.job().id() + ": " + said);
            }
        }
        SECRETS_FOUND.addAndGet(found.size());
        assertThat(found).as("planted secrets found").isEmpty();
        assertThat(varFilesSeen).as("var-files seen while packer ran").isNotEmpty();
        assertThat(openVarFiles).as("var-files readable by others").isEmpty();
        // (the run's directory, jobs/, jobs/<job>/, jobs/<job>/attempt-N/ and preflight/: what Kiln creates)
        try (Stream<Path> dirs = Files.walk(result.runDirectory(), 3)) {
            assertThat(dirs.filter(Files::isDirectory)
                    .map(d -> {
                        try {
                            return d + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(d));
                        } catch (IOException e) {
                            return d + " unreadable";
                        }
                    })).allSatisfy(d -> assertThat(d).endsWith(" rwx------"));
        }
    }

    private ProcessPackerRunner runner(Path packer) throws IOException {
        Files.createDirectories(work.resolve("home"));
        return PackerRunners.processBuilder().executable(packer)
                .extraEnv("AWS_ACCESS_KEY_ID", ACCESS_KEY).extraEnv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                .extraEnv("HOME", work.resolve("home").toString()).build();
    }

    private static AwsProvider provider(Ec2Emulator emulator) {
        return AwsProvider.builder().endpointOverride(emulator.endpoint())
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .pollDelay(Duration.ofSeconds(1)).build();
    }

    private BuildPlan plan(Kiln kiln, RetryPolicy retry) throws IOException {
        Path template = work.resolve("amazon-ebs.json");
        Files.writeString(template, """
                {
                  "variables": {
                    "kiln_image_name": "", "kiln_build_id": "", "kiln_expires_at": "", "kiln_run_id": "", "kiln_env": "",
                    "kiln_region": "", "kiln_account": "", "kiln_provider": "", "db_password": "",
                    "ec2_endpoint": "{{env `KILN_AWS_ENDPOINT`}}"
                  },
                  "sensitive-variables": ["db_password"],
                  "builders": [{
                    "type": "amazon-ebs",
                    "region": "{{user `kiln_region`}}",
                    "custom_endpoint_ec2": "{{user `ec2_endpoint`}}",
                    "skip_region_validation": true, "skip_credential_validation": true, "skip_metadata_api_check": true,
                    "source_ami_filter": {
                      "filters": {"name": "amzn2-ami-hvm-*-x86_64-gp2", "root-device-type": "ebs",
                                  "virtualization-type": "hvm"},
                      "owners": ["amazon"], "most_recent": true
                    },
                    "instance_type": "t3.micro",
                    "communicator": "none",
                    "ami_name": "{{user `kiln_image_name`}}",
                    "run_tags": {"kiln:build-id": "{{user `kiln_build_id`}}",
                                 "kiln:expires-at": "{{user `kiln_expires_at`}}"},
                    "run_volume_tags": {"kiln:build-id": "{{user `kiln_build_id`}}",
                                        "kiln:expires-at": "{{user `kiln_expires_at`}}"},
                    "tags": {"kiln:build-id": "{{user `kiln_build_id`}}", "kiln:run-id": "{{user `kiln_run_id`}}"},
                    "snapshot_tags": {"kiln:build-id": "{{user `kiln_build_id`}}"}
                  }],
                  "provisioners": [{"type": "shell-local",
                                    "inline": ["echo connecting to the database with {{user `db_password`}}"]}]
                }
                """);
        Fleet.Builder fleet = Fleet.builder("faults").environments("dev").retryPolicy(retry)
                .target(Target.of("aws", Ec2Emulator.DEFAULT_ACCOUNT, REGION));
        for (int i = 1; i <= 2; i++) {
            fleet.image(ImageSpec.builder("app" + i, template, "amazon-ebs").instanceSize("t3.micro")
                    .sensitiveVariable("db_password", planted)
                    .expectedDuration(Duration.ofSeconds(8)).timeout(Duration.ofSeconds(20)).build());
        }
        return fleet.build(kiln.planContext());
    }

    private static String summary(RunResult result) {
        StringBuilder b = new StringBuilder();
        for (JobResult j : result.jobs()) {
            b.append(String.format(Locale.ROOT, "%n  %-36s %-9s attempts %d %s %s", j.job().id(), j.state(),
                    j.attempts(), j.failure() == null ? "" : j.failure(),
                    j.state() == JobState.SUCCEEDED ? j.verified() : j.message()));
        }
        return b.toString();
    }
}
