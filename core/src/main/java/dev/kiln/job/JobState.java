package dev.kiln.job;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a build is in its life. The allowed moves are one table, {@link #successors()}; anything
 * else is an {@link IllegalTransitionException} naming both ends.
 *
 * <pre>
 * PLANNED -&gt; QUEUED -&gt; PREFLIGHT -&gt; WAITING -&gt; RUNNING -&gt; SUCCEEDED
 *                                      ^          |
 *                                      |          v
 *                                 RETRY_WAIT &lt;- SWEEPING -&gt; FAILED | CANCELLED
 * </pre>
 * Any state that is not terminal may also move to CANCELLED (from RUNNING only through SWEEPING,
 * so what a cancelled build created is cleaned up), and QUEUED, PREFLIGHT and WAITING may move to
 * FAILED (refused in preflight, or a dependency failed). WAITING may end SUCCEEDED without running
 * here: another node of a shared run built it, or an identical build of another run was reused.
 */
public enum JobState {
    /** In a plan, not yet submitted to a run. */
    PLANNED,
    /** Submitted to a run. */
    QUEUED,
    /** Being checked: template, plugins, quotas, name reservation. */
    PREFLIGHT,
    /** Ready except for its dependencies, quota, API budget or a host slot. */
    WAITING,
    /** packer is running. */
    RUNNING,
    /** A failed or cancelled build's resources are being removed. */
    SWEEPING,
    /** Waiting out the backoff before the next attempt. */
    RETRY_WAIT,
    /** Done; its artifacts are verified. */
    SUCCEEDED,
    /** Done without an image; the outcome says why. */
    FAILED,
    /** Stopped on request, or because a dependency did not succeed. */
    CANCELLED;

    private static final Map<JobState, Set<JobState>> TRANSITIONS = new EnumMap<>(JobState.class);

    static {
        allow(PLANNED, QUEUED, CANCELLED);
        allow(QUEUED, PREFLIGHT, FAILED, CANCELLED);
        allow(PREFLIGHT, WAITING, FAILED, CANCELLED);
        allow(WAITING, RUNNING, SUCCEEDED, FAILED, CANCELLED);
        allow(RUNNING, SUCCEEDED, SWEEPING);
        allow(SWEEPING, RETRY_WAIT, FAILED, CANCELLED);
        allow(RETRY_WAIT, WAITING, CANCELLED);
        allow(SUCCEEDED);
        allow(FAILED);
        allow(CANCELLED);
    }

    private static void allow(JobState from, JobState... to) {
        Set<JobState> set = EnumSet.noneOf(JobState.class);
        set.addAll(List.of(to));
        TRANSITIONS.put(from, Collections.unmodifiableSet(set));
    }

    /** The states this one may move to. */
    public Set<JobState> successors() {
        return TRANSITIONS.get(this);
    }

    public boolean canMoveTo(JobState next) {
        return successors().contains(next);
    }

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** Throws unless {@code from -> to} is in the table. */
    public static void checkTransition(String jobId, JobState from, JobState to) {
        if (!from.canMoveTo(to)) {
            throw new IllegalTransitionException(jobId, from, to);
        }
    }
}
