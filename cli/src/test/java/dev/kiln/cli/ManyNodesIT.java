package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.limits.LimitSpec;
import dev.kiln.postgres.PostgresCoordination;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Many nodes, one fleet: separate {@code kiln run --coordination postgres://... --node nX --run-id R}
 * processes over the packaged {@code kiln.jar} (failsafe runs this after {@code package}), sharing a
 * real PostgreSQL and building real amazon-ebs images (packer 1.6.6) on one EC2 emulator whose vCPU
 * quota and RunInstances bucket are tight enough that nodes each keeping only their own count would
 * breach them.
 */
class ManyNodesIT {

    private static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1");
    private static final String ACCOUNT = Ec2Emulator.DEFAULT_ACCOUNT;
    /** Builds per region in many-nodes.yaml: base and tools in dev and prod, app in dev. */
    private static final int BUILDS_PER_REGION = 5;
    private static final int JOBS = BUILDS_PER_REGION * REGIONS.size();
    /** vCPUs of a t3.micro. */
    private static final int VCPUS_PER_BUILD = 2;
    /** Two builds per region at a time. */
    private static final int VCPU_QUOTA = 4;
    /** The plan's RunInstances limit is the emulator's: two at once, one more every two seconds. */
    private static final LimitSpec.TokenBucket RUN_INSTANCES = LimitSpec.tokenBucket(2, 0.5);
    /** Fake keys: the emulator checks no signatures. Given to the nodes (SDK and packer) through their environment. */
    private static final String ACCESS_KEY = "AKIAKILNNODES0000001";
    private static final String SECRET_KEY = "kiln-nodes-fake-secret-not-for-aws-0001";
    /** Every node gets it as PGPASSWORD; the embedded server trusts local connections, so it is there only never to be printed. */
    private static final String PASSWORD = "kiln-nodes-pg-password-never-printed";
    /**
     * Leases of a fleet where no node dies: long, so a node starved of CPU on a loaded machine
     * never loses one (each job must be built exactly once).
     */
    private static final Duration LEASE_TTL = Duration.ofSeconds(60);
    /**
     * Leases of the fleet whose first node is killed: the others wait its leases out, so they are
     * short, yet renewed every third of them with room for a busy machine's pauses.
     */
    private static final Duration SHORT_LEASE_TTL = Duration.ofSeconds(10);
    /** Packer processes per node: the fleet's six builds at once need every node. */
    private static final int SLOTS = 2;
    private static final Duration NODE_LIMIT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TimeSource CLOCK = TimeSource.system();

    @TempDir
    Path work;

    private Ec2Emulator ec2;
    private final Map<String, Integer> peakVcpus = new ConcurrentHashMap<>();
    private String database;
    private Path plan;
    private final List<Node> nodes = new ArrayList<>();
    private String untraced = "";

    @BeforeEach
    void setUp() throws IOException {
        Tools.packer();
        database = Postgres.freshDatabase();
        plan = Cli.plans(work).resolve("many-nodes.yaml");
        Files.createDirectories(work.resolve("home"));
        AtomicReference<Ec2Emulator> self = new AtomicReference<>();
        // After every call, the vCPUs in use in its region: the peak of what the fleet held.
        ec2 = Ec2Emulator.builder().vcpuQuota(VCPU_QUOTA).limit("RunInstances", RUN_INSTANCES)
                .onCall(call -> {
                    Ec2Emulator emulator = self.get();
                    if (emulator != null && call.account() != null && REGIONS.contains(call.region())) {
                        peakVcpus.merge(call.region(), emulator.vcpusInUse(call.account(), call.region()), Math::max);
                    }
                })
                .start();
        self.set(ec2);
    }

    @AfterEach
    void tearDown() {
        nodes.forEach(Node::kill);
        if (ec2 != null) {
            ec2.close();
        }
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        Postgres.stop();
    }

    @Test
    void three_nodes_share_one_run_and_build_every_image_once_within_the_fleets_limits() throws Exception {
        // Given a fleet that three nodes each minding only their own builds would take past the limits
        assertThat(BUILDS_PER_REGION * VCPUS_PER_BUILD).as("vCPUs a region's builds need at once").isGreaterThan(VCPU_QUOTA);
        assertThat((long) BUILDS_PER_REGION).as("RunInstances a region's builds burst").isGreaterThan(RUN_INSTANCES.capacity());
        String run = "fleet1";
        long started = CLOCK.nanoTime();

        // When two nodes start the run, and a third joins once the first images exist
        Node n1 = start("n1", run);
        Node n2 = start("n2", run);
        until("the first CreateImage", () -> ec2.counters().of("CreateImage").calls() > 0, () -> logs(n1, n2));
        Node n3 = start("n3", run);
        for (Node n : List.of(n1, n2, n3)) {
            n.await();
        }
        Duration took = Duration.ofNanos(CLOCK.nanoTime() - started);

        // Then every node reports the whole fleet built
        Set<String> jobs = jobIds(n2);
        assertThat(jobs).hasSize(JOBS);
        for (Node n : List.of(n1, n2, n3)) {
            assertThat(n.exit()).as("%s", n.logs()).isZero();
            assertThat(n.out()).contains(JOBS + " builds: " + JOBS + " succeeded")
                    .contains("as node " + n.id + " of shared run " + run + ", coordinated through " + database);
            assertThat(Files.readString(n.runDirectory(run).resolve("junit.xml")))
                    .contains("tests=\"" + JOBS + "\" failures=\"0\"");
            assertThat(n.out() + n.err()).as("the database password").doesNotContain(PASSWORD);
        }
        // And every job was built exactly once, by one node, and the store recorded its outcome
        Map<String, List<String>> startedBy = buildStarts(List.of(n1, n2, n3));
        assertThat(startedBy.keySet()).isEqualTo(jobs);
        assertThat(startedBy).allSatisfy((job, by) -> assertThat(by).as(job).hasSize(1));
        Map<String, JsonNode> outcomes = outcomes(run, jobs);
        assertThat(outcomes).allSatisfy((job, o) -> {
            assertThat(o.get("state").asText()).as(job).isEqualTo("SUCCEEDED");
            assertThat(o.get("node").asText()).as(job).isEqualTo(startedBy.get(job).get(0));
        });
        // And the cloud saw one instance per build, no throttle, no quota error, never more vCPUs than the quota
        Map<String, Long> instances = instancesPerBuildId();
        assertThat(instances).hasSize(JOBS).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        assertWithinLimits();
        System.out.printf(Locale.ROOT, "many nodes: 3 nodes (n3 joined late), %d amazon-ebs builds in %.1f s;"
                + " builds per node %s; peak vCPUs per region %s (quota %d); %s%n", JOBS, took.toMillis() / 1000.0,
                perNode(startedBy), new TreeMap<>(peakVcpus), VCPU_QUOTA, ec2.counters().total());
    }

    @Test
    void a_node_killed_mid_build_loses_its_jobs_to_the_others_which_sweep_and_finish_them() throws Exception {
        // Given three nodes on one run, the first a little ahead so that it has builds to lose
        String run = "fleet2";
        long started = CLOCK.nanoTime();
        Node n1 = start("n1", run, SHORT_LEASE_TTL);
        until("n1 to start the run", () -> events(n1, run).stream().anyMatch(e -> type(e, "RunStarted")), n1::logs);
        Node n2 = start("n2", run, SHORT_LEASE_TTL);
        Node n3 = start("n3", run, SHORT_LEASE_TTL);
        until("n1 to run a build whose instance exists", () -> !runningWithInstance(n1, run).isEmpty(),
                () -> logs(n1, n2, n3));

        // When n1's machine dies: the JVM and every packer it started, at once, no cleanup
        List<ProcessHandle> packers = n1.process.descendants().toList();
        n1.process.destroyForcibly();
        packers.forEach(ProcessHandle::destroyForcibly);
        assertThat(n1.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        until("n1's packer processes to die", () -> packers.stream().noneMatch(ProcessHandle::isAlive), n1::logs);
        Map<String, String> interrupted = unfinished(n1, run);
        Map<String, List<TaggedResource>> leftBehind = new LinkedHashMap<>();
        interrupted.values().forEach(id -> leftBehind.put(id, ec2.resourcesTagged("kiln:build-id", id)));
        n2.await();
        n3.await();
        Duration took = Duration.ofNanos(CLOCK.nanoTime() - started);

        // Then the other two finished the whole fleet
        assertThat(interrupted).as("jobs n1 was building").isNotEmpty();
        Set<String> jobs = jobIds(n2);
        assertThat(jobs).hasSize(JOBS);
        for (Node n : List.of(n2, n3)) {
            assertThat(n.exit()).as("%s", n.logs()).isZero();
            assertThat(n.out()).contains(JOBS + " builds: " + JOBS + " succeeded");
            assertThat(Files.readString(n.runDirectory(run).resolve("junit.xml")))
                    .contains("tests=\"" + JOBS + "\" failures=\"0\"");
        }
        // And n1's jobs waited out its leases, were swept, then built once more by another node
        Map<String, List<String>> startedBy = buildStarts(List.of(n1, n2, n3));
        assertThat(startedBy.keySet()).isEqualTo(jobs);
        for (String job : jobs) {
            List<String> by = startedBy.get(job);
            if (interrupted.containsKey(job)) {
                assertThat(by).as(job).hasSize(2).startsWith("n1");
                Node taker = by.get(1).equals("n2") ? n2 : n3;
                List<JsonNode> log = events(taker, run).stream().filter(e -> job.equals(text(e, "jobId"))).toList();
                int swept = indexOf(log, e -> type(e, "Swept"));
                int rebuilt = indexOf(log, e -> type(e, "BuildStarted"));
                assertThat(swept).as("%s swept on %s before it was built again", job, taker.id).isNotNegative()
                        .isLessThan(rebuilt);
            } else {
                assertThat(by).as(job).hasSize(1);
            }
        }
        // And nothing the dead builds made is left: each build id keeps only its finished AMI and snapshot
        for (var e : leftBehind.entrySet()) {
            List<TaggedResource> now = ec2.resourcesTagged("kiln:build-id", e.getKey());
            assertThat(now).extracting(TaggedResource::type).as("build %s", e.getKey())
                    .containsOnly("image", "snapshot").containsOnlyOnce("image");
            for (TaggedResource made : e.getValue()) {
                assertThat(now).extracting(TaggedResource::id).as("%s, made before n1 died", made)
                        .doesNotContain(made.id());
            }
        }
        assertThat(leftBehind.values()).as("the dead builds had made something").anySatisfy(
                made -> assertThat(made).extracting(TaggedResource::type).contains("instance"));
        Map<String, Long> instances = instancesPerBuildId();
        assertThat(instances).hasSize(JOBS).allSatisfy((id, n) -> assertThat(n).as("instances of build %s", id)
                .isEqualTo(1 + leftBehind.getOrDefault(id, List.of()).stream()
                        .filter(r -> r.type().equals("instance")).count()));
        // (packer 1.6 tags neither its temporary key pair nor its group: a sweep finds them through the
        // instance, so only a build killed before its instance existed can leave them, one of each)
        long killedBeforeInstance = leftBehind.values().stream()
                .filter(made -> made.stream().noneMatch(r -> r.type().equals("instance"))).count();
        assertNothingRunningOrLeftOver(killedBeforeInstance);
        // And every job is recorded in the store, n1's by the node that finished it
        Map<String, JsonNode> outcomes = outcomes(run, jobs);
        assertThat(outcomes).allSatisfy((job, o) -> {
            assertThat(o.get("state").asText()).as(job).isEqualTo("SUCCEEDED");
            assertThat(o.get("node").asText()).as(job).isEqualTo(startedBy.get(job).get(startedBy.get(job).size() - 1));
        });
        // And even through the crash, the fleet kept to the limits
        assertWithinLimits();
        System.out.printf(Locale.ROOT, "many nodes, one killed: %d builds in %.1f s; n1 killed while building %s;"
                + " they had made %s; left untagged: %s; builds per node %s; peak vCPUs per region %s (quota %d);"
                + " %s%n", JOBS, took.toMillis() / 1000.0, interrupted.keySet(), leftBehind, untraced,
                perNode(startedBy), new TreeMap<>(peakVcpus), VCPU_QUOTA, ec2.counters().total());
    }

    // ---------------------------------------------------------------- the nodes

    private Node start(String id, String run) throws IOException {
        return start(id, run, LEASE_TTL);
    }

    private Node start(String id, String run, Duration leaseTtl) throws IOException {
        Path jar = Cli.repository().resolve("cli/target/kiln.jar");
        assertThat(jar).as("the packaged kiln (failsafe runs after package)").exists();
        List<String> argv = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", jar.toString(), KilnMain.class.getName(), "run",
                "--coordination", database, "--node", id, "--run-id", run,
                "--lease-ttl", leaseTtl.toSeconds() + "s", "--slots", String.valueOf(SLOTS), "--runs-dir", work.resolve("runs-" + id).toString(),
                plan.toString());
        ProcessBuilder pb = new ProcessBuilder(argv).directory(work.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("KILN_") || k.startsWith("AWS_") || k.startsWith("PG")
                || k.equals("CI") || k.startsWith("GITHUB_"));
        env.put("CI", "true");
        env.put("KILN_AWS_ENDPOINT", ec2.endpoint().toString());
        env.put("KILN_AWS_POLL_DELAY", "1s");
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        env.put("PGPASSWORD", PASSWORD);
        env.put("HOME", work.resolve("home").toString());
        env.put("CHECKPOINT_DISABLE", "1");
        Path out = work.resolve(id + ".out");
        Path err = work.resolve(id + ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Node node = new Node(id, pb.start(), work.resolve("runs-" + id), out, err);
        node.process.getOutputStream().close();
        nodes.add(node);
        return node;
    }

    /** One {@code kiln run} process. */
    private static final class Node {
        final String id;
        final Process process;
        final Path runs;
        final Path out;
        final Path err;

        Node(String id, Process process, Path runs, Path out, Path err) {
            this.id = id;
            this.process = process;
            this.runs = runs;
            this.out = out;
            this.err = err;
        }

        Path runDirectory(String run) {
            return runs.resolve(run);
        }

        void await() throws InterruptedException {
            if (!process.waitFor(NODE_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                fail("node " + id + " did not finish within " + NODE_LIMIT + "\n" + logs());
            }
        }

        int exit() {
            return process.exitValue();
        }

        String out() {
            return read(out);
        }

        String err() {
            return read(err);
        }

        String logs() {
            return "--- " + id + " stdout\n" + out() + "\n--- " + id + " stderr\n" + err();
        }

        void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }

        private static String read(Path file) {
            try {
                return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                return "(unreadable: " + e.getMessage() + ")";
            }
        }
    }

    private static String logs(Node... nodes) {
        return java.util.Arrays.stream(nodes).map(Node::logs).collect(Collectors.joining("\n"));
    }

    /** Waits, a bounded while, for something the test can observe; on a timeout, says what the nodes did. */
    private static void until(String what, BooleanSupplier condition, Supplier<String> context) {
        try {
            await(what).atMost(NODE_LIMIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            fail("waited " + NODE_LIMIT + " for " + what + "\n" + context.get());
        }
    }

    // ---------------------------------------------------------------- what the nodes wrote

    /** The node's journal so far; a line being written (torn) is left out, as Kiln's own reader does. */
    private static List<JsonNode> events(Node n, String run) {
        Path file = n.runDirectory(run).resolve("events.jsonl");
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    out.add(JSON.readTree(line));
                } catch (JsonProcessingException e) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
        return out;
    }

    private static boolean type(JsonNode event, String type) {
        return type.equals(text(event, "type"));
    }

    private static String text(JsonNode event, String field) {
        JsonNode v = event.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static int indexOf(List<JsonNode> events, java.util.function.Predicate<JsonNode> p) {
        for (int i = 0; i < events.size(); i++) {
            if (p.test(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static Set<String> jobIds(Node n) {
        return events(n, runOf(n)).stream().filter(e -> type(e, "JobStateChanged"))
                .map(e -> text(e, "jobId")).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private static String runOf(Node n) {
        try (var dirs = Files.list(n.runs)) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For each job, the nodes that started a build of it, in order. */
    private static Map<String, List<String>> buildStarts(List<Node> all) {
        Map<String, List<JsonNode>> starts = new TreeMap<>();
        for (Node n : all) {
            for (JsonNode e : events(n, runOf(n))) {
                if (type(e, "BuildStarted")) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) e).put("node", n.id);
                    starts.computeIfAbsent(text(e, "jobId"), k -> new ArrayList<>()).add(e);
                }
            }
        }
        Map<String, List<String>> out = new TreeMap<>();
        starts.forEach((job, list) -> out.put(job, list.stream()
                .sorted(java.util.Comparator.comparing(e -> java.time.Instant.parse(text(e, "at"))))
                .map(e -> text(e, "node")).toList()));
        return out;
    }

    /** Jobs whose build the node started and never saw end: job id to build id. */
    private static Map<String, String> unfinished(Node n, String run) {
        Map<String, String> building = new TreeMap<>();
        for (JsonNode e : events(n, run)) {
            if (type(e, "BuildStarted")) {
                building.put(text(e, "jobId"), text(e, "buildId"));
            } else if (type(e, "JobStateChanged") && Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(text(e, "to"))) {
                building.remove(text(e, "jobId"));
            }
        }
        return building;
    }

    /** Builds the node is running whose instance already exists on the emulator. */
    private Map<String, String> runningWithInstance(Node n, String run) {
        Map<String, String> out = new TreeMap<>();
        unfinished(n, run).forEach((job, buildId) -> {
            if (ec2.resourcesTagged("kiln:build-id", buildId).stream().anyMatch(r -> r.type().equals("instance"))) {
                out.put(job, buildId);
            }
        });
        return out;
    }

    private static Map<String, Long> perNode(Map<String, List<String>> startedBy) {
        return startedBy.values().stream().flatMap(List::stream)
                .collect(Collectors.groupingBy(n -> n, TreeMap::new, Collectors.counting()));
    }

    /** What the store recorded for each job of the run, as the nodes' run loops read it. */
    private Map<String, JsonNode> outcomes(String run, Set<String> jobs) throws IOException {
        Map<String, JsonNode> out = new TreeMap<>();
        try (PostgresCoordination store = PostgresCoordination.builder(database).nodeId("test").build()) {
            for (String job : jobs) {
                String outcome = store.leases().outcome("job:" + run + ":" + job).orElse(null);
                assertThat(outcome).as("outcome of %s", job).isNotNull();
                out.put(job, JSON.readTree(outcome));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- what the cloud saw

    private void assertWithinLimits() {
        ActionCounts total = ec2.counters().total();
        assertThat(total.throttled()).as("RequestLimitExceeded; by action %s", ec2.counters().snapshot()).isZero();
        assertThat(total.quotaErrors()).as("quota errors; by action %s", ec2.counters().snapshot()).isZero();
        assertThat(ec2.unknownActions()).isEmpty();
        assertThat(peakVcpus).as("peak vCPUs per region").hasSize(REGIONS.size())
                .allSatisfy((region, peak) -> assertThat(peak).as(region).isBetween(1, VCPU_QUOTA));
    }

    /** Instances ever started per build id, terminated ones included (EC2 lists them for an hour). */
    private Map<String, Long> instancesPerBuildId() {
        Map<String, Long> out = new TreeMap<>();
        for (String region : REGIONS) {
            try (Ec2Client sdk = sdk(region)) {
                sdk.describeInstancesPaginator().reservations().forEach(r -> {
                    for (Instance i : r.instances()) {
                        i.tags().stream().filter(t -> t.key().equals("kiln:build-id")).map(Tag::value).findFirst()
                                .ifPresent(id -> out.merge(id, 1L, Long::sum));
                    }
                });
            }
        }
        return out;
    }

    /** No instance or volume anywhere; at most {@code untraceable} of packer's untagged key pairs and groups. */
    private void assertNothingRunningOrLeftOver(long untraceable) {
        List<String> keyPairs = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        for (String region : REGIONS) {
            assertThat(ec2.vcpusInUse(ACCOUNT, region)).as("vCPUs in use in %s", region).isZero();
            try (Ec2Client sdk = sdk(region)) {
                assertThat(sdk.describeVolumes().volumes()).as("volumes in %s", region).isEmpty();
                sdk.describeKeyPairs().keyPairs().forEach(k -> keyPairs.add(region + "/" + k.keyName()));
                sdk.describeSecurityGroups().securityGroups().stream().filter(g -> !g.groupName().equals("default"))
                        .forEach(g -> groups.add(region + "/" + g.groupName()));
            }
        }
        assertThat(keyPairs).as("key pairs left").hasSizeLessThanOrEqualTo((int) untraceable)
                .allSatisfy(k -> assertThat(k).contains("/packer_"));
        assertThat(groups).as("security groups left").hasSizeLessThanOrEqualTo((int) untraceable)
                .allSatisfy(g -> assertThat(g).contains("/packer_"));
        untraced = keyPairs.size() + " key pairs and " + groups.size() + " security groups of packer's";
    }

    private Ec2Client sdk(String region) {
        return Ec2Client.builder().endpointOverride(ec2.endpoint()).region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
