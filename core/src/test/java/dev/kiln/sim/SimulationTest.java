package dev.kiln.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.JobResult;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.limits.AdaptiveRateConfig;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.plan.Demand;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import dev.kiln.plan.BuildPlan;
import dev.kiln.testing.Plans;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The property Kiln exists for: whatever the fleet, no throttles, no quota breaches, every job
 * terminal. Random fleets over four providers and nine regions, each seed a different fleet.
 */
class SimulationTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void random_fleets_finish_without_throttles_or_quota_breaches(long seed) {
        // Given 200-400 builds over aws, azure, gcp and vsphere
        BuildPlan plan = Plans.random(seed, 200 + (int) (seed * 20));

        // When simulated with the exact cost model
        SimulationResult result = Simulation.builder().seed(seed).build().run(plan);

        // Then
        assertThat(result.run().jobs()).extracting(JobResult::state).containsOnly(JobState.SUCCEEDED);
        assertThat(result.throttles()).as("throttles by limit: %s", result.throttlesByLimit()).isZero();
        assertThat(result.quotaBreaches()).isZero();
        assertThat(result.queuedOperations()).isZero();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    void a_large_fleet_stays_within_limits_when_the_cost_model_is_off_by_half(long seed) {
        // Given 2,000 builds whose real durations and polling differ from the model by up to ±50%
        BuildPlan plan = Plans.random(seed, 2000);

        // When
        SimulationResult result = Simulation.builder().seed(seed).modelError(0.5).build().run(plan);

        // Then
        assertThat(result.run().jobs()).allMatch(j -> j.state().isTerminal());
        assertThat(result.run().allSucceeded()).isTrue();
        assertThat(result.throttles()).as("throttles by limit: %s", result.throttlesByLimit()).isZero();
        assertThat(result.quotaBreaches()).isZero();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22})
    void failing_builds_still_end_terminal_and_leave_nothing_behind(long seed) {
        // Given a fleet where a fifth of the builds fail their provisioners
        BuildPlan plan = Plans.random(seed, 300);

        // When
        SimulationResult result = Simulation.builder().seed(seed)
                .failures(0.2, FailureClass.PROVISIONER_FAILED).build().run(plan);

        // Then every job is terminal, failed ones were swept, and the quota was never breached
        assertThat(result.run().jobs()).allMatch(j -> j.state().isTerminal());
        assertThat(result.run().counts()).containsKeys(JobState.SUCCEEDED);
        assertThat(result.quotaBreaches()).isZero();
        assertThat(result.throttles()).isZero();
        for (JobResult j : result.run().jobs()) {
            if (j.state() == JobState.FAILED) {
                assertThat(j.swept()).isNotEmpty();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void when_the_cloud_is_stricter_than_kiln_believes_the_adaptive_rate_limits_the_damage() {
        // Given a cloud whose DescribeInstances buckets refill at a quarter of the documented rate,
        // with quota for hundreds of builds per region, while Kiln is told the documented 50 / 10 per s
        BuildPlan plan = Plans.random(31, 1200).toBuilder()
                .limitOverride("aws", "DescribeInstances", LimitSpec.tokenBucket(50, 10)).build();
        LimitsTable stricter = ProviderDefaults.aws().withOverrides(
                Map.of("DescribeInstances", LimitSpec.tokenBucket(50, 2.5)));
        Consumer<SimulatedCloud.Builder> cloud = c -> c.provider("aws", stricter, ProviderDefaults.awsEbs())
                .quota("aws", Demand.VCPUS, 5000).quota("aws", Demand.INSTANCES, 5000);

        // When run with the adaptive rate, and without it (a floor of 100% never cuts)
        SimulationResult adaptive = Simulation.builder().seed(31).cloud(cloud).build().run(plan);
        SimulationResult fixed = Simulation.builder().seed(31).cloud(cloud)
                .kiln(k -> k.scheduling(s -> s.withAdaptiveRate(new AdaptiveRateConfig(0.5, 0.1, Duration.ofSeconds(30),
                        1.0, Duration.ofSeconds(2)))))
                .build().run(plan);

        // Then both finish, and cutting the rate on throttles throttles far less
        assertThat(adaptive.run().allSucceeded()).isTrue();
        assertThat(fixed.throttles()).isPositive();
        assertThat(adaptive.throttles()).isLessThan(fixed.throttles() / 4);
    }
}
