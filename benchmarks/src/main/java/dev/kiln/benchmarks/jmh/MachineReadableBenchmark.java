package dev.kiln.benchmarks.jmh;

import dev.kiln.packer.MachineReadableParser;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/** Lines of {@code packer build -machine-readable} output parsed per second (a typical mix). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MachineReadableBenchmark {

    private static final List<String> LINES = List.of(
            "1795611049,,ui,say,==> amazon-ebs: Creating temporary keypair: packer_5f3a",
            "1795611049,,ui,message,    amazon-ebs: Adding tag: \"kiln:build-id\": \"k1-001\"",
            "1795611050,amazon-ebs,artifact-count,1",
            "1795611050,amazon-ebs,artifact,0,builder-id,mitchellh.amazonebs",
            "1795611050,amazon-ebs,artifact,0,id,us-east-1:ami-0a1b2c3d4e5f60718",
            "1795611050,amazon-ebs,artifact,0,string,AMIs were created:\\nus-east-1: ami-0a1b2c3d4e5f60718\\n",
            "1795611050,amazon-ebs,artifact,0,files-count,0",
            "1795611050,amazon-ebs,artifact,0,end",
            "1795611051,,ui,error,Build 'amazon-ebs' errored after 2 minutes: Script exited%!(PACKER_COMMA) status 2",
            "1795611051,,ui,say,Build 'amazon-ebs' finished after 5 minutes 3 seconds.");

    private final MachineReadableParser parser = new MachineReadableParser(() -> Instant.EPOCH);

    @Benchmark
    @OperationsPerInvocation(10)
    public void parse(Blackhole hole) {
        for (String line : LINES) {
            hole.consume(parser.parse(line));
        }
    }
}
