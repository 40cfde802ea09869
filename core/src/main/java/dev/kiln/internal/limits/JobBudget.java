package dev.kiln.internal.limits;

import dev.kiln.limits.ApiCost;
import dev.kiln.limits.Charge;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.plan.Target;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One build's cost model projected onto its target's live limits: the calls its start and
 * teardown bursts charge to each limit, the steady rate it polls at, and the concurrency cost it
 * holds. Computed once in preflight.
 *
 * @param limits        every limit the build touches
 * @param burstCalls    start plus teardown calls, by limit
 * @param teardownCalls the teardown calls alone, by limit
 * @param ratePerSecond steady calls per second while running, by limit
 * @param holds         concurrency cost held while running, by limit
 */
public record JobBudget(Map<LimitKey, Limit> limits, Map<LimitKey, Double> burstCalls,
                        Map<LimitKey, Double> teardownCalls, Map<LimitKey, Double> ratePerSecond,
                        Map<LimitKey, Long> holds) {

    public static final JobBudget NONE = new JobBudget(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    public JobBudget {
        limits = sorted(limits);
        burstCalls = sorted(burstCalls);
        teardownCalls = sorted(teardownCalls);
        ratePerSecond = sorted(ratePerSecond);
        holds = sorted(holds);
    }

    /** In key order, looked up by hash: admission reads a budget's limits by key at every try. */
    private static <V> Map<LimitKey, V> sorted(Map<LimitKey, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(new TreeMap<>(map)));
    }

    /** Projects {@code cost} onto {@code table} for {@code target}. */
    public static JobBudget of(Target target, LimitsTable table, CostModel cost) {
        Map<LimitKey, Limit> limits = new TreeMap<>();
        Map<LimitKey, Double> bursts = new TreeMap<>();
        Map<LimitKey, Double> teardowns = new TreeMap<>();
        Map<LimitKey, Double> rates = new TreeMap<>();
        Map<LimitKey, Long> holds = new TreeMap<>();
        for (ApiCost call : cost.calls()) {
            for (Charge charge : table.chargesFor(call.api())) {
                Limit limit = table.limit(charge.limit()).orElse(null);
                if (limit == null || limit.spec() instanceof LimitSpec.Concurrency) {
                    continue;
                }
                LimitKey key = LimitKey.of(target, limit);
                limits.put(key, limit);
                double burst = (call.atStart() + call.atEnd()) * charge.tokens();
                if (burst > 0) {
                    bursts.merge(key, burst, Double::sum);
                }
                if (call.atEnd() > 0) {
                    teardowns.merge(key, call.atEnd() * charge.tokens(), Double::sum);
                }
                double rate = call.perMinute() * charge.tokens() / 60.0;
                if (rate > 0) {
                    rates.merge(key, rate, Double::sum);
                }
            }
        }
        for (var hold : cost.holds().entrySet()) {
            Limit limit = table.limit(hold.getKey()).orElse(null);
            if (limit != null && limit.spec() instanceof LimitSpec.Concurrency) {
                LimitKey key = LimitKey.of(target, limit);
                limits.put(key, limit);
                holds.merge(key, hold.getValue(), Long::sum);
            }
        }
        return new JobBudget(limits, bursts, teardowns, rates, holds);
    }

    /** Steady calls per minute over all limits, for the packer environment's polling budget. */
    public double pollCallsPerMinute() {
        return ratePerSecond.values().stream().mapToDouble(Double::doubleValue).sum() * 60;
    }
}
