package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.KilnException.Context;
import dev.kiln.job.IllegalTransitionException;
import dev.kiln.job.JobState;
import dev.kiln.plan.Target;
import dev.kiln.spi.ProviderSettings;
import org.junit.jupiter.api.Test;

/** Exceptions say what they are about in fields a program can read, not only in their message. */
class KilnExceptionTest {

    @Test
    void an_exception_about_nothing_in_particular_has_no_context() {
        KilnException e = new KilnException("this Kiln is closed");

        assertThat(e.job()).isEmpty();
        assertThat(e.target()).isEmpty();
        assertThat(e.provider()).isEmpty();
        assertThat(e.context()).isEqualTo(Context.NONE);
    }

    @Test
    void a_target_names_itself_and_its_provider() {
        KilnException e = new KilnException("pool full", Context.of(Target.of("aws", "123456789012", "us-east-1")));

        assertThat(e.target()).contains("aws/123456789012/us-east-1");
        assertThat(e.provider()).contains("aws");
        assertThat(e.job()).isEmpty();
    }

    @Test
    void an_illegal_transition_names_its_job() {
        assertThatThrownBy(() -> JobState.checkTransition("img/aws/1/r/dev", JobState.SUCCEEDED, JobState.RUNNING))
                .isInstanceOfSatisfying(IllegalTransitionException.class,
                        e -> assertThat(e.job()).contains("img/aws/1/r/dev"));
    }

    @Test
    void a_missing_provider_setting_names_its_provider() {
        assertThatThrownBy(() -> ProviderSettings.none("vsphere").require("url"))
                .isInstanceOfSatisfying(KilnException.class, e -> {
                    assertThat(e.provider()).contains("vsphere");
                    assertThat(e.getMessage()).startsWith("provider vsphere needs the setting 'url'");
                });
    }
}
