package dev.kiln.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.limits.LimitKey;
import dev.kiln.time.TimeSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedPostgresExtension.class)
class PostgresWindowsTest {

    private static EmbeddedPostgresServer postgres;

    @BeforeAll
    static void postgres(EmbeddedPostgresServer server) {
        postgres = server;
    }

    @Test
    void a_key_keeps_only_its_latest_four_windows() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema();
        LimitKey key = new LimitKey("gcp/project", "read_requests");
        Instant first = Instant.parse("2026-01-01T00:00:00Z");
        try (PostgresCoordination store = PostgresCoordination.builder(postgres.url()).schema(schema)
                .timeSource(TimeSource.virtual(first)).build()) {
            for (int minute = 0; minute < 6; minute++) {
                assertThat(store.rates().tryCountInWindow(key, first.plusSeconds(60L * minute), 5, 100)).isEqualTo(5);
            }
            assertThat(store.rates().countInWindow(key, first.plusSeconds(60)))
                    .as("the second window is forgotten").isZero();
            assertThat(store.rates().countInWindow(key, first.plusSeconds(120))).isEqualTo(5);
        }
        try (Connection c = postgres.server().getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".window_count")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(4);
        }
    }
}
