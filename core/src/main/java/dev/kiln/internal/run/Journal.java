package dev.kiln.internal.run;

import dev.kiln.KilnException;
import dev.kiln.event.KilnEvent;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.job.StateChange;
import dev.kiln.packer.Artifact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run's {@code events.jsonl} says happened, read back to resume the run after a crash: the
 * plan's origin, and for every job its last state, attempts, history and results.
 *
 * @param runId         the run
 * @param planFile      the plan file, or null for a plan built in code
 * @param planCreatedAt the time the plan's names were rendered with
 * @param gitSha        the commit they were rendered with
 * @param jobs          by job id
 */
public record Journal(String runId, Path planFile, Instant planCreatedAt, String gitSha, Map<String, Job> jobs) {

    /** States a crash can interrupt a build in: what it created may still exist. */
    private static final Set<JobState> IN_FLIGHT = Set.of(JobState.RUNNING, JobState.SWEEPING);

    /**
     * One job as the journal left it.
     *
     * @param last      its last state
     * @param attempts  attempts started
     * @param history   every state it entered
     * @param verified  images verified (when it succeeded)
     * @param artifacts what packer reported last
     * @param failure   its classified failure, if any
     * @param message   its last failure or refusal message
     * @param swept     what sweeps removed
     * @param pid       the packer process of its last attempt, or -1
     * @param waited    time waiting
     * @param ran       time running
     */
    public record Job(JobState last, int attempts, List<StateChange> history, List<String> verified,
                      List<Artifact> artifacts, FailureClass failure, String message, List<String> swept, long pid,
                      Duration waited, Duration ran) {

        /** Whether the crash caught a build under way: it must be swept and run again. */
        public boolean interrupted() {
            return IN_FLIGHT.contains(last);
        }
    }

    /** Reads the journal of the run in {@code runDirectory}. */
    public static Journal read(Path runDirectory) {
        Path file = runDirectory.resolve("events.jsonl");
        if (!Files.isRegularFile(file)) {
            throw new KilnException("cannot resume " + runDirectory + ": it holds no events.jsonl; give the run"
                    + " directory of a run Kiln started (kiln-runs/<run id>)");
        }
        String runId = null;
        Path planFile = null;
        Instant createdAt = null;
        String gitSha = null;
        Map<String, Builder> jobs = new LinkedHashMap<>();
        for (KilnEvent e : EventLogReader.read(file)) {
            if (runId == null) {
                runId = e.runId();
            }
            if (e instanceof KilnEvent.PlanOrigin o) {
                planFile = o.planFile() == null ? null : Path.of(o.planFile());
                createdAt = o.planCreatedAt();
                gitSha = o.gitSha();
            } else if (e instanceof KilnEvent.JobStateChanged c) {
                Builder b = jobs.computeIfAbsent(c.jobId(), k -> new Builder());
                b.history.add(new StateChange(c.to(), c.at(), c.reason()));
                b.account(c.from(), c.to(), c.at());
                b.last = c.to();
                b.attempts = Math.max(b.attempts, c.attempt());
                if (c.to() == JobState.FAILED && b.message.isEmpty()) {
                    b.message = c.reason();
                }
            } else if (e instanceof KilnEvent.BuildEnded ended) {
                Builder b = jobs.computeIfAbsent(ended.jobId(), k -> new Builder());
                b.artifacts = ended.artifacts();
                if (!ended.succeeded()) {
                    b.failure = ended.failure();
                    b.message = ended.message() == null ? "" : ended.message();
                }
            } else if (e instanceof KilnEvent.ArtifactVerified v) {
                jobs.computeIfAbsent(v.jobId(), k -> new Builder()).verified = v.verified();
            } else if (e instanceof KilnEvent.Swept s) {
                jobs.computeIfAbsent(s.jobId(), k -> new Builder()).swept.addAll(s.deleted());
            } else if (e instanceof KilnEvent.BuildProcess p) {
                jobs.computeIfAbsent(p.jobId(), k -> new Builder()).pid = p.pid();
            }
        }
        if (runId == null) {
            throw new KilnException("cannot resume " + runDirectory + ": its events.jsonl is empty");
        }
        Map<String, Job> out = new LinkedHashMap<>();
        jobs.forEach((id, b) -> out.put(id, b.build()));
        return new Journal(runId, planFile, createdAt, gitSha, out);
    }

    private static final class Builder {
        JobState last = JobState.PLANNED;
        int attempts;
        final List<StateChange> history = new ArrayList<>();
        List<String> verified = List.of();
        List<Artifact> artifacts = List.of();
        FailureClass failure;
        String message = "";
        final List<String> swept = new ArrayList<>();
        long pid = -1;
        Instant waitingSince;
        Instant runningSince;
        Duration waited = Duration.ZERO;
        Duration ran = Duration.ZERO;

        void account(JobState from, JobState to, Instant at) {
            if (from == JobState.WAITING && waitingSince != null) {
                waited = waited.plus(Duration.between(waitingSince, at));
                waitingSince = null;
            }
            if (from == JobState.RUNNING && runningSince != null) {
                ran = ran.plus(Duration.between(runningSince, at));
                runningSince = null;
            }
            if (to == JobState.WAITING) {
                waitingSince = at;
            } else if (to == JobState.RUNNING) {
                runningSince = at;
            }
        }

        Job build() {
            return new Job(last, attempts, List.copyOf(history), List.copyOf(verified), List.copyOf(artifacts), failure,
                    message, List.copyOf(swept), pid, waited, ran);
        }
    }
}
