package dev.kiln.job;

import dev.kiln.KilnException;

/** A job was asked to move between two states the lifecycle table does not connect. */
public final class IllegalTransitionException extends KilnException {

    private static final long serialVersionUID = 1L;

    private final String jobId;
    private final JobState from;
    private final JobState to;

    public IllegalTransitionException(String jobId, JobState from, JobState to) {
        super("job " + jobId + " cannot move from " + from + " to " + to + "; from " + from
                + " it may move to " + (from.successors().isEmpty() ? "nothing (it is terminal)" : from.successors()),
                Context.ofJob(jobId));
        this.jobId = jobId;
        this.from = from;
        this.to = to;
    }

    public String jobId() {
        return jobId;
    }

    public JobState from() {
        return from;
    }

    public JobState to() {
        return to;
    }
}
