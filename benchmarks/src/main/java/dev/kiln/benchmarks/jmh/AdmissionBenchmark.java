package dev.kiln.benchmarks.jmh;

import dev.kiln.internal.limits.Admission;
import dev.kiln.internal.limits.JobBudget;
import dev.kiln.internal.limits.RunLimits;
import dev.kiln.limits.AdaptiveRateConfig;
import dev.kiln.limits.ApiCost;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.plan.Target;
import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Admission decisions per second: 10,000 waiting builds over 50 targets, 500 token buckets
 * (10 actions each), every decision reserving quota-free polling rate and probing or charging the
 * buckets. Admitted builds are finished at once, so the buckets stay contended and most decisions
 * are refusals, as in a busy run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AdmissionBenchmark {

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-01T00:00:00Z"));
    private RunLimits limits;
    private final List<JobBudget> jobs = new ArrayList<>();
    private int next;

    @Setup
    public void setUp() {
        limits = new RunLimits(time, InMemoryCoordination.of(time), AdaptiveRateConfig.DEFAULT, 0.9, (k, r) -> { });
        LimitsTable.Builder table = LimitsTable.builder();
        for (int a = 0; a < 10; a++) {
            table.limit("Action" + a, LimitSpec.tokenBucket(20, 2), dev.kiln.limits.Scope.REGION);
        }
        LimitsTable limitsTable = table.build();
        Random random = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            Target target = Target.of("aws", "123456789012", "region-" + (i % 50));
            List<ApiCost> calls = new ArrayList<>();
            for (int c = 0; c < 5; c++) {
                calls.add(new ApiCost("Action" + random.nextInt(10), 1 + random.nextInt(3), random.nextInt(3), 1));
            }
            jobs.add(JobBudget.of(target, limitsTable, new CostModel(Duration.ofMinutes(10), calls, Map.of())));
        }
    }

    @Benchmark
    public boolean decide() {
        JobBudget job = jobs.get(next);
        String holder = "job-" + next;
        next = (next + 1) % jobs.size();
        time.advance(Duration.ofMillis(1));
        Admission a = limits.tryAdmit(holder, job, List.of());
        if (a.admitted()) {
            limits.finished(holder, job);
        }
        return a.admitted();
    }
}
