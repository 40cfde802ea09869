package dev.kiln.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.KilnException;
import dev.kiln.limits.LimitKey;
import dev.kiln.spi.Reservation;
import dev.kiln.time.TimeSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedPostgresExtension.class)
class PostgresCoordinationBuilderTest {

    private static EmbeddedPostgresServer postgres;

    @BeforeAll
    static void postgres(EmbeddedPostgresServer server) {
        postgres = server;
    }

    @Test
    void a_data_source_brings_its_own_pool_and_credentials() {
        DataSource ds = postgres.server().getPostgresDatabase();
        assertThatThrownBy(() -> PostgresCoordination.builder(ds).poolSize(3).build())
                .isInstanceOf(KilnException.class)
                .hasMessage("PostgreSQL coordination: pool size, user and password apply to a store built from a URL;"
                        + " a DataSource brings its own");
    }

    @Test
    void a_store_on_a_callers_data_source_migrates_it_and_leaves_it_open() throws Exception {
        DataSource ds = postgres.server().getPostgresDatabase();
        String schema = EmbeddedPostgresServer.freshSchema();
        try (PostgresCoordination store = PostgresCoordination.builder(ds).schema(schema).nodeId("n1").build()) {
            assertThat(store.reservations().tryReserve("job", List.of(new Reservation(new LimitKey("s", "k"), 1, 1)))).isTrue();
            assertThat(store.toString()).isEqualTo("PostgresCoordination[the given DataSource, node n1]");
            assertThat(store.database()).isEqualTo("the given DataSource");
        }
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT node FROM " + schema + ".reservation")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("the store's node id").isEqualTo("n1");
        }
    }

    @Test
    void migrations_run_once_per_schema_and_can_be_left_to_a_dba() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema();
        TimeSource time = TimeSource.virtual(Instant.parse("2026-01-01T00:00:00Z"));
        try (PostgresCoordination first = PostgresCoordination.builder(postgres.url()).schema(schema).timeSource(time)
                .build()) {
            assertThat(first.database()).as("what messages and kiln run name").isEqualTo(postgres.url());
            first.leases().joinRun("r1", time.now());
        }
        try (PostgresCoordination again = PostgresCoordination.builder(postgres.url()).schema(schema).timeSource(time)
                .build();
             PostgresCoordination unmigrated = PostgresCoordination.builder(postgres.url()).schema(schema)
                     .migrate(false).timeSource(time).build()) {
            assertThat(again.leases().joinRun("r1", time.now().plusSeconds(1))).isEqualTo(time.now());
            assertThat(unmigrated.leases().joinRun("r1", time.now().plusSeconds(1))).isEqualTo(time.now());
        }
        try (Connection c = postgres.server().getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".kiln_schema_history WHERE type = 'SQL' AND success")) {
            rs.next();
            assertThat(rs.getInt(1)).as("V1 applied once (the other row records the schema's creation)").isEqualTo(1);
        }
    }

    @Test
    void a_schema_nobody_migrated_fails_with_the_schema_named() {
        String schema = EmbeddedPostgresServer.freshSchema();
        try (PostgresCoordination store = PostgresCoordination.builder(postgres.url()).schema(schema).migrate(false)
                .build()) {
            assertThatThrownBy(() -> store.reservations().reserved(new LimitKey("s", "k")))
                    .isInstanceOf(KilnException.class)
                    .hasMessageStartingWith("PostgreSQL coordination at " + postgres.url() + " (schema " + schema
                            + "): reading reservations of s#k failed: ERROR: relation \"" + schema
                            + ".reservation\" does not exist");
        }
    }
}
