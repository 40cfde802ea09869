package dev.kiln;

import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.job.StateChange;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How one build of a run ended, and how it got there.
 *
 * @param job        the build
 * @param state      its terminal state
 * @param attempts   attempts made
 * @param failure    why it failed, for FAILED (and CANCELLED after a failure); null otherwise
 * @param message    the last failure or refusal in words; empty on success
 * @param artifacts  what packer reported
 * @param verified   image ids the provider confirmed
 * @param history    every state it entered, with times
 * @param diagnosis  the provider's explanation of a failure, when it had one
 * @param waited     total time waiting for limits, quota or slots
 * @param ran        total time packer ran, over all attempts
 * @param swept      resources removed after failed attempts
 */
public record JobResult(BuildJob job, JobState state, int attempts, FailureClass failure, String message,
                        List<Artifact> artifacts, List<String> verified, List<StateChange> history,
                        Optional<String> diagnosis, Duration waited, Duration ran, List<String> swept) {

    public JobResult {
        artifacts = List.copyOf(artifacts);
        verified = List.copyOf(verified);
        history = List.copyOf(history);
        swept = List.copyOf(swept);
        message = message == null ? "" : message;
    }

    public boolean succeeded() {
        return state == JobState.SUCCEEDED;
    }
}
