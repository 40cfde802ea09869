package dev.kiln.examples;

import dev.kiln.JobResult;
import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.event.KilnEvent;
import dev.kiln.packer.PackerRunners;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanFile;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.spi.CloudProvider;
import dev.kiln.time.TimeSource;
import java.nio.file.Path;

/** Embedding Kiln in a Java tool: a Kiln, a plan, a listener. Shown in README.md. */
public final class EmbeddingExample {

    private EmbeddingExample() {
    }

    public static void main(String[] args) {
        // Providers decide limits, quotas, naming rules and cleanup; the simulated cloud stands in
        // for the real ones here (AwsProvider, AzureProvider... in production).
        SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.system()).acceptNullBuilds().build();
        Kiln.Builder builder = Kiln.builder()
                .packerRunner(PackerRunners.process())
                .files(f -> f.withRunsDirectory(Path.of("kiln-runs")))
                .listener(event -> {
                    if (event instanceof KilnEvent.BuildEnded ended) {
                        System.out.println(ended.jobId() + (ended.succeeded() ? " built" : " failed: " + ended.message()));
                    }
                });
        for (CloudProvider provider : cloud.providers()) {
            builder.provider(provider);
        }
        try (Kiln kiln = builder.build()) {
            BuildPlan plan = PlanFile.load(Path.of("examples/plans/null-fleet.yaml"), kiln.planContext());
            RunResult result = kiln.run(plan);
            for (JobResult job : result.jobs()) {
                System.out.println(job.job().id() + " " + job.state() + " " + job.verified());
            }
            System.exit(result.allSucceeded() ? 0 : 1);
        }
    }
}
