package dev.kiln.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.JobResult;
import dev.kiln.job.JobState;
import dev.kiln.testing.Plans;
import org.junit.jupiter.api.Test;

class SimulationTest {

    @Test
    void a_random_fleet_finishes_without_throttles_or_quota_breaches() {
        // Given 300 builds over four providers and nine regions
        var plan = Plans.random(42, 300);

        // When simulated with the exact cost model
        SimulationResult result = Simulation.builder().seed(42).build().run(plan);

        // Then
        System.out.println(result.makespan() + " throttles=" + result.throttles() + " " + result.throttlesByLimit()
                + " quota=" + result.quotaBreaches() + " calls=" + result.calls() + " " + result.run().counts());
        assertThat(result.run().jobs()).allMatch(j -> j.state().isTerminal());
        assertThat(result.run().jobs()).extracting(JobResult::state).containsOnly(JobState.SUCCEEDED);
        assertThat(result.throttles()).isZero();
        assertThat(result.quotaBreaches()).isZero();
        assertThat(result.concurrencyBreaches()).isZero();
    }

    @Test
    void probe_with_model_error() {
        for (long seed = 1; seed <= 5; seed++) {
            var plan = Plans.random(seed, 2000);
            SimulationResult result = Simulation.builder().seed(seed).modelError(0.5).build().run(plan);
            System.out.println(seed + " " + result.makespan() + " throttles=" + result.throttles() + " "
                    + result.throttlesByLimit() + " quota=" + result.quotaBreaches() + " calls=" + result.calls() + " "
                    + result.run().counts());
        }
    }
}
