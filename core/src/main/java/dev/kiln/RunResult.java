package dev.kiln;

import dev.kiln.job.JobState;
import dev.kiln.spi.Refusal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A finished run: every job in a terminal state, what preflight refused, and where the run's
 * files are.
 *
 * @param runId        the run
 * @param plan         the plan's name
 * @param runDirectory events, logs, workspaces and reports
 * @param startedAt    when the run started
 * @param finishedAt   when the last job ended
 * @param jobs         one result per job, in plan order
 * @param refusals     what preflight refused
 * @param throttles    throttles observed during the run (should be zero)
 * @param interrupted  true when the run was cancelled
 */
public record RunResult(String runId, String plan, Path runDirectory, Instant startedAt, Instant finishedAt,
                        List<JobResult> jobs, List<Refusal> refusals, long throttles, boolean interrupted) {

    public RunResult {
        jobs = List.copyOf(jobs);
        refusals = List.copyOf(refusals);
    }

    public Duration elapsed() {
        return Duration.between(startedAt, finishedAt);
    }

    public boolean allSucceeded() {
        return !jobs.isEmpty() && jobs.stream().allMatch(JobResult::succeeded);
    }

    /** Jobs per terminal state. */
    public Map<JobState, Integer> counts() {
        Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
        for (JobResult j : jobs) {
            counts.merge(j.state(), 1, Integer::sum);
        }
        return counts;
    }
}
