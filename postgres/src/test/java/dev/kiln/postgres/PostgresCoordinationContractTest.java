package dev.kiln.postgres;

import dev.kiln.spi.Coordination;
import dev.kiln.testkit.contract.CoordinationContract;
import dev.kiln.time.TimeSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store contract every Coordination passes, against a real PostgreSQL; a fresh schema per test. */
@ExtendWith(EmbeddedPostgresExtension.class)
class PostgresCoordinationContractTest extends CoordinationContract {

    private static EmbeddedPostgresServer postgres;

    @BeforeAll
    static void postgres(EmbeddedPostgresServer server) {
        postgres = server;
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
