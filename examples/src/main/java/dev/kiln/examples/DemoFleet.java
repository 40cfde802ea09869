package dev.kiln.examples;

import dev.kiln.Kiln;
import dev.kiln.KilnException;
import dev.kiln.RunResult;
import dev.kiln.event.KilnEvent;
import dev.kiln.job.JobState;
import dev.kiln.packer.PackerRunners;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanFile;
import dev.kiln.report.TextTable;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.spi.CloudProvider;
import dev.kiln.time.TimeSource;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The demo fleet: real {@code packer build} processes (the null builder, so nothing leaves this
 * machine) scheduled by Kiln under the documented limits and quotas of AWS, Azure, GCP and vSphere,
 * simulated. Prints progress as it goes, then a table of every build and where the run's files are.
 *
 * <pre>{@code bin/demo [plan.yaml]}</pre>
 */
public final class DemoFleet {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private DemoFleet() {
    }

    public static void main(String[] args) {
        Path planFile = Path.of(args.length > 0 ? args[0] : "examples/plans/null-fleet.yaml");
        PrintStream out = System.out;
        try {
            System.exit(run(planFile, Path.of("kiln-runs"), out));
        } catch (KilnException e) {
            System.err.println("kiln: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Runs the fleet; returns 0 when every build succeeded, 1 otherwise. */
    static int run(Path planFile, Path runs, PrintStream out) {
        SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.system()).acceptNullBuilds().build();
        Kiln.Builder builder = Kiln.builder()
                .packerRunner(PackerRunners.process())
                .runsDirectory(runs)
                .hostSlots(Math.max(4, 4 * Runtime.getRuntime().availableProcessors()))
                .listener(event -> progress(event, out));
        for (CloudProvider p : cloud.providers()) {
            builder.provider(p);
        }
        try (Kiln kiln = builder.build()) {
            BuildPlan plan = PlanFile.load(planFile, kiln.planContext());
            out.printf("%s  %s: %d builds over %d targets, run %s%n", now(), plan.name(), plan.jobs().size(),
                    plan.targets().size(), plan.runId());
            RunResult result = kiln.run(plan);
            out.println();
            out.print(TextTable.of(result));
            out.println("run directory: " + result.runDirectory().toAbsolutePath());
            return result.allSucceeded() ? 0 : 1;
        }
    }

    private static void progress(KilnEvent event, PrintStream out) {
        if (event instanceof KilnEvent.JobStateChanged c && (c.to() == JobState.RUNNING || c.to().isTerminal()
                || c.to() == JobState.RETRY_WAIT)) {
            out.printf("%s  %-10s %s%s%n", now(), c.to(), c.jobId(), c.reason().isEmpty() ? "" : "  (" + c.reason() + ")");
        } else if (event instanceof KilnEvent.Refused r) {
            out.printf("%s  REFUSED    %s: %s%n", now(), r.subject(), r.message());
        }
    }

    private static String now() {
        return LocalTime.now(ZoneOffset.UTC).format(CLOCK);
    }
}
