package dev.kiln.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlannerBuildIdTest {

    @Test
    void buildIdsHaveAtLeastThreeDigits() {
        assertThat(Planner.buildId("k3x9a2b1", 1)).isEqualTo("k3x9a2b1-001");
        assertThat(Planner.buildId("k3x9a2b1", 42)).isEqualTo("k3x9a2b1-042");
        assertThat(Planner.buildId("k3x9a2b1", 999)).isEqualTo("k3x9a2b1-999");
        assertThat(Planner.buildId("k3x9a2b1", 1000)).isEqualTo("k3x9a2b1-1000");
        assertThat(Planner.buildId("k3x9a2b1", 50000)).isEqualTo("k3x9a2b1-50000");
    }
}
