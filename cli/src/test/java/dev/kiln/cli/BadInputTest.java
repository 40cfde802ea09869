package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Whatever is wrong with the input: one paragraph on standard error, exit status 2, never a stack trace. */
class BadInputTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "kiln {0} on a missing file")
    @ValueSource(strings = {"plan", "run", "quotas"})
    void a_missing_plan_file(String command) {
        // When
        Cli.Result r = Cli.run(command, dir.resolve("nope.yaml").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).contains("nope.yaml").contains("no such file");
    }

    @Test
    void a_yaml_error_names_file_line_and_column() {
        // Given a plan whose indentation is broken on line 6
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("run", "--simulate", plans.resolve("broken.yaml").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).startsWith("kiln run: invalid plan").contains("broken.yaml:6:");
    }

    @Test
    void an_unknown_provider_is_named_with_how_to_add_it() {
        // Given a plan for a provider kiln has no module for
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("run", plans.resolve("unknown-provider.yaml").toString());

        // Then it is a plan error, and no module that does not exist is suggested
        assertOneParagraph(r);
        assertThat(r.err()).contains("targets[0].provider: 'oracle' — no provider has this id; providers: aws, azure,"
                + " gcp, vsphere").contains("META-INF/services/dev.kiln.spi.ProviderFactory")
                .doesNotContain("dev.kiln:kiln-oracle");
    }

    @ParameterizedTest(name = "kiln run --gate-route {0}")
    @CsvSource(delimiter = '|', value = {
        "nonsense|'nonsense' is not HOST=URL",
        "ec2.*.amazonaws.com=ftp://127.0.0.1:1|the URL http:// or https:// with a host",
        "ec2.*.amazonaws.com=|is not HOST=URL",
        "ec2 host=http://127.0.0.1:1|'ec2 host' is not a host name or a pattern"})
    void a_bad_gate_route_is_named_with_what_is_allowed(String route, String told) {
        // Given
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run(Map.of(), "run", "--gate-route", route, plans.resolve("aws-emulated.yaml").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).contains("--gate-route").contains(told);
    }

    @Test
    void gate_routes_from_the_environment_are_named_by_their_variable_and_need_the_gate() {
        // Given
        Path plans = Cli.plans(dir);

        // When
        Cli.Result bad = Cli.run(Map.of("KILN_GATE_ROUTES", "ec2.*.amazonaws.com=http://127.0.0.1:1,oops"), "run",
                plans.resolve("aws-emulated.yaml").toString());
        Cli.Result off = Cli.run(Map.of(), "run", "--gate", "off", "--gate-route",
                "ec2.*.amazonaws.com=http://127.0.0.1:1", plans.resolve("aws-emulated.yaml").toString());

        // Then
        assertOneParagraph(bad);
        assertThat(bad.err()).contains("KILN_GATE_ROUTES 'oops' is not HOST=URL");
        assertOneParagraph(off);
        assertThat(off.err()).contains("--gate-route needs the gate, which is off here");
    }

    @Test
    void run_without_a_plan_says_what_it_needs() {
        // When
        Cli.Result r = Cli.run("run");

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).contains("missing the plan FILE").contains("--resume RUN_DIR");
    }

    @Test
    void resume_takes_no_plan_file_and_no_filter() {
        // When
        Cli.Result both = Cli.run("run", "--resume", dir.toString(), "plan.yaml");
        Cli.Result narrowed = Cli.run("run", "--resume", dir.toString(), "--image", "base");

        // Then
        assertOneParagraph(both);
        assertThat(both.err()).contains("not both").contains("plan.yaml");
        assertOneParagraph(narrowed);
        assertThat(narrowed.err()).contains("--env and --image do not apply with --resume");
    }

    @Test
    void resume_of_a_directory_no_run_wrote_names_it() {
        // When
        Cli.Result r = Cli.run("run", "--resume", dir.resolve("kiln-runs/nope").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).contains("cannot resume " + dir.resolve("kiln-runs/nope")).contains("no events.jsonl");
    }

    @Test
    void an_unknown_flag_suggests_the_near_one() {
        // When
        Cli.Result r = Cli.run("plan", "--ofline", "x.yaml");

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).contains("Unknown option: '--ofline'").contains("--offline")
                .contains("See 'kiln plan --help'");
    }

    @Test
    void a_bad_environment_setting_names_the_variable() {
        // Given
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run(Map.of("KILN_SLOTS", "many"), "run", "--simulate",
                plans.resolve("small.yaml").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).contains("KILN_SLOTS='many'").contains("not a whole number");
    }

    @Test
    void a_filter_naming_nothing_in_the_plan() {
        // Given
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("plan", "--offline", "--env", "prod", plans.resolve("small.yaml").toString());
        Cli.Result env = Cli.run(Map.of("KILN_IMAGES", "four"), "plan", "--offline",
                plans.resolve("small.yaml").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).startsWith("kiln plan: --env: ").contains("has no environment 'prod'; it has dev");
        assertOneParagraph(env);
        assertThat(env.err()).startsWith("kiln plan: KILN_IMAGES: ").contains("has no image 'four'; it has one,");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {"--slots | -3 | --slots must be at least 1, got -3",
        "--retry-attempts | 0 | --retry-attempts must be at least 1, got 0",
        "--metrics-port | 70000 | --metrics-port must be 0 to 65535 (0 picks a free port), got 70000"})
    void a_flag_out_of_range_is_named(String flag, String value, String message) {
        // Given issue 14's "the flag must be at least 1, got -3", which named no flag
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("run", "--simulate", flag + "=" + value, plans.resolve("small.yaml").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).isEqualTo("kiln run: " + message + "\n");
    }

    @Test
    void an_environment_variable_out_of_range_is_named() {
        // Given
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run(Map.of("KILN_SLOTS", "0"), "run", "--simulate", plans.resolve("small.yaml").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).isEqualTo("kiln run: KILN_SLOTS must be at least 1, got 0\n");
    }

    @Test
    void a_provider_setting_that_is_not_id_key_value() {
        // Given
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("quotas", "--provider-setting", "endpoint", plans.resolve("small.yaml").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).contains("'endpoint' is not ID.KEY=VALUE");
    }

    @Test
    void a_coordination_url_that_is_not_postgresql() {
        // Given
        Path plans = Cli.plans(dir);

        // When the environment names the store
        Cli.Result r = Cli.run(Map.of("KILN_COORDINATION", "mysql://kiln@db/kiln"), "run", "--simulate",
                plans.resolve("small.yaml").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).isEqualTo("kiln run: KILN_COORDINATION: 'mysql://kiln@db/kiln' is not a PostgreSQL"
                + " URL; expected postgres://user@host:port/database (also postgresql://) or"
                + " jdbc:postgresql://host:port/database\n");
    }

    @Test
    void a_coordination_url_without_a_host() {
        // Given
        Path plans = Cli.plans(dir);

        // When the flag names the store
        Cli.Result r = Cli.run("run", "--simulate", "--coordination", "postgres:///kiln",
                plans.resolve("small.yaml").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).isEqualTo("kiln run: --coordination: the URL 'postgres:///kiln' names no host; expected"
                + " postgres://user@host:port/database (also postgresql://) or jdbc:postgresql://host:port/database\n");
    }

    @Test
    void a_coordination_url_with_a_password_is_refused_without_echoing_it() {
        // Given
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("run", "--simulate", "--coordination", "postgres://kiln:hunter2@db:5432/kiln",
                plans.resolve("small.yaml").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).isEqualTo("kiln run: --coordination: the URL 'postgres://kiln:***@db:5432/kiln' carries a"
                + " password; a URL ends up in command lines and logs, so give the password through PGPASSWORD"
                + " instead\n");
    }

    @Test
    void an_unreachable_coordination_store_is_named_without_the_password() throws Exception {
        // Given a port nothing listens on, and a password in the environment
        Path plans = Cli.plans(dir);
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        // When
        Cli.Result r = Cli.run(Map.of("PGPASSWORD", "hunter2"), "run", "--simulate", "--coordination",
                "postgres://kiln@127.0.0.1:" + port + "/kiln", plans.resolve("small.yaml").toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).startsWith("kiln run: PostgreSQL coordination: cannot connect to postgres://kiln@127.0.0.1:"
                + port + "/kiln: ").doesNotContain("hunter2");
    }

    @Test
    void node_settings_without_a_coordination_store() {
        // Given
        Path plans = Cli.plans(dir);

        // When
        Cli.Result flag = Cli.run("run", "--simulate", "--node", "n1", plans.resolve("small.yaml").toString());
        Cli.Result env = Cli.run(Map.of("KILN_RUN_ID", "r1"), "run", "--simulate", plans.resolve("small.yaml").toString());

        // Then
        assertOneParagraph(flag);
        assertThat(flag.err()).isEqualTo("kiln run: --node applies to nodes sharing a coordination store; name the"
                + " store with --coordination postgres://user@host:port/database (or KILN_COORDINATION)\n");
        assertOneParagraph(env);
        assertThat(env.err()).startsWith("kiln run: KILN_RUN_ID applies to nodes sharing a coordination store");
        Cli.Result rebuild = Cli.run(Map.of("KILN_REBUILD", "yes"), "run", "--simulate",
                plans.resolve("small.yaml").toString());
        assertOneParagraph(rebuild);
        assertThat(rebuild.err()).startsWith("kiln run: KILN_REBUILD applies to nodes sharing a coordination store");
        Cli.Result garbled = Cli.run(Map.of("KILN_REBUILD", "perhaps"), "run", "--simulate",
                plans.resolve("small.yaml").toString());
        assertOneParagraph(garbled);
        assertThat(garbled.err()).contains("KILN_REBUILD='perhaps' is not valid: 'perhaps' is neither true nor false");
    }

    @Test
    void malformed_node_run_and_lease_settings() {
        // Given
        Path plans = Cli.plans(dir);
        String store = "postgres://kiln@127.0.0.1:1/kiln";

        // When
        Cli.Result node = Cli.run("run", "--simulate", "--coordination", store, "--node", "local",
                plans.resolve("small.yaml").toString());
        Cli.Result run = Cli.run(Map.of("KILN_RUN_ID", "Fleet-1"), "run", "--simulate", "--coordination", store,
                plans.resolve("small.yaml").toString());
        Cli.Result ttl = Cli.run("run", "--simulate", "--coordination", store, "--lease-ttl", "500ms",
                plans.resolve("small.yaml").toString());

        // Then
        assertOneParagraph(node);
        assertThat(node.err()).contains("--node 'local' is not a node id").contains("not 'local'");
        assertOneParagraph(run);
        assertThat(run.err()).contains("KILN_RUN_ID 'Fleet-1' is not a run id; use 1 to 12 lowercase letters and digits");
        assertOneParagraph(ttl);
        assertThat(ttl.err()).contains("--lease-ttl 0.5s is too short; use at least 1s");
    }

    @Test
    void sweep_needs_to_be_told_what() {
        // When
        Cli.Result r = Cli.run("sweep", "plan.yaml");

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).contains("--build-id").contains("--older-than");
    }

    @Test
    void a_report_of_a_directory_that_holds_no_run() {
        // When
        Cli.Result r = Cli.run("report", dir.toString());

        // Then
        assertOneParagraph(r);
        assertThat(r.err()).contains("no run at " + dir).contains("events.jsonl");
    }

    @Test
    void no_command_at_all_prints_the_usage() {
        // When
        Cli.Result r = Cli.run();

        // Then
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Usage: kiln").contains("Commands:");
    }

    private static void assertOneParagraph(Cli.Result r) {
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.USAGE);
        assertThat(r.err().strip()).as("%s", r).isNotEmpty().doesNotContain("\n\n").doesNotContain("\tat ")
                .doesNotContain("Exception").doesNotContain("Caused by");
        assertThat(r.out()).as("%s", r).isEmpty();
    }
}
