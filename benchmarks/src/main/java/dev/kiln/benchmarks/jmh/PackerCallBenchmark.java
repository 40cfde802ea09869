package dev.kiln.benchmarks.jmh;

import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.internal.limits.RunLimits;
import dev.kiln.limits.AdaptiveRateConfig;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitSpec;
import dev.kiln.time.TimeSource;
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
 * What Kiln's limits add to one of packer's calls through the gate: let go on a token bucket
 * ({@code RunLimits.tryRelease}: settled, drawn, recorded as on its way) and answered (settled,
 * recorded as counted), in the in-memory store, on the system clock, the bucket never short.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PackerCallBenchmark {

    private static final LimitSpec.TokenBucket BUCKET = LimitSpec.tokenBucket(1_000_000, 1_000_000);
    private static final LimitKey KEY = new LimitKey("aws/1/us-east-1", "DescribeImages");

    private RunLimits limits;

    @Setup
    public void setUp() {
        TimeSource time = TimeSource.system();
        limits = new RunLimits(time, InMemoryCoordination.of(time), "node", AdaptiveRateConfig.DEFAULT, 0.9,
                (key, rates) -> {
                });
    }

    @Benchmark
    public long releaseAndAnswer() {
        long wait = limits.tryRelease("build", KEY, BUCKET, 1);
        limits.answered("build", KEY, BUCKET, 1);
        return wait;
    }
}
