package dev.kiln.postgres;

import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL statements per admitted build of a simulated run on one node (virtual time, so the
 * figures depend on the scheduler, not on the machine), for docs/benchmarks.md. Not a test: its
 * name keeps it out of the build (cost is measured, never asserted). Run it with
 * {@code mvn -B -q verify -pl postgres -am -Dtest=PostgresAdmissionCost -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class PostgresAdmissionCost {

    private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
    private static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "eu-central-1");

    private static EmbeddedPostgresServer postgres;

    @TempDir
    Path runs;

    @BeforeAll
    static void postgres(EmbeddedPostgresServer server) throws Exception {
        postgres = server;
        sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    }

    @Test
    void measure() throws Exception {
        int builds = 48;
        VirtualTime time = TimeSource.virtual(T0);
        String schema = EmbeddedPostgresServer.freshSchema();
        SimulatedCloud cloud = SimulatedCloud.builder(time).build();
        try (PostgresCoordination store = PostgresCoordination.builder(postgres.url()).schema(schema).poolSize(4)
                .nodeId("n1").timeSource(time).build()) {
            Kiln.Builder kiln = Kiln.builder().time(time).coordination(store)
                    .scheduling(s -> s.withHostSlots(4)).files(f -> f.withRunsDirectory(runs).withEventLog(false))
                    .packerRunner(SimulatedPackerRunner.builder(cloud).build());
            cloud.providers().forEach(kiln::provider);
            sql("SELECT pg_stat_statements_reset()");
            RunResult result;
            try (Kiln k = kiln.build()) {
                result = k.run(plan(builds));
            }
            long started = result.jobs().size();
            System.out.printf(Locale.ROOT, "%d builds, %d slots, one node: per admitted build%n", started, 4);
            try (Connection c = postgres.server().getPostgresDatabase().getConnection();
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT calls, query FROM pg_stat_statements s"
                         + " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()"
                         + " AND query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC")) {
                long total = 0;
                List<String> top = new ArrayList<>();
                while (rs.next()) {
                    total += rs.getLong(1);
                    if (top.size() < 8) {
                        top.add(String.format(Locale.ROOT, "%8.1f  %s", rs.getLong(1) / (double) started,
                                rs.getString(2).replace(schema, "{schema}").replaceAll("\\s+", " ")));
                    }
                }
                System.out.printf(Locale.ROOT, "%8.1f  statements in all%n", total / (double) started);
                top.forEach(System.out::println);
            }
        }
    }

    private static BuildPlan plan(int builds) {
        List<BuildJob> jobs = new ArrayList<>();
        for (int i = 0; i < builds; i++) {
            Target target = Target.of("aws", "123456789012", REGIONS.get(i % REGIONS.size()));
            ImageSpec image = ImageSpec.builder("img" + i / REGIONS.size(), Path.of("/templates/img.json"),
                    "amazon-ebs").expectedDuration(Duration.ofMinutes(4)).vcpus(2).build();
            jobs.add(new BuildJob(JobId.of(image.name(), target, "dev"), image, target, "dev", "img" + i + "-t1",
                    "t1-" + i, Set.of(), Demand.of(2, 1, 0, 0).with(Demand.IMAGES, 1)));
        }
        return BuildPlan.builder("cost").runId("t1").createdAt(T0).jobs(jobs).build();
    }

    private static void sql(String sql) throws Exception {
        try (Connection c = postgres.server().getPostgresDatabase().getConnection();
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
