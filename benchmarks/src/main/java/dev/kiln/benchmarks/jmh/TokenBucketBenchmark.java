package dev.kiln.benchmarks.jmh;

import dev.kiln.internal.limits.Units;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitSpec;
import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.time.TimeSource;
import io.github.bucket4j.Bucket;
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

/** One draw from a Kiln token bucket in the in-memory store, on the system clock. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenBucketBenchmark {

    private Bucket bucket;

    @Setup
    public void setUp() {
        bucket = InMemoryCoordination.of(TimeSource.system()).rates()
                .bucket(new LimitKey("aws/1/us-east-1", "DescribeImages"), Units.configuration(LimitSpec.tokenBucket(1_000_000, 1_000_000), 1_000_000));
    }

    @Benchmark
    public boolean draw() {
        return bucket.tryConsume(Units.PER_CALL);
    }
}
