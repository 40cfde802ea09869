package dev.kiln.report;

import dev.kiln.event.KilnEvent;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.limits.Quota;
import dev.kiln.limits.Scope;
import dev.kiln.packer.Artifact;
import dev.kiln.sim.Simulation;
import dev.kiln.sim.SimulationResult;
import dev.kiln.testing.Plans;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs and event streams that reports are drawn from in tests. */
final class ReportFixtures {

    /** What a hostile plan or packer output would try to run in a browser. */
    static final String SCRIPT = "<script>document.documentElement.setAttribute('data-pwned','1')</script>";
    static final String IMG = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','2')\">";

    private ReportFixtures() {
    }

    /** A simulated fleet of 40 builds over four providers, nearly half of the attempts failing, with its event log. */
    static SimulationResult simulatedRun(Path runs) {
        return Simulation.builder().seed(3).failures(0.45, FailureClass.PROVISIONER_FAILED)
                .kiln(k -> k.files(f -> f.withRunsDirectory(runs).withEventLog(true))
                        .scheduling(s -> s.withBudgetSampleInterval(Duration.ofSeconds(20))))
                .build().run(Plans.random(3, 40));
    }

    /** A small run in which every text field carries markup. */
    static List<KilnEvent> hostileRun() {
        Instant t = Plans.T0;
        String run = "k1";
        String ok = "base/aws/123456789012/us-east-1/dev";
        String bad = "app/aws/123456789012/us-east-1/dev";
        String target = "aws/123456789012/us-east-1";
        String limit = target + "#RunInstances";
        List<KilnEvent> e = new ArrayList<>();
        e.add(new KilnEvent.RunStarted(t, run, "fleet " + SCRIPT, 2, Path.of("/runs/k1"), "packer " + IMG));
        for (String job : List.of(ok, bad)) {
            e.add(new KilnEvent.JobStateChanged(t, run, job, JobState.PLANNED, JobState.QUEUED, 0, ""));
            e.add(new KilnEvent.JobStateChanged(t, run, job, JobState.QUEUED, JobState.PREFLIGHT, 0, ""));
            e.add(new KilnEvent.JobStateChanged(t, run, job, JobState.PREFLIGHT, JobState.WAITING, 0, ""));
        }
        e.add(new KilnEvent.QuotaProbed(t, run, target, Map.of("vcpus" + SCRIPT,
                new Quota("vcpus" + SCRIPT, Scope.REGION, 64, 2))));
        e.add(new KilnEvent.JobWaiting(t, run, bad, "waiting for " + IMG));
        e.add(new KilnEvent.BudgetSample(t, run, limit, 5, 5, 0, 2));
        Instant s1 = t.plusSeconds(2);
        e.add(new KilnEvent.JobStateChanged(s1, run, ok, JobState.WAITING, JobState.RUNNING, 1, "attempt 1"));
        e.add(new KilnEvent.BuildStarted(s1, run, ok, 1, "base-" + SCRIPT, "k1-000", target,
                Path.of("/runs/k1/jobs/base/attempt-1.log"), Map.of(), Map.of("vcpus", 2L)));
        Instant s2 = t.plusSeconds(5);
        e.add(new KilnEvent.BudgetSample(s2, run, limit, 2, 5, 0.5, 2));
        e.add(new KilnEvent.ThrottleObserved(s2, run, limit, "packer build " + IMG));
        e.add(new KilnEvent.JobStateChanged(s2, run, bad, JobState.WAITING, JobState.RUNNING, 1, "attempt 1"));
        e.add(new KilnEvent.BuildStarted(s2, run, bad, 1, "app-dev", "k1-001", target,
                Path.of("/runs/k1/jobs/app/attempt-1.log"), Map.of(), Map.of("vcpus", 2L)));
        Instant s3 = t.plusSeconds(30);
        e.add(new KilnEvent.BuildEnded(s3, run, ok, 1, true, null, "", List.of(new Artifact("amazon-ebs",
                "mitchellh.amazonebs", "us-east-1:ami-0abc" + IMG, List.of()))));
        e.add(new KilnEvent.ArtifactVerified(s3, run, ok, List.of("ami-0abc"), List.of()));
        e.add(new KilnEvent.JobStateChanged(s3, run, ok, JobState.RUNNING, JobState.SUCCEEDED, 1, "verified"));
        Instant s4 = t.plusSeconds(40);
        e.add(new KilnEvent.BuildEnded(s4, run, bad, 1, false, FailureClass.PROVISIONER_FAILED,
                "Script exited with non-zero exit status: 1 " + SCRIPT + " | pipe", List.of()));
        e.add(new KilnEvent.JobStateChanged(s4, run, bad, JobState.RUNNING, JobState.SWEEPING, 1,
                "PROVISIONER_FAILED"));
        e.add(new KilnEvent.Swept(t.plusSeconds(42), run, bad, "k1-001", List.of("i-1"), List.of("sg-1 " + IMG)));
        e.add(new KilnEvent.JobStateChanged(t.plusSeconds(42), run, bad, JobState.SWEEPING, JobState.FAILED, 1,
                "PROVISIONER_FAILED: Script exited"));
        e.add(new KilnEvent.Refused(t, run, "packer", "PLUGIN_DRIFT", "plugin " + SCRIPT + " drifted"));
        e.add(new KilnEvent.RunFinished(t.plusSeconds(42), run, Map.of(JobState.SUCCEEDED, 1, JobState.FAILED, 1),
                42_000));
        return e;
    }
}
