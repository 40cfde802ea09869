package dev.kiln.sim;

import dev.kiln.RunResult;
import java.time.Duration;
import java.util.Map;

/**
 * A simulated run and what the simulated cloud saw of it.
 *
 * @param run                 the run, as Kiln recorded it
 * @param makespan            virtual time from start to the last job's end
 * @param throttles           calls the cloud throttled
 * @param throttlesByLimit    the same, by limit
 * @param quotaBreaches       instances or images the cloud refused for quota
 * @param queuedOperations    provisioning operations the cloud had to queue behind a cost limit
 * @param calls               API calls the builds made
 */
public record SimulationResult(RunResult run, Duration makespan, long throttles, Map<String, Long> throttlesByLimit,
                               long quotaBreaches, long queuedOperations, long calls) {

    public SimulationResult {
        throttlesByLimit = Map.copyOf(throttlesByLimit);
    }
}
