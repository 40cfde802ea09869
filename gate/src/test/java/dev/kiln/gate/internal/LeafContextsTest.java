package dev.kiln.gate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.gate.Interception;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LeafContextsTest {

    private final LeafContexts leaves = new LeafContexts(
            CertificateAuthority.create(Instant.parse("2030-01-01T00:00:00Z"), Duration.ofDays(1)),
            Interception.hosts("management.azure.com", "ec2.*.amazonaws.com"));

    @Test
    void no_leaf_is_made_for_a_host_outside_the_interception_list() {
        assertThatThrownBy(() -> leaves.forHost("releases.hashicorp.com"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no leaf certificate is issued for releases.hashicorp.com: it is not intercepted");
        assertThat(leaves.issued()).isZero();
    }

    @Test
    void leaves_are_made_once_per_host() {
        assertThat(leaves.forHost("ec2.us-east-1.amazonaws.com")).isSameAs(leaves.forHost("ec2.us-east-1.amazonaws.com"));
        assertThat(leaves.forHost("ec2.eu-west-1.amazonaws.com")).isNotNull();
        assertThat(leaves.issued()).isEqualTo(2);
    }
}
