package dev.kiln.postgres.internal;

import dev.kiln.KilnException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections, transactions and errors of the store. A transaction that PostgreSQL aborted as a
 * deadlock victim or a serialization failure is run again: both mean "someone else won this
 * time", never that the work was wrong.
 */
public final class Database {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final int ATTEMPTS = 5;

    private final DataSource dataSource;
    private final String schema;
    private final String description;

    /** Work done on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    public Database(DataSource dataSource, String schema, String description) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.description = description;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public String schema() {
        return schema;
    }

    /** {@code sql} with every {@code {schema}} replaced by the store's (validated) schema name. */
    public String sql(String sql) {
        return sql.replace("{schema}", schema);
    }

    /** Runs {@code work} on a connection in autocommit mode: for single statements. */
    public <T> T autocommit(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                return work.run(c);
            } catch (SQLException e) {
                if (!retryable(e) || attempt == ATTEMPTS) {
                    throw failure(what, e);
                }
                LOG.debug("{}: attempt {} lost to a concurrent transaction ({}), trying again", what, attempt,
                        e.getSQLState());
            }
        }
    }

    /** Runs {@code work} in one transaction, committed when it returns and rolled back when it throws. */
    public <T> T transaction(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c, e);
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                if (!retryable(e) || attempt == ATTEMPTS) {
                    throw failure(what, e);
                }
                LOG.debug("{}: attempt {} lost to a concurrent transaction ({}), trying again", what, attempt,
                        e.getSQLState());
            }
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Deadlock victim (40P01) or serialization failure (40001). */
    private static boolean retryable(SQLException e) {
        String state = e.getSQLState();
        return "40P01".equals(state) || "40001".equals(state);
    }

    private KilnException failure(String what, SQLException e) {
        return new KilnException("PostgreSQL coordination at " + description + " (schema " + schema + "): "
                + what + " failed: " + e.getMessage() + " [SQLState " + e.getSQLState() + "]", e);
    }

    /** A time for a timestamptz parameter, at PostgreSQL's precision (microseconds). */
    public static OffsetDateTime param(Instant instant) {
        return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    /** An instant at PostgreSQL's precision, as it will read back. */
    public static Instant stored(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    @Override
    public String toString() {
        return description + " (schema " + schema + ")";
    }
}
