package dev.kiln.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.KilnException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConnectionTargetTest {

    @Test
    void a_libpq_url_becomes_a_jdbc_url_and_its_user() {
        ConnectionTarget target = ConnectionTarget.parse("postgres://kiln@db.internal:6432/fleet?sslmode=require");

        assertThat(target.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/fleet?sslmode=require");
        assertThat(target.user()).contains("kiln");
        assertThat(target.description()).isEqualTo("postgres://kiln@db.internal:6432/fleet");
    }

    @Test
    void port_and_database_default_as_in_libpq() {
        ConnectionTarget target = ConnectionTarget.parse("postgresql://kiln@db");

        assertThat(target.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/kiln");
    }

    @Test
    void a_jdbc_url_passes_through_and_its_query_stays_out_of_messages() {
        ConnectionTarget target = ConnectionTarget.parse("jdbc:postgresql://db:5432/kiln?user=kiln&password=hunter2");

        assertThat(target.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/kiln?user=kiln&password=hunter2");
        assertThat(target.user()).isEqualTo(Optional.empty());
        assertThat(target.description()).isEqualTo("jdbc:postgresql://db:5432/kiln");
    }

    @Test
    void a_password_in_the_url_is_refused_without_being_repeated() {
        assertThatThrownBy(() -> ConnectionTarget.parse("postgres://kiln:hunter2@db:5432/kiln"))
                .isInstanceOf(KilnException.class)
                .hasMessage("PostgreSQL coordination: the URL 'postgres://kiln:***@db:5432/kiln' carries a password;"
                        + " a URL ends up in command lines and logs, so give the password through PGPASSWORD or"
                        + " the builder's password supplier instead")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ConnectionTarget.parse("postgres://kiln@db/kiln?sslmode=require&password=hunter2"))
                .hasMessageContaining("carries a password parameter")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void something_else_is_refused_with_what_is_allowed() {
        assertThatThrownBy(() -> ConnectionTarget.parse("mysql://kiln:hunter2@db/kiln"))
                .isInstanceOf(KilnException.class)
                .hasMessage("PostgreSQL coordination: 'mysql://kiln:***@db/kiln' is not a PostgreSQL URL; expected"
                        + " postgres://user@host:port/database (also postgresql://) or"
                        + " jdbc:postgresql://host:port/database");
        assertThatThrownBy(() -> ConnectionTarget.parse("postgres://kiln:hunter2@db:port/kiln"))
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ConnectionTarget.parse("postgres:///kiln"))
                .hasMessageContaining("names no host");
    }
}
