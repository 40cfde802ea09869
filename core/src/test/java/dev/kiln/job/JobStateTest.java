package dev.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class JobStateTest {

    @Test
    void terminal_states_lead_nowhere() {
        for (JobState s : EnumSet.of(JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)) {
            assertThat(s.isTerminal()).isTrue();
            assertThat(s.successors()).isEmpty();
        }
    }

    @Test
    void every_state_that_is_not_terminal_can_end_somehow() {
        for (JobState s : JobState.values()) {
            if (!s.isTerminal()) {
                assertThat(reachesTerminal(s, EnumSet.noneOf(JobState.class))).as("%s can end", s).isTrue();
            }
        }
    }

    private static boolean reachesTerminal(JobState s, EnumSet<JobState> seen) {
        if (s.isTerminal()) {
            return true;
        }
        if (!seen.add(s)) {
            return false;
        }
        return s.successors().stream().anyMatch(n -> reachesTerminal(n, seen));
    }

    @Test
    void a_running_build_cannot_be_cancelled_without_being_swept() {
        assertThat(JobState.RUNNING.canMoveTo(JobState.CANCELLED)).isFalse();
        assertThat(JobState.RUNNING.canMoveTo(JobState.SWEEPING)).isTrue();
        assertThat(JobState.SWEEPING.canMoveTo(JobState.CANCELLED)).isTrue();
    }

    @Test
    void an_illegal_transition_names_both_ends_and_what_is_allowed() {
        assertThatThrownBy(() -> JobState.checkTransition("base/aws/1/us-east-1/dev", JobState.SUCCEEDED,
                JobState.RUNNING))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessage("job base/aws/1/us-east-1/dev cannot move from SUCCEEDED to RUNNING; from SUCCEEDED it"
                        + " may move to nothing (it is terminal)")
                .satisfies(e -> {
                    IllegalTransitionException ite = (IllegalTransitionException) e;
                    assertThat(ite.from()).isEqualTo(JobState.SUCCEEDED);
                    assertThat(ite.to()).isEqualTo(JobState.RUNNING);
                });
        assertThatThrownBy(() -> JobState.checkTransition("j", JobState.WAITING, JobState.SWEEPING))
                .hasMessage("job j cannot move from WAITING to SWEEPING; from WAITING it may move to"
                        + " [RUNNING, SUCCEEDED, FAILED, CANCELLED]");
    }

    @Test
    void permanent_failures_are_never_retried_whatever_the_policy_says() {
        RetryPolicy policy = RetryPolicy.defaults().withAttempts(FailureClass.AUTH, 5)
                .withAttempts(FailureClass.TEMPLATE_INVALID, 3);
        assertThat(policy.attemptsFor(FailureClass.AUTH)).isEqualTo(1);
        assertThat(policy.attemptsFor(FailureClass.TEMPLATE_INVALID)).isEqualTo(1);
        assertThat(policy.attemptsFor(FailureClass.NAME_COLLISION)).isEqualTo(1);
        assertThat(policy.attemptsFor(FailureClass.PROVISIONER_FAILED)).isEqualTo(2);
    }
}
