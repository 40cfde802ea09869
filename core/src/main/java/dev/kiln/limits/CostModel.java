package dev.kiln.limits;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one build of a builder type is expected to cost: how long it runs, which APIs it calls and
 * how often, and what concurrency cost it holds while it runs (vCenter provisioning cost).
 *
 * @param expectedDuration typical wall time of one build
 * @param calls            API calls per phase
 * @param holds            concurrency cost held while running, by limit name
 */
public record CostModel(Duration expectedDuration, List<ApiCost> calls, Map<String, Long> holds) {

    public CostModel {
        calls = List.copyOf(calls);
        holds = Map.copyOf(holds);
    }

    /** Nothing but time: builds that call no limited API (the null builder). */
    public static CostModel free(Duration expectedDuration) {
        return new CostModel(expectedDuration, List.of(), Map.of());
    }

    public CostModel withExpectedDuration(Duration duration) {
        return new CostModel(duration, calls, holds);
    }

    /** Total calls of one build over its expected duration. */
    public double totalCalls() {
        double minutes = expectedDuration.toNanos() / 60e9;
        return calls.stream().mapToDouble(c -> c.atStart() + c.atEnd() + c.perMinute() * minutes).sum();
    }
}
