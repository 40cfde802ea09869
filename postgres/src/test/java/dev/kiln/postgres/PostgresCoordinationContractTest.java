package dev.kiln.postgres;

import dev.kiln.spi.Coordination;
import dev.kiln.testkit.contract.CoordinationContract;
import dev.kiln.time.TimeSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract every Coordination passes, against a real PostgreSQL; a fresh schema per test. */
class PostgresCoordinationContractTest extends CoordinationContract {

    private static EmbeddedPostgresServer postgres;

    @BeforeAll
    static void startPostgres() {
        postgres = EmbeddedPostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    protected Coordination newStore(TimeSource time) {
        return PostgresCoordination.builder(postgres.url())
                .schema(EmbeddedPostgresServer.freshSchema())
                .poolSize(8)
                .timeSource(time)
                .build();
    }
}
