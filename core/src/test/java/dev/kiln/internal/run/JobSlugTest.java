package dev.kiln.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A job's directory name: its id with what a file name should not hold as dots. */
class JobSlugTest {

    @Test
    void an_ascii_id_keeps_letters_digits_dots_dashes_and_underscores() {
        assertThat(JobRun.slug("base/aws/123456789012/us-east-1/dev")).isEqualTo("base.aws.123456789012.us-east-1.dev");
        assertThat(JobRun.slug("web_app-2.1 (canary):prod")).isEqualTo("web_app-2.1..canary..prod");
        assertThat(JobRun.slug("plain-id_1.0")).isEqualTo("plain-id_1.0");
    }

    @Test
    void any_other_character_is_one_dot_each_however_many_chars_java_needs_for_it() {
        assertThat(JobRun.slug("café/dev")).isEqualTo("caf..dev");
        assertThat(JobRun.slug("app-\uD83D\uDE80/dev")).as("one dot for one emoji").isEqualTo("app-..dev");
    }
}
