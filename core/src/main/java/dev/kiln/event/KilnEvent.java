package dev.kiln.event;

import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.limits.Quota;
import dev.kiln.packer.Artifact;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Something that happened in a run. Every event is a value: listeners may keep them. The run's
 * {@code events.jsonl} holds one JSON object per event with a {@code type} field naming the record.
 */
public sealed interface KilnEvent {

    /** When it happened, in the run's time source. */
    Instant at();

    /** The run it belongs to. */
    String runId();

    /** A run began. */
    record RunStarted(Instant at, String runId, String plan, int jobs, Path runDirectory, String packer)
            implements KilnEvent {
    }

    /**
     * Where the run's plan came from, for resuming it after a crash: the plan file (null for plans
     * built in code) and the context its names were rendered with.
     */
    record PlanOrigin(Instant at, String runId, String planFile, Instant planCreatedAt, String gitSha)
            implements KilnEvent {
    }

    /**
     * A template the run builds from: its content hash when the run started (a folder template's
     * {@code .pkr.hcl} files together) and the git commit checked out where it lies, or null outside
     * a repository. Builds run from the run's snapshot of the template's directory.
     */
    record TemplateUsed(Instant at, String runId, String template, String sha256, String gitCommit)
            implements KilnEvent {
    }

    /** The process a build attempt runs in, so a resumed run can stop what a crashed one left running. */
    record BuildProcess(Instant at, String runId, String jobId, int attempt, long pid) implements KilnEvent {
    }

    /** A crashed run was resumed from its journal: what was already done, what runs again. */
    record RunResumed(Instant at, String runId, int done, int requeued, int swept) implements KilnEvent {
    }

    /** A job moved between states. */
    record JobStateChanged(Instant at, String runId, String jobId, JobState from, JobState to, int attempt,
                           String reason) implements KilnEvent {
    }

    /** A waiting job's reason for waiting changed (quota, budget, slot, dependency). */
    record JobWaiting(Instant at, String runId, String jobId, String reason) implements KilnEvent {
    }

    /**
     * A build started: the name it registers, the build id its resources are tagged with (what a
     * sweep needs), where its log goes, its polling budget (calls per minute by limit) and what it
     * holds of the target's quotas while it runs.
     */
    record BuildStarted(Instant at, String runId, String jobId, int attempt, String imageName, String buildId,
                        String target, Path log, Map<String, Double> budget, Map<String, Long> demand)
            implements KilnEvent {
        public BuildStarted {
            budget = Map.copyOf(budget);
            demand = Map.copyOf(demand);
        }
    }

    /** A headline or error line from packer (the full output is in the job's log). */
    record PackerOutput(Instant at, String runId, String jobId, int attempt, String kind, String text)
            implements KilnEvent {
    }

    /** A build attempt ended. */
    record BuildEnded(Instant at, String runId, String jobId, int attempt, boolean succeeded,
                      FailureClass failure, String message, List<Artifact> artifacts) implements KilnEvent {
        public BuildEnded {
            artifacts = List.copyOf(artifacts);
        }
    }

    /** A provider confirmed (or did not) what packer reported. */
    record ArtifactVerified(Instant at, String runId, String jobId, List<String> verified, List<String> problems)
            implements KilnEvent {
        public ArtifactVerified {
            verified = List.copyOf(verified);
            problems = List.copyOf(problems);
        }
    }

    /** What a sweep after a failed or cancelled build removed. */
    record Swept(Instant at, String runId, String jobId, String buildId, List<String> deleted, List<String> failed)
            implements KilnEvent {
        public Swept {
            deleted = List.copyOf(deleted);
            failed = List.copyOf(failed);
        }
    }

    /** A throttle was seen (SDK error, packer output, simulated provider). */
    record ThrottleObserved(Instant at, String runId, String limit, String source) implements KilnEvent {
    }

    /**
     * The API calls one build attempt's packer made through Kiln's network (the gate), by API class
     * of its target's provider, next to what the cost model predicted; sent when the attempt ends.
     * Calls to the provider's API hosts that are of no limited class are counted under {@code ""}.
     */
    record ApiCallsMetered(Instant at, String runId, String jobId, int attempt, String target,
                           Map<String, ApiUse> byApi) implements KilnEvent {
        public ApiCallsMetered {
            byApi = Map.copyOf(byApi);
        }
    }

    /**
     * Kiln's network could not carry a call of a build: an unknown host, a proxy that refused it, a
     * certificate rejected. The message names the host and what to do.
     */
    record NetworkProblem(Instant at, String runId, String jobId, int attempt, String host, String message)
            implements KilnEvent {
    }

    /** A limit's refill rate changed (adaptive decrease or recovery). */
    record RateAdjusted(Instant at, String runId, String limit, double fromPerSecond, double toPerSecond)
            implements KilnEvent {
    }

    /** Periodic sample of a limit's level, for the report's budget plot. */
    record BudgetSample(Instant at, String runId, String limit, double available, double capacity,
                        double reservedRatePerSecond, double ratePerSecond) implements KilnEvent {
    }

    /** A target's quotas as probed in preflight. */
    record QuotaProbed(Instant at, String runId, String target, Map<String, Quota> quotas)
            implements KilnEvent {
        public QuotaProbed {
            quotas = Map.copyOf(quotas);
        }
    }

    /**
     * What the run expects once preflight is done, from a simulation of the builds it let through
     * ({@link dev.kiln.Scheduling#forecast()}): the makespan, and when each build should start, in
     * milliseconds after the run started. Reports show it beside what happened.
     */
    record RunForecast(Instant at, String runId, long makespanMillis, Map<String, Long> startMillis)
            implements KilnEvent {
        public RunForecast {
            startMillis = Collections.unmodifiableMap(new LinkedHashMap<>(startMillis));
        }
    }

    /** Preflight refused a job or the whole run. */
    record Refused(Instant at, String runId, String subject, String kind, String message) implements KilnEvent {
    }

    /** The run is over; counts by final state. */
    record RunFinished(Instant at, String runId, Map<JobState, Integer> counts, long elapsedMillis)
            implements KilnEvent {
        public RunFinished {
            counts = Map.copyOf(counts);
        }
    }
}
