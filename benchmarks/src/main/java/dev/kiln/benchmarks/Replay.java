package dev.kiln.benchmarks;

import dev.kiln.packer.PackerEvent;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.JobId;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.spi.BuildCallbacks;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.BuildRequest;

import dev.kiln.spi.Timers;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Starts each build of a plan at a given time against a fresh simulated cloud, with no scheduler in
 * between: the check that a solver's schedule is one the cloud accepts (no throttle, no quota
 * breach, no queued vCenter operation), and its makespan as the cloud sees it, to the nanosecond.
 * A build that fails is not retried: a schedule that makes one fail is not a schedule.
 */
final class Replay {

    private Replay() {
    }

    /**
     * What the cloud saw.
     *
     * @param makespan         from the fleet's start to the last build's end
     * @param throttles        calls the cloud throttled
     * @param quotaBreaches    instances or images refused for quota
     * @param queuedOperations vCenter operations queued behind a cost limit
     * @param failed           builds that did not succeed
     * @param throttlesByLimit the throttles, by limit
     */
    record Result(Duration makespan, long throttles, long quotaBreaches, long queuedOperations, int failed,
                  Map<String, Long> throttlesByLimit) {

        boolean clean() {
            return throttles == 0 && quotaBreaches == 0 && queuedOperations == 0 && failed == 0;
        }
    }

    static Result run(BuildPlan plan, long seed, double modelError, Map<JobId, Long> startNanos) {
        VirtualTime time = TimeSource.virtual(plan.createdAt());
        SimulatedCloud cloud = SimulatedCloud.builder(time).build();
        SimulatedPackerRunner runner = SimulatedPackerRunner.builder(cloud).seed(seed).modelError(modelError).build();
        EventLoop loop = new EventLoop(time);
        long[] last = {0};
        int[] failed = {0};
        for (BuildJob job : plan.jobs()) {
            Long at = startNanos.get(job.id());
            if (at == null) {
                throw new IllegalArgumentException("the schedule has no start time for " + job.id());
            }
            loop.decide(at, () -> runner.start(request(job, 1, loop), new BuildCallbacks() {
                @Override
                public void onEvent(PackerEvent event) {
                }

                @Override
                public void onThrottle(String api) {
                }

                @Override
                public void onExit(BuildExit exit) {
                    last[0] = Math.max(last[0], time.nanoTime());
                    if (!exit.succeeded()) {
                        failed[0]++;
                    }
                }
            }));
        }
        loop.run();
        cloud.settle();
        return new Result(Duration.ofNanos(last[0]), cloud.throttles(), cloud.quotaBreaches(),
                cloud.queuedOperations(), failed[0], cloud.throttlesByLimit());
    }

    /** One attempt of {@code job}, as Kiln would hand it to the runner (simulated builds need no files). */
    static BuildRequest request(BuildJob job, int attempt, Timers timers) {
        return new BuildRequest(job, attempt, Path.of("simulated"), Path.of("simulated.log"), Map.of(), Map.of(),
                Set.of(), job.timeout(), Duration.ZERO, timers);
    }
}
