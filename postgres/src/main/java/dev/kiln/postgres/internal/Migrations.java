package dev.kiln.postgres.internal;

import dev.kiln.KilnException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings the store's schema up to date with Flyway. The migrations live under
 * {@value #LOCATION}, not Flyway's default {@code db/migration}: an application that embeds Kiln
 * and runs Flyway on its own database with default settings must not pick Kiln's up. The history
 * table is Kiln's own for the same reason. Flyway holds a PostgreSQL advisory lock while it
 * migrates, so nodes starting together migrate once.
 */
public final class Migrations {

    public static final String LOCATION = "classpath:dev/kiln/postgres/db/migration";
    public static final String HISTORY_TABLE = "kiln_schema_history";

    private Migrations() {
    }

    /** Migrates {@code schema} (created if missing); returns how many migrations ran. */
    public static int migrate(DataSource dataSource, String schema, String description) {
        try {
            MigrateResult result = Flyway.configure(Migrations.class.getClassLoader())
                    .dataSource(dataSource)
                    .schemas(schema)
                    .defaultSchema(schema)
                    .createSchemas(true)
                    .table(HISTORY_TABLE)
                    .locations(LOCATION)
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            return result.migrationsExecuted;
        } catch (FlywayException e) {
            throw new KilnException("PostgreSQL coordination at " + description + ": migrating schema " + schema
                    + " failed: " + e.getMessage(), e);
        }
    }
}
