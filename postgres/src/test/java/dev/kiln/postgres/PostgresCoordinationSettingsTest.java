package dev.kiln.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.KilnException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings refused or reported before any database is reached. */
class PostgresCoordinationSettingsTest {

    @Test
    void a_schema_name_must_be_a_plain_lowercase_identifier() {
        assertThatThrownBy(() -> PostgresCoordination.builder("postgres://kiln@db/kiln").schema("kiln; DROP TABLE x"))
                .isInstanceOf(KilnException.class)
                .hasMessage("PostgreSQL coordination: schema 'kiln; DROP TABLE x' is not allowed; use 1 to 63"
                        + " lowercase letters, digits or underscores, not starting with a digit");
    }

    @Test
    void an_unreachable_database_is_reported_without_the_password() {
        char[] secret = "hunter2".toCharArray();
        assertThatThrownBy(() -> PostgresCoordination.builder("postgres://kiln@127.0.0.1:1/kiln")
                .password(() -> secret)
                .connectTimeout(Duration.ofMillis(500))
                .build())
                .isInstanceOf(KilnException.class)
                .hasMessageStartingWith("PostgreSQL coordination: cannot connect to postgres://kiln@127.0.0.1:1/kiln: ")
                .hasMessageNotContaining("hunter2");
        assertThat(secret).as("cleared after use").containsOnly('\0');
    }

    @Test
    void the_password_comes_from_PGPASSWORD_and_never_reaches_the_message() {
        assertThatThrownBy(() -> PostgresCoordination.builder("postgres://kiln@127.0.0.1:1/kiln")
                .environment(Map.of("PGPASSWORD", "hunter2")::get)
                .connectTimeout(Duration.ofMillis(500))
                .build())
                .isInstanceOf(KilnException.class)
                .hasMessageNotContaining("hunter2");
    }
}
