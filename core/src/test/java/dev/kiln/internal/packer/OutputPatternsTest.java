package dev.kiln.internal.packer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Throttles are told from packer's lines by the providers' own words for them, in any case. */
class OutputPatternsTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "Error: RequestLimitExceeded: Request limit exceeded. status code: 503",
        "ThrottlingException: Rate exceeded",
        "operation error EC2: DescribeImages, Throttled",
        "StatusCode=429 Code=\"TooManyRequests\" Message=\"too many requests\"",
        "compute.ResourceSKUsClient#List: Failure responding to request: StatusCode=429",
        "googleapi: Error 403: Quota exceeded, userRateLimitExceeded",
        "googleapi: Error 403: Rate Limit Exceeded, rateLimitExceeded",
        "HTTP 429 Too Many Requests",
        "status code: 429",
        "TOO MANY REQUESTS from the mirror",
        "SlowDown: Please reduce your request rate."
    })
    void a_providers_throttle_is_one(String line) {
        assertThat(OutputPatterns.isThrottle(line)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "1,,ui,say,==> box: Creating temporary keypair",
        "the limit of 5 vCPUs leaves room for this build",
        "many packages upgraded",
        "disk quota exceeded on /tmp",
        "a region with 4290 images"
    })
    void a_line_holding_only_a_throttles_word_is_not_one(String line) {
        assertThat(OutputPatterns.isThrottle(line)).isFalse();
    }
}
