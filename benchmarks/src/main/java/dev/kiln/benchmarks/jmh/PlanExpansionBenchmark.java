package dev.kiln.benchmarks.jmh;

import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Fleet;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
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

/** Expanding, naming and validating a 10,000-build matrix: 10 images x 250 regions x 4 environments. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PlanExpansionBenchmark {

    private Fleet.Builder fleet;
    private PlanContext context;

    @Setup
    public void setUp() throws IOException {
        Path template = Files.createTempFile("kiln-bench", ".json");
        Files.writeString(template, "{\"builders\":[{\"type\":\"null\",\"communicator\":\"none\"}]}");
        template.toFile().deleteOnExit();
        fleet = Fleet.builder("bench").environments("dev", "qa", "staging", "prod");
        for (int i = 0; i < 10; i++) {
            fleet.image(ImageSpec.builder("image" + i, template, "null").vcpus(2)
                    .nameTemplate("{image}-{env}-{region}-{build_id}").build());
        }
        for (int r = 0; r < 250; r++) {
            fleet.target(Target.of("gcp", "project-" + (r / 10), "us-east" + (r % 10 + 1)));
        }
        context = new PlanContext(Instant.parse("2026-01-05T09:00:00Z"), "kbench", "abc", null, Map.of());
    }

    @Benchmark
    public BuildPlan expand() {
        return fleet.build(context);
    }
}
