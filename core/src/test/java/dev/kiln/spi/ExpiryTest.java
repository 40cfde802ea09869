package dev.kiln.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.spi.Expiry.Verdict;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiryTest {

    private static final Instant NOW = Instant.ofEpochSecond(1_767_225_600L, 500_000_000);

    @Test
    void a_second_before_now_has_expired_and_now_itself_has_not() {
        assertThat(Expiry.judge("1767225599", NOW)).isEqualTo(Verdict.EXPIRED);
        assertThat(Expiry.judge("1767225600", NOW)).isEqualTo(Verdict.NOT_YET);
        assertThat(Expiry.judge("1767229200", NOW)).isEqualTo(Verdict.NOT_YET);
    }

    @Test
    void only_whole_epoch_seconds_are_an_expiry() {
        for (String value : new String[] {"", " 1767225599", "-1", "1.7e9", "1767225599.5", "tomorrow",
            "2026-01-01T00:00:00Z", "1234567890123456789"}) {
            assertThat(Expiry.judge(value, NOW)).as("'%s'", value).isEqualTo(Verdict.NOT_AN_EXPIRY);
        }
        assertThat(Expiry.judge(null, NOW)).isEqualTo(Verdict.NOT_AN_EXPIRY);
    }

    @Test
    void a_value_that_is_not_an_expiry_is_reported_with_the_resource_the_key_and_what_is_allowed() {
        assertThat(Expiry.notAnExpiry("instance/i-0abc", "kiln:expires-at", "tomorrow")).isEqualTo(
                "instance/i-0abc: kiln:expires-at='tomorrow' is not an expiry (epoch seconds, such as 1767225600);"
                        + " left in place");
    }
}
