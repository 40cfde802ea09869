package dev.kiln.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.benchmarks.FleetModel.Component;
import dev.kiln.plan.BuildPlan;
import dev.kiln.sim.Simulation;
import dev.kiln.sim.SimulationResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bracket on real fleets read off the simulator: the components the limits' scopes make, a
 * safe schedule the simulated cloud accepts, and a lower bound nothing beats — not even Kiln.
 */
class OptimumTest {

    @Test
    void limits_scoped_to_an_account_join_its_regions_and_a_datastore_the_hosts_cannot_fill_does_not() {
        // Given builds in two AWS regions, two GCP regions (fixed windows per project) and on two
        // vSphere hosts (8 clones each) of one datastore (128)
        BuildPlan plan = Workloads.fleet("split", 1, 48, Map.of("aws", List.of("us-east-1", "us-east-2"),
                "gcp", List.of("us-east1", "us-east2"), "vsphere", List.of("esxi-1", "esxi-2")));

        // When read as the solver sees it
        List<Component> components = FleetModel.of(plan, Optimum.cloud(plan), Optimum.runner(plan, 1, 0), 10_000)
                .components();

        // Then each AWS region and each host stands alone, the GCP project is one
        assertThat(components).extracting(Component::name).containsExactlyInAnyOrder(
                "aws/123456789012/us-east-1", "aws/123456789012/us-east-2", "gcp/kiln-bench (2 regions)",
                "vsphere/vcenter-bench/esxi-1", "vsphere/vcenter-bench/esxi-2");
        assertThat(components).allSatisfy(c -> assertThat(c.capacities().keySet())
                .noneMatch(k -> k.contains("datastore")));
    }

    @Test
    void the_safe_schedule_replays_cleanly_and_kiln_never_beats_the_lower_bound() {
        // Given 30 builds in one AWS region, their durations and calls off the model by up to 50%
        BuildPlan plan = Workloads.fleet("one-region", 3, 30, Map.of("aws", List.of("us-east-1")));

        // When bracketed and run by Kiln
        Optimum.Result optimum = Optimum.of(plan, 3, 0.5, new Optimum.Settings(5, 2));
        SimulationResult kiln = Simulation.builder().seed(3).modelError(0.5).build().run(plan);

        // Then
        assertThat(optimum.replay().clean()).as("replay %s", optimum.replay()).isTrue();
        assertThat(optimum.lower()).isLessThanOrEqualTo(optimum.upper());
        assertThat(kiln.makespan()).isGreaterThanOrEqualTo(optimum.lower());
    }
}
