package dev.kiln.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.limits.LimitKey;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a bucket costs PostgreSQL, counted by pg_stat_statements: a probe (admission's
 * {@code estimateAbilityToConsume}, a report's {@code getAvailableTokens}) is one plain
 * {@code SELECT}, with no transaction and no row lock; a draw is still Bucket4j's locked
 * transaction, so what two nodes consume stays exact.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class BucketReadsTest {

    private static EmbeddedPostgresServer postgres;

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-03-01T08:00:00Z"));
    private final BucketConfiguration config = BucketConfiguration.builder()
            .addLimit(Bandwidth.builder().capacity(20).refillGreedy(2, Duration.ofSeconds(1)).build()).build();
    private String schema;
    private PostgresCoordination nodeA;
    private PostgresCoordination nodeB;

    @BeforeAll
    static void postgres(EmbeddedPostgresServer server) throws SQLException {
        postgres = server;
        try (Connection c = postgres.server().getPostgresDatabase().getConnection();
             Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
    }

    @BeforeEach
    void twoNodes() {
        schema = EmbeddedPostgresServer.freshSchema();
        nodeA = PostgresCoordination.builder(postgres.url()).schema(schema).poolSize(2).nodeId("node-a")
                .timeSource(time).build();
        nodeB = PostgresCoordination.builder(postgres.url()).schema(schema).poolSize(2).nodeId("node-b")
                .timeSource(time).build();
    }

    @AfterEach
    void closeNodes() {
        nodeA.close();
        nodeB.close();
    }

    @Test
    void probes_read_the_bucket_without_a_transaction_or_a_row_lock_and_see_the_other_nodes_draws()
            throws SQLException {
        LimitKey key = new LimitKey("aws/123/us-east-1", "RunInstances");
        Bucket onA = nodeA.rates().bucket(key, config);
        Bucket onB = nodeB.rates().bucket(key, config);
        assertThat(onA.tryConsume(15)).isTrue();
        resetStatements();

        long available = onB.getAvailableTokens();
        boolean fits = onB.estimateAbilityToConsume(6).canBeConsumed();
        long nanos = onB.estimateAbilityToConsume(6).getNanosToWaitForRefill();
        for (int i = 0; i < 7; i++) {
            onA.getAvailableTokens();
            onA.estimateAbilityToConsume(1);
        }

        assertThat(available).as("what node-a left").isEqualTo(5);
        assertThat(fits).isFalse();
        assertThat(nanos).as("one token short at 2 a second").isEqualTo(Duration.ofMillis(500).toNanos());
        Map<String, Long> sent = statements();
        assertThat(sent).as("17 probes, each one statement").containsEntry("read", 17L)
                .doesNotContainKeys("locked read", "update", "insert", "BEGIN");
    }

    @Test
    void a_draw_still_locks_the_row_and_writes_in_one_transaction() throws SQLException {
        LimitKey key = new LimitKey("aws/123/us-east-1", "CreateImage");
        Bucket onA = nodeA.rates().bucket(key, config);
        Bucket onB = nodeB.rates().bucket(key, config);
        onA.getAvailableTokens();
        resetStatements();

        assertThat(onB.tryConsume(20)).isTrue();
        assertThat(onA.tryConsume(1)).as("node-b took it all").isFalse();

        Map<String, Long> sent = statements();
        assertThat(sent).containsEntry("locked read", 2L).containsEntry("update", 1L)
                .containsEntry("BEGIN", 2L).doesNotContainKey("read");
        time.advance(Duration.ofSeconds(1));
        assertThat(onA.getAvailableTokens()).isEqualTo(2);
    }

    @Test
    void a_probe_of_a_bucket_no_node_made_yet_creates_it_full() throws SQLException {
        LimitKey key = new LimitKey("gcp/project/europe-west1", "reads");
        resetStatements();

        assertThat(nodeA.rates().bucket(key, config).getAvailableTokens()).isEqualTo(20);

        assertThat(statements()).as("the read finds no row; Bucket4j creates it under its lock")
                .containsEntry("read", 1L).containsEntry("insert", 1L);
        assertThat(nodeB.rates().bucket(key, config).tryConsume(20)).isTrue();
    }

    @Test
    void a_report_reads_every_bucket_in_one_statement() throws SQLException {
        LimitKey east = new LimitKey("aws/123/us-east-1", "DescribeImages");
        LimitKey west = new LimitKey("aws/123/us-west-2", "DescribeImages");
        LimitKey fresh = new LimitKey("aws/123/eu-west-1", "DescribeImages");
        assertThat(nodeA.rates().bucket(east, config).tryConsume(4)).isTrue();
        assertThat(nodeA.rates().bucket(west, config).tryConsume(9)).isTrue();
        resetStatements();

        Map<LimitKey, Long> available = nodeB.rates().availableTokens(Map.of(east, config, west, config, fresh, config));

        assertThat(available).containsExactlyInAnyOrderEntriesOf(Map.of(east, 16L, west, 11L, fresh, 20L));
        // The one no node made is read again alone, and Bucket4j creates it under its lock (insert,
        // then lock and write the new row: two transactions).
        assertThat(statements()).as("one read of all three, then the creation of the new one")
                .containsEntry("read many", 1L).containsEntry("read", 1L).containsEntry("insert", 1L)
                .containsEntry("locked read", 2L).containsEntry("BEGIN", 2L);
    }

    private static void resetStatements() throws SQLException {
        try (Connection c = postgres.server().getPostgresDatabase().getConnection();
             Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_statements_reset()");
        }
    }

    /**
     * Calls since the last reset of the bucket table's statements, by kind, and of {@code BEGIN}
     * (pg_stat_statements does not list pgjdbc's {@code COMMIT}: one per {@code BEGIN} here).
     */
    private Map<String, Long> statements() throws SQLException {
        Map<String, Long> calls = new HashMap<>();
        try (Connection c = postgres.server().getPostgresDatabase().getConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT query, calls FROM pg_stat_statements s"
                     + " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()")) {
            while (rs.next()) {
                String query = rs.getString(1).trim();
                String kind = kind(query);
                if (kind != null) {
                    calls.merge(kind, rs.getLong(2), Long::sum);
                }
            }
        }
        return calls;
    }

    private String kind(String query) {
        String upper = query.toUpperCase(Locale.ROOT);
        if (upper.equals("BEGIN")) {
            return upper;
        }
        if (!query.contains(schema + ".bucket")) {
            return null;
        }
        if (upper.startsWith("SELECT")) {
            return upper.contains("FOR UPDATE") ? "locked read" : upper.contains("ANY(") ? "read many" : "read";
        }
        return upper.startsWith("UPDATE") ? "update" : upper.startsWith("INSERT") ? "insert" : query;
    }
}
