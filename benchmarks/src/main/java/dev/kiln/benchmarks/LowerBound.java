package dev.kiln.benchmarks;

import dev.kiln.limits.ApiCost;
import dev.kiln.limits.Charge;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Demand;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.spi.CloudProvider;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The shortest makespan any scheduler could achieve on a workload, whatever it knew: per
 * account-region, the longest build; the vCPU-time area over the vCPU quota; the provisioning-cost
 * area over a host's cost limit; and for every API limit, the calls beyond its burst capacity over
 * its sustained rate. Uses the builds' real durations and call counts (the runner's draws), not
 * the model.
 */
final class LowerBound {

    private LowerBound() {
    }

    /** The bound and which constraint set it. */
    record Bound(Duration makespan, String bindingConstraint) {
    }

    static Bound of(BuildPlan plan, SimulatedCloud cloud, SimulatedPackerRunner runner, long vcpuQuota) {
        double best = 0;
        String why = "";
        Map<String, Double> vcpuArea = new HashMap<>();
        Map<LimitKey, Double> calls = new HashMap<>();
        Map<LimitKey, Limit> limits = new HashMap<>();
        Map<LimitKey, Double> costArea = new HashMap<>();
        Map<String, CloudProvider> providers = new HashMap<>();
        cloud.providers().forEach(p -> providers.put(p.id(), p));
        for (BuildJob job : plan.jobs()) {
            SimulatedPackerRunner.Draw draw = runner.draw(job, 1);
            double seconds = draw.duration().toNanos() / 1e9;
            if (seconds > best) {
                best = seconds;
                why = "longest build";
            }
            vcpuArea.merge(job.target().key(), seconds * job.demand().get(Demand.VCPUS), Double::sum);
            CloudProvider provider = providers.get(job.target().provider());
            LimitsTable table = provider.apiLimits(job.target());
            CostModel cost = cloud.costModel(job.image(), job.target());
            for (ApiCost call : cost.calls()) {
                double n = Math.round(call.atStart() * draw.callFactor()) + Math.round(call.atEnd() * draw.callFactor())
                        + call.perMinute() * draw.callFactor() * seconds / 60;
                for (Charge c : table.chargesFor(call.api())) {
                    Limit limit = table.limit(c.limit()).orElseThrow();
                    LimitKey key = LimitKey.of(job.target(), limit);
                    limits.put(key, limit);
                    calls.merge(key, n * c.tokens(), Double::sum);
                }
            }
            for (var hold : cost.holds().entrySet()) {
                Limit limit = table.limit(hold.getKey()).orElseThrow();
                LimitKey key = LimitKey.of(job.target(), limit);
                limits.put(key, limit);
                costArea.merge(key, seconds * hold.getValue(), Double::sum);
            }
        }
        for (var e : vcpuArea.entrySet()) {
            double t = e.getValue() / vcpuQuota;
            if (t > best) {
                best = t;
                why = "vCPU quota of " + e.getKey();
            }
        }
        for (var e : calls.entrySet()) {
            LimitSpec spec = limits.get(e.getKey()).spec();
            double t;
            if (spec instanceof LimitSpec.TokenBucket tb) {
                t = Math.max(0, e.getValue() - tb.capacity()) / tb.refillPerSecond();
            } else {
                LimitSpec.FixedWindow fw = (LimitSpec.FixedWindow) spec;
                t = Math.max(0, Math.ceil(e.getValue() / fw.limit()) - 1) * fw.window().toSeconds();
            }
            if (t > best) {
                best = t;
                why = "API limit " + e.getKey();
            }
        }
        for (var e : costArea.entrySet()) {
            LimitSpec.Concurrency c = (LimitSpec.Concurrency) limits.get(e.getKey()).spec();
            double t = e.getValue() / c.maxCost();
            if (t > best) {
                best = t;
                why = "provisioning cost of " + e.getKey();
            }
        }
        return new Bound(Duration.ofMillis(Math.round(best * 1000)), why);
    }
}
