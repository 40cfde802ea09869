package dev.kiln.benchmarks;

import dev.kiln.internal.run.Run;
import dev.kiln.internal.run.RunSettings;
import dev.kiln.plan.BuildPlan;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.RunFiles;
import dev.kiln.Scheduling;
import dev.kiln.Sharing;
import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Retained heap per queued job: the plan (jobs, images, targets, demands) and the run's per-job
 * state, for 100,000 builds over 40 regions, measured as the heap in use after full collections.
 *
 * <pre>{@code bin/bench memory}</pre>
 */
public final class MemoryBenchmark {

    private MemoryBenchmark() {
    }

    public static void main(String[] args) {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        long before = usedAfterGc();
        BuildPlan plan = Workloads.fleet("memory", 1, jobs, Map.of(
                "aws", List.of("r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10"),
                "gcp", List.of("g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9", "g10"),
                "azure", List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"),
                "vsphere", List.of("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10")));
        VirtualTime time = TimeSource.virtual(plan.createdAt());
        SimulatedCloud cloud = SimulatedCloud.builder(time).build();
        RunSettings settings = new RunSettings(time, InMemoryCoordination.of(time),
                SimulatedPackerRunner.builder(cloud).build(), Map.of(), List.of(), null,
                RunFiles.DEFAULT.withRunsDirectory(Path.of("kiln-bench")).withEventLog(false).withReports(false),
                Scheduling.DEFAULT.withBudgetSampleInterval(null).withClassifier(exit -> null), Sharing.DEFAULT);
        Run queued = new Run(settings, plan);
        long after = usedAfterGc();
        double perJob = (after - before) / (double) jobs;
        System.out.printf("%d queued jobs retain %.1f MB: %.0f bytes per job (plan + run state)%n", jobs,
                (after - before) / 1e6, perJob);
        if (queued.runId().isEmpty()) {
            System.out.println(plan);
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
