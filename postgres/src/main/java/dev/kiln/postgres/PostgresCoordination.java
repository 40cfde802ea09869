package dev.kiln.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kiln.KilnException;
import dev.kiln.postgres.internal.ConnectionTarget;
import dev.kiln.postgres.internal.Database;
import dev.kiln.postgres.internal.EpochMeter;
import dev.kiln.postgres.internal.Migrations;
import dev.kiln.postgres.internal.PgLeases;
import dev.kiln.postgres.internal.PgNames;
import dev.kiln.postgres.internal.PgRates;
import dev.kiln.postgres.internal.PgReservations;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.ImageNames;
import dev.kiln.spi.Leases;
import dev.kiln.spi.Rates;
import dev.kiln.spi.Reservations;
import dev.kiln.time.TimeSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link Coordination} store in PostgreSQL, shared by every node of a fleet: token buckets
 * (Bucket4j's PostgreSQL backend) and fixed-window counters, reservations that lapse with their
 * node's heartbeats, image-name reservations, and fenced job leases with run registration, each
 * part in its own tables.
 *
 * <pre>{@code
 * try (PostgresCoordination store = PostgresCoordination.builder("postgres://kiln@db.internal:5432/kiln")
 *         .nodeId("builder-7")
 *         .build()) {
 *     Kiln kiln = Kiln.builder().coordination(store)...
 * }
 * }</pre>
 *
 * <p>Time: every time the store writes or compares (lease and heartbeat expiry, window starts,
 * bucket refills) comes from the {@link TimeSource} it is given, passed to PostgreSQL as a
 * parameter, never from the database's {@code now()}. Bucket4j's proxies read nanoseconds since
 * the epoch from {@link TimeSource#now()}, so several JVMs agree on a bucket's refill as far as
 * their wall clocks agree: keep nodes on NTP.
 *
 * <p>Thread-safe. {@link #close()} closes the connection pool the store made; a
 * {@link DataSource} handed in stays open.
 */
public final class PostgresCoordination implements Coordination {

    private final Rates rates;
    private final Reservations reservations;
    private final ImageNames imageNames;
    private final Leases leases;
    private final HikariDataSource ownedPool;
    private final String nodeId;
    private final String description;

    private PostgresCoordination(Database db, TimeSource time, HikariDataSource ownedPool, String nodeId,
                                 String description) {
        this.rates = new PgRates(db, new EpochMeter(time));
        this.reservations = new PgReservations(db, time, nodeId);
        this.imageNames = new PgNames(db, time);
        this.leases = new PgLeases(db, time);
        this.ownedPool = ownedPool;
        this.nodeId = nodeId;
        this.description = description;
    }

    /**
     * A store that connects to {@code url} through a pool of its own: {@code postgres://user@host:port/database}
     * (libpq's form; {@code postgresql://} too; query parameters such as {@code sslmode} pass to the
     * driver) or {@code jdbc:postgresql://host:port/database}. The password comes from
     * {@link Builder#password(Supplier)} or else the {@code PGPASSWORD} environment variable; a URL
     * carrying a password is refused, since URLs end up in command lines and logs.
     */
    public static Builder builder(String url) {
        return new Builder(ConnectionTarget.parse(url), null);
    }

    /** A store on connections from {@code dataSource}, which the caller owns and closes. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(null, Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** The node id this store reserves for when no node is given ({@link Reservations#tryReserve(String, List)}). */
    public String nodeId() {
        return nodeId;
    }

    /**
     * The database as messages name it: {@code postgres://user@host:port/database} (a JDBC URL without
     * its query string), never with a password; "the given DataSource" for a store built on one.
     */
    public String database() {
        return description;
    }

    @Override
    public Rates rates() {
        return rates;
    }

    /**
     * Reservations; {@link Reservations#tryReserve(String, List)} reserves on behalf of this store's
     * {@linkplain #nodeId() node}, which like any node lapses only once it has sent heartbeats and
     * they stop.
     */
    @Override
    public Reservations reservations() {
        return reservations;
    }

    @Override
    public ImageNames imageNames() {
        return imageNames;
    }

    @Override
    public Leases leases() {
        return leases;
    }

    /** Closes the connection pool this store made (none when built on a caller's {@link DataSource}). */
    @Override
    public void close() {
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    @Override
    public String toString() {
        return "PostgresCoordination[" + description + ", node " + nodeId + "]";
    }

    /** Settings of a {@link PostgresCoordination}; {@link #build()} connects (and migrates). */
    public static final class Builder {

        /** Lowercase SQL identifiers only, so the schema needs no quoting anywhere. */
        private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
        private static final int MAX_POOL = 100;

        private final ConnectionTarget target;
        private final DataSource dataSource;
        private String schema = "kiln";
        private Integer poolSize;
        private String nodeId;
        private boolean migrate = true;
        private TimeSource time = TimeSource.system();
        private Supplier<char[]> password;
        private String user;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Function<String, String> environment = System::getenv;

        private Builder(ConnectionTarget target, DataSource dataSource) {
            this.target = target;
            this.dataSource = dataSource;
        }

        /** The schema of Kiln's tables, created by the migrations if missing; default {@code kiln}. */
        public Builder schema(String schema) {
            if (schema == null || !SCHEMA.matcher(schema).matches()) {
                throw new KilnException("PostgreSQL coordination: schema '" + schema + "' is not allowed;"
                        + " use 1 to 63 lowercase letters, digits or underscores, not starting with a digit");
            }
            this.schema = schema;
            return this;
        }

        /** Connections in the pool this store makes from a URL; default 4. */
        public Builder poolSize(int poolSize) {
            if (poolSize < 1 || poolSize > MAX_POOL) {
                throw new KilnException("PostgreSQL coordination: pool size " + poolSize + " is not allowed;"
                        + " use 1 to " + MAX_POOL);
            }
            this.poolSize = poolSize;
            return this;
        }

        /**
         * This process's node id, used when a reservation names no node; default host name and
         * process id ({@code host-1234}).
         */
        public Builder nodeId(String nodeId) {
            if (nodeId == null || nodeId.isBlank() || nodeId.length() > 200) {
                throw new KilnException("PostgreSQL coordination: node id '" + nodeId + "' is not allowed;"
                        + " use 1 to 200 characters, not all blank");
            }
            this.nodeId = nodeId;
            return this;
        }

        /**
         * Whether {@link #build()} applies pending schema migrations (default true). Turn off where the
         * application's user may not change the schema and a DBA applies Kiln's migrations.
         */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /** Where every time comes from; default {@link TimeSource#system()}. */
        public Builder timeSource(TimeSource time) {
            this.time = Objects.requireNonNull(time, "time");
            return this;
        }

        /**
         * The user when the URL names none; default the {@code PGUSER} environment variable, then
         * the driver's default.
         */
        public Builder user(String user) {
            this.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /**
         * Supplies the password when the pool opens; the array is cleared after use. Without it,
         * {@code PGPASSWORD} is used if set. The password never appears in logs or messages.
         */
        public Builder password(Supplier<char[]> password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** How long opening a connection may take before the store reports the database unreachable; default 10 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            if (connectTimeout.compareTo(Duration.ofMillis(250)) < 0) {
                throw new KilnException("PostgreSQL coordination: connect timeout " + connectTimeout
                        + " is too short; use at least 250 ms");
            }
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Where PGPASSWORD and PGUSER are read; tests hand a map in. */
        Builder environment(Function<String, String> environment) {
            this.environment = environment;
            return this;
        }

        /** Opens the pool (if built from a URL), migrates the schema (unless turned off) and returns the store. */
        public PostgresCoordination build() {
            String node = nodeId != null ? nodeId : defaultNodeId();
            if (dataSource != null) {
                if (poolSize != null || password != null || user != null) {
                    throw new KilnException("PostgreSQL coordination: pool size, user and password apply to a store"
                            + " built from a URL; a DataSource brings its own");
                }
                return open(dataSource, null, "the given DataSource", node);
            }
            HikariDataSource pool = pool();
            try {
                return open(pool, pool, target.description(), node);
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
        }

        private PostgresCoordination open(DataSource ds, HikariDataSource owned, String description, String node) {
            if (migrate) {
                Migrations.migrate(ds, schema, description);
            }
            return new PostgresCoordination(new Database(ds, schema, description), time, owned, node, description);
        }

        private HikariDataSource pool() {
            HikariConfig config = new HikariConfig();
            config.setPoolName("kiln-postgres");
            config.setJdbcUrl(target.jdbcUrl());
            Optional.ofNullable(target.user().orElse(user))
                    .or(() -> Optional.ofNullable(environment.apply("PGUSER")))
                    .ifPresent(config::setUsername);
            char[] secret = password != null ? password.get() : null;
            try {
                if (secret != null) {
                    config.setPassword(new String(secret));
                } else if (environment.apply("PGPASSWORD") != null) {
                    config.setPassword(environment.apply("PGPASSWORD"));
                }
            } finally {
                if (secret != null) {
                    Arrays.fill(secret, '\0');
                }
            }
            config.setMaximumPoolSize(poolSize != null ? poolSize : 4);
            config.setMinimumIdle(1);
            config.setConnectionTimeout(connectTimeout.toMillis());
            config.setAutoCommit(true);
            config.addDataSourceProperty("ApplicationName", "kiln");
            try {
                return new HikariDataSource(config);
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new KilnException("PostgreSQL coordination: cannot connect to " + target.description() + ": "
                        + cause.getMessage(), e);
            }
        }

        private static String defaultNodeId() {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "node";
            }
            return host + "-" + ProcessHandle.current().pid();
        }
    }
}
