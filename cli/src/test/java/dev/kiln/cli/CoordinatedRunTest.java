package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kiln run as a node: --coordination, --node, --run-id and --lease-ttl (and their KILN_* variables)
 * against a real PostgreSQL, with real packer null builds under the simulated cloud. Many processes
 * at once, on a real cloud API, are ManyNodesIT's.
 */
class CoordinatedRunTest {

    private static final String PASSWORD = "pg-password-never-shown";

    @TempDir
    Path dir;

    private Path plan;
    private String database;

    @BeforeEach
    void setUp() {
        Tools.packer();
        database = Postgres.freshDatabase();
        plan = Cli.plans(dir).resolve("small.yaml");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        Postgres.stop();
    }

    @Test
    void a_node_joining_a_finished_shared_run_reports_its_builds_without_building_again() throws Exception {
        // Given node n1 ran the shared run r1 to the end
        Cli.Result first = Cli.run(Map.of("CI", "true", "PGPASSWORD", PASSWORD), "run", "--simulate",
                "--coordination", database, "--node", "n1", "--run-id", "r1", "--lease-ttl", "3s",
                "--runs-dir", dir.resolve("runs-n1").toString(), plan.toString());

        // When node n2 joins r1, configured through the environment alone
        Cli.Result second = Cli.run(Map.of("CI", "true", "PGPASSWORD", PASSWORD, "KILN_COORDINATION", database,
                "KILN_NODE", "n2", "KILN_RUN_ID", "r1", "KILN_LEASE_TTL", "3s",
                "KILN_RUNS_DIR", dir.resolve("runs-n2").toString()), "run", "--simulate", plan.toString());

        // Then n1 built the three images, and n2 reports them as built by n1
        assertThat(first.exit()).as("%s", first).isZero();
        assertThat(first.out()).contains("kiln: run r1 of small: 3 builds on 1 target against the simulated cloud"
                + " (null builds stand in), as node n1 of shared run r1, coordinated through " + database)
                .contains("RUNNING").contains("3 builds: 3 succeeded");
        assertThat(second.exit()).as("%s", second).isZero();
        assertThat(second.out()).contains("as node n2 of shared run r1").doesNotContain("RUNNING")
                .contains("built by node n1").contains("3 builds: 3 succeeded");
        assertThat(Files.readString(dir.resolve("runs-n2/r1/events.jsonl"))).doesNotContain("BuildStarted");
        assertThat(Files.readString(dir.resolve("runs-n2/r1/junit.xml"))).contains("tests=\"3\" failures=\"0\"");
        assertThat(first.out() + first.err() + second.out() + second.err()).doesNotContain(PASSWORD);
    }

    @Test
    void without_a_run_id_a_node_runs_a_run_of_its_own_as_host_and_process_id() {
        // When
        Cli.Result r = Cli.run(Map.of("CI", "true"), "run", "--simulate", "--coordination", database,
                "--runs-dir", dir.resolve("runs").toString(), plan.toString());

        // Then
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).containsPattern("as node [A-Za-z0-9._-]+-" + ProcessHandle.current().pid()
                + ", coordinated through " + java.util.regex.Pattern.quote(database))
                .doesNotContain("shared run").contains("3 builds: 3 succeeded");
    }
}
