package dev.kiln.benchmarks;

import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.aws.Ec2Delays;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.postgres.PostgresCoordination;
import dev.kiln.time.TimeSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Many nodes: the same fleet run by one {@code kiln run --coordination postgres://…} process, then
 * by three sharing one run id, over the packaged {@code cli/target/kiln.jar}, on one embedded
 * PostgreSQL and one EC2 emulator that every node's and every packer's calls reach, so its
 * throttle and quota counts are the whole fleet's. The builds are real amazon-ebs builds whose
 * instances and AMIs the emulator keeps pending a few seconds: they wait on their cloud, and with
 * EC2's limits and no vCPU quota in the way the fleet is bound by the nodes' slots (4 each). A
 * null build would be cheaper, but Kiln verifies an AWS build's AMI, which a null build lacks, and
 * a simulated cloud is each node's own, so it could not count the fleet's throttles. packer reaches
 * EC2's real host names, which {@code --gate-route} sends through each node's gate to the emulator,
 * so every call is metered against the fleet's shared limits; with {@code off} packer reaches the
 * emulator at its own endpoint ({@code custom_endpoint_ec2}, as ManyNodesIT's plan) and Kiln charges
 * each build's cost model at admission instead.
 *
 * <p>Reports each run's throughput, the ratio of three nodes to one, what the emulator counted
 * (throttles, quota errors), and PostgreSQL's work per admitted build: statements executed (from
 * {@code pg_stat_statements}, {@code BEGIN} and {@code COMMIT} included, each a round trip or
 * less, so an upper bound on round trips) and transactions (committed and rolled back, from
 * {@code pg_stat_database}).
 *
 * <pre>{@code bin/bench nodes [builds] [emulator delay seconds] [slots per node] [gate on|off]}</pre>
 *
 * Exits non-zero only if a build fails, or the emulator counts a throttle or a quota error.
 */
public final class NodesBenchmark {

    private static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2");
    private static final String ACCESS_KEY = "AKIAKILNBENCHNODES01";
    private static final String SECRET_KEY = "kiln-bench-fake-secret-not-for-aws-0002";
    private static final Duration NODE_LIMIT = Duration.ofMinutes(30);
    private static final Pattern AT = Pattern.compile("\"at\":\"([^\"]+)\"");
    private static final TimeSource CLOCK = TimeSource.system();

    private NodesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int builds = args.length > 0 ? Integer.parseInt(args[0]) : 48;
        Duration delay = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 3);
        int slots = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        String gate = args.length > 3 ? args[3] : "on";
        Path jar = Path.of("cli/target/kiln.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: bin/bench nodes packages it first");
        }
        Path work = Files.createTempDirectory("kiln-nodes");
        Path plan = plan(work, builds, gate.equals("on"));
        System.out.printf(Locale.ROOT, "many nodes: %d amazon-ebs builds (packer 1.6) over %d regions on one EC2"
                + " emulator (instances and AMIs pending %d s), %d slots per node, --gate %s, one embedded"
                + " PostgreSQL 14%n", builds, REGIONS.size(), delay.toSeconds(), slots, gate);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track", "all").start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            }
            Result one = fleet(pg, jar, work, plan, "one", 1, slots, builds, delay, gate);
            Result three = fleet(pg, jar, work, plan, "three", 3, slots, builds, delay, gate);
            System.out.println("nodes | builds | build window | wall | builds/min | throttles | quota errors"
                    + " | statements per admission | transactions per admission | builds per node | load average");
            System.out.println(one.row());
            System.out.println(three.row());
            System.out.printf(Locale.ROOT, "3 nodes / 1 node: %.2f x the throughput (build window), %.2f x (wall)%n",
                    one.window() / three.window(), one.wall() / three.wall());
            if (one.broken() || three.broken()) {
                System.out.println("a hard invariant is broken: a build failed, or the cloud throttled or refused"
                        + " for quota under Kiln");
                System.exit(1);
            }
        }
    }

    /**
     * What one run did.
     *
     * @param window     first build start to last build end, over every node's journal, seconds
     * @param wall       first node started to last node exited, seconds
     * @param statements statements the run's database executed, BEGIN and COMMIT included
     * @param xacts      transactions it committed or rolled back
     * @param admitted   builds started, over every node
     */
    record Result(int nodes, int builds, double window, double wall, long throttled, long quotaErrors,
                  long statements, long xacts, int admitted, List<Integer> perNode, int failed, String load) {

        String row() {
            return String.format(Locale.ROOT, "%d | %d | %.1f s | %.1f s | %.1f | %d | %d | %.1f | %.1f | %s | %s",
                    nodes, builds, window, wall, builds * 60 / window, throttled, quotaErrors,
                    (double) statements / admitted, (double) xacts / admitted, perNode, load);
        }

        boolean broken() {
            return failed > 0 || throttled > 0 || quotaErrors > 0 || admitted < builds;
        }
    }

    private static Result fleet(EmbeddedPostgres pg, Path jar, Path work, Path plan, String run, int nodes,
            int slots, int builds, Duration delay, String gate) throws Exception {
        String database = "nodes_" + run;
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + database);
        }
        String url = "postgres://postgres@localhost:" + pg.getPort() + "/" + database;
        try (Ec2Emulator ec2 = Ec2Emulator.builder().vcpuQuota(100_000).delays(Ec2Delays.uniform(delay)).start()) {
            // The schema first (Flyway's migrations, once per database), so the figures are the run's alone.
            try (PostgresCoordination schema = PostgresCoordination.builder(url).nodeId("bench").build()) {
                schema.database();
            }
            long[] before = counters(pg.getPostgresDatabase(), database);
            List<Process> started = new ArrayList<>();
            List<Path> runsDirs = new ArrayList<>();
            long t0 = CLOCK.nanoTime();
            for (int i = 1; i <= nodes; i++) {
                Path runs = work.resolve(run + "-n" + i);
                runsDirs.add(runs);
                started.add(node(jar, work, plan, ec2, url, "n" + i, run, slots, runs, gate));
            }
            int failed = 0;
            for (Process p : started) {
                if (!p.waitFor(NODE_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    throw new IllegalStateException("a node did not finish in " + NODE_LIMIT + "; see " + work);
                }
                failed += p.exitValue() == 0 ? 0 : 1;
            }
            double wall = (CLOCK.nanoTime() - t0) / 1e9;
            long[] after = counters(pg.getPostgresDatabase(), database);
            topStatements(pg.getPostgresDatabase(), database, nodes);
            Instant first = null;
            Instant last = null;
            int admitted = 0;
            List<Integer> perNode = new ArrayList<>();
            for (Path runs : runsDirs) {
                int mine = 0;
                for (String line : Files.readAllLines(runs.resolve(run).resolve("events.jsonl"))) {
                    boolean start = line.contains("\"type\":\"BuildStarted\"");
                    boolean end = line.contains("\"type\":\"BuildEnded\"");
                    if (!start && !end) {
                        continue;
                    }
                    Matcher m = AT.matcher(line);
                    Instant at = m.find() ? Instant.parse(m.group(1)) : null;
                    if (start) {
                        mine++;
                        first = first == null || at.isBefore(first) ? at : first;
                    } else {
                        last = last == null || at.isAfter(last) ? at : last;
                    }
                }
                perNode.add(mine);
                admitted += mine;
            }
            if (failed > 0) {
                System.out.println(failed + " node(s) of run " + run + " exited non-zero; their output is in " + work);
            }
            ActionCounts total = ec2.counters().total();
            ec2.counters().snapshot().forEach((action, counts) -> {
                if (counts.throttled() > 0 || counts.quotaErrors() > 0) {
                    System.out.println("  the emulator throttled " + action + " " + counts.throttled()
                            + " times and refused it for quota " + counts.quotaErrors() + " times");
                }
            });
            return new Result(nodes, builds, Duration.between(first, last).toMillis() / 1000.0, wall,
                    total.throttled(), total.quotaErrors(), after[0] - before[0], after[1] - before[1], admitted,
                    perNode, failed, Proc.loadAverage());
        }
    }

    /** Statements executed in {@code database} so far, and transactions committed or rolled back there. */
    private static long[] counters(DataSource admin, String database) throws SQLException {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            // Statistics reach the views with a delay of their own; this asks for the newest.
            st.execute("SELECT pg_stat_clear_snapshot()");
            long statements;
            try (ResultSet rs = st.executeQuery("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s"
                    + " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '" + database + "'")) {
                rs.next();
                statements = rs.getLong(1);
            }
            try (ResultSet rs = st.executeQuery("SELECT xact_commit + xact_rollback FROM pg_stat_database"
                    + " WHERE datname = '" + database + "'")) {
                return new long[] {statements, rs.next() ? rs.getLong(1) : 0};
            }
        }
    }

    /** The statements the run's nodes executed most, so that the count can be read, not only summed. */
    private static void topStatements(DataSource admin, String database, int nodes) throws SQLException {
        System.out.println("  the statements " + nodes + " node(s) executed most:");
        try (Connection c = admin.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT calls, regexp_replace(query, '\\s+', ' ', 'g')"
                     + " FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '"
                     + database + "' ORDER BY calls DESC LIMIT 8")) {
            while (rs.next()) {
                String q = rs.getString(2);
                System.out.printf(Locale.ROOT, "  %7d  %s%n", rs.getLong(1),
                        q.length() > 110 ? q.substring(0, 110) + "…" : q);
            }
        }
    }

    private static Process node(Path jar, Path work, Path plan, Ec2Emulator ec2, String url, String id, String run,
            int slots, Path runs, String gate) throws IOException {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", jar.toString(), "dev.kiln.cli.KilnMain", "run",
                "--coordination", url, "--node", id, "--run-id", run, "--lease-ttl", "60s",
                "--slots", Integer.toString(slots), "--gate", gate, "--runs-dir", runs.toString(), "--progress", "plain",
                plan.toString()));
        if (gate.equals("on")) {
            argv.addAll(argv.size() - 1, List.of("--gate-route", "ec2.*.amazonaws.com=" + ec2.endpoint()));
        }
        ProcessBuilder pb = new ProcessBuilder(argv).directory(work.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("KILN_") || k.startsWith("AWS_") || k.startsWith("PG")
                || k.startsWith("GITHUB_"));
        env.put("CI", "true");
        env.put("KILN_AWS_ENDPOINT", ec2.endpoint().toString());
        env.put("KILN_AWS_POLL_DELAY", "2s");
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        env.put("HOME", Files.createDirectories(work.resolve("home")).toString());
        env.put("CHECKPOINT_DISABLE", "1");
        pb.redirectOutput(work.resolve(run + "-" + id + ".out").toFile())
                .redirectError(work.resolve(run + "-" + id + ".err").toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    /**
     * {@code builds} amazon-ebs builds: images × the four regions. Gated, packer calls EC2's real
     * hosts (the gate routes them); otherwise its endpoint is the emulator's, which KILN_AWS_ENDPOINT
     * names (as ManyNodesIT's plan does).
     */
    private static Path plan(Path work, int builds, boolean gated) throws IOException {
        Files.createDirectories(work.resolve("templates"));
        Files.writeString(work.resolve("templates/amazon-ebs.json"), """
                {
                  "variables": {
                    "endpoint": "{{env `KILN_AWS_ENDPOINT`}}",
                    "kiln_image_name": "", "kiln_build_id": "", "kiln_run_id": "", "kiln_env": "", "kiln_region": "",
                    "kiln_account": "", "kiln_provider": "", "kiln_expires_at": ""
                  },
                  "builders": [{
                    "type": "amazon-ebs",
                    "region": "{{user `kiln_region`}}",
                    "custom_endpoint_ec2": "{{user `endpoint`}}",
                    "skip_region_validation": true,
                    "skip_credential_validation": true,
                    "skip_metadata_api_check": true,
                    "communicator": "none",
                    "instance_type": "t3.micro",
                    "source_ami_filter": {
                      "filters": {"name": "amzn2-ami-hvm-*-x86_64-gp2", "root-device-type": "ebs",
                                  "virtualization-type": "hvm"},
                      "owners": ["amazon"],
                      "most_recent": true
                    },
                    "ami_name": "{{user `kiln_image_name`}}",
                    "run_tags": {"kiln:build-id": "{{user `kiln_build_id`}}",
                                 "kiln:expires-at": "{{user `kiln_expires_at`}}"},
                    "run_volume_tags": {"kiln:build-id": "{{user `kiln_build_id`}}"},
                    "tags": {"kiln:build-id": "{{user `kiln_build_id`}}"},
                    "snapshot_tags": {"kiln:build-id": "{{user `kiln_build_id`}}"}
                  }]
                }
                """);
        StringBuilder yaml = new StringBuilder("""
                kiln: 1
                name: nodes
                packer:
                  version: ">= 1.6.0, < 2.0.0"
                naming: "{image}-{env}-{build_id}"
                environments: [dev]
                retry: { attempts: 1, provisioner_attempts: 1 }
                targets:
                  - provider: aws
                    account: "123456789012"
                """);
        yaml.append("    regions: [").append(String.join(", ", REGIONS)).append("]\nimages:\n");
        int images = (builds + REGIONS.size() - 1) / REGIONS.size();
        for (int i = 1; i <= images; i++) {
            yaml.append("  - name: img").append(i).append('\n')
                    .append("    template: templates/amazon-ebs.json\n")
                    .append("    builder: amazon-ebs\n")
                    .append("    instance: t3.micro\n")
                    .append("    disk_gb: 8\n")
                    .append("    timeout: 10m\n")
                    .append("    expected: 20s\n");
            if (gated) {
                // no endpoint of packer's own: EC2's real hosts, which the gate routes to the emulator
                yaml.append("    variables: { endpoint: \"\" }\n");
            }
        }
        Path file = work.resolve("nodes.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
