package dev.kiln.internal.run;

import dev.kiln.job.JobState;
import dev.kiln.plan.JobId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Jobs waiting to start, kept so that one admission pass costs the number of job groups, not the
 * number of waiting jobs. Jobs that charge the same set of limits and quotas form a group, ordered
 * by priority, then longest expected build, then plan order; when a group's first job cannot start,
 * no later job of the group can overtake it, so the pass moves on to the next group. Jobs whose
 * dependencies have not succeeded are parked outside the groups until they do.
 */
final class WaitingQueue {

    static final Comparator<JobRun> ORDER = Comparator
            .comparingInt((JobRun j) -> -j.job().priority())
            .thenComparingLong(j -> -j.expectedNanos())
            .thenComparingInt(JobRun::index);

    private static final Comparator<Group> BY_HEAD = (a, b) -> {
        int c = ORDER.compare(a.jobs.first(), b.jobs.first());
        return c != 0 ? c : Integer.compare(a.id, b.id);
    };

    private final Map<JobId, JobRun> all;
    private final Map<JobId, List<JobRun>> dependents = new HashMap<>();
    private final Map<Set<String>, Group> groups = new HashMap<>();
    /**
     * The same groups by the instance of their keys: preflight gives every job of a target one
     * set, and hashing its 40 keys at each enqueue and start was a tenth of a big plan's prediction.
     */
    private final Map<Set<String>, Group> byInstance = new IdentityHashMap<>();
    private final TreeSet<Group> ordered = new TreeSet<>(BY_HEAD);
    private final Map<JobRun, Integer> parked = new HashMap<>();
    private int size;

    WaitingQueue(Map<JobId, JobRun> all) {
        this.all = all;
        for (JobRun j : all.values()) {
            for (JobId dep : j.job().dependsOn()) {
                dependents.computeIfAbsent(dep, d -> new ArrayList<>()).add(j);
            }
        }
    }

    /** A group of jobs charging the same limits and quotas. */
    static final class Group {
        final int id;
        final Set<String> keys;
        final TreeSet<JobRun> jobs = new TreeSet<>(ORDER);

        Group(int id, Set<String> keys) {
            this.id = id;
            this.keys = keys;
        }

        JobRun head() {
            return jobs.first();
        }
    }

    /**
     * Adds a job that is ready but for its dependencies.
     *
     * @return null when queued or parked; otherwise the dependency that ended without success
     */
    JobId add(JobRun j) {
        int pending = 0;
        for (JobId dep : j.job().dependsOn()) {
            JobState s = all.get(dep).state();
            if (s == JobState.SUCCEEDED) {
                continue;
            }
            if (s.isTerminal()) {
                return dep;
            }
            pending++;
        }
        size++;
        if (pending > 0) {
            parked.put(j, pending);
            j.waitFor("waiting for dependencies");
        } else {
            enqueue(j);
        }
        return null;
    }

    private void enqueue(JobRun j) {
        Group g = group(j.keys(), true);
        if (!g.jobs.isEmpty()) {
            ordered.remove(g);
        }
        g.jobs.add(j);
        ordered.add(g);
    }

    private Group group(Set<String> keys, boolean create) {
        Group g = byInstance.get(keys);
        if (g == null) {
            g = create ? groups.computeIfAbsent(keys, k -> new Group(groups.size(), k)) : groups.get(keys);
            if (g != null) {
                byInstance.put(keys, g);
            }
        }
        return g;
    }

    /** Removes a job (started or cancelled). */
    void remove(JobRun j) {
        if (parked.remove(j) != null) {
            size--;
            return;
        }
        Group g = group(j.keys(), false);
        if (g == null || !g.jobs.contains(j)) {
            return;
        }
        ordered.remove(g);
        g.jobs.remove(j);
        size--;
        if (!g.jobs.isEmpty()) {
            ordered.add(g);
        }
    }

    /**
     * A job ended: its parked dependents move on if it succeeded.
     *
     * @return the waiting dependents that can now never start (it did not succeed)
     */
    List<JobRun> ended(JobRun j) {
        List<JobRun> doomed = new ArrayList<>();
        for (JobRun d : dependents.getOrDefault(j.job().id(), List.of())) {
            Integer pending = parked.get(d);
            if (pending == null) {
                continue;
            }
            if (j.state() != JobState.SUCCEEDED) {
                doomed.add(d);
            } else if (pending == 1) {
                parked.remove(d);
                d.waitFor("");
                enqueue(d);
            } else {
                parked.put(d, pending - 1);
            }
        }
        return doomed;
    }

    /** The group after {@code g} in the order of their first jobs, or null; {@code g} may have left the queue. */
    Group groupAfter(Group g) {
        return ordered.higher(g);
    }

    /** The group whose first job comes first, or null when no group waits. */
    Group firstGroup() {
        return ordered.isEmpty() ? null : ordered.first();
    }

    /** Every waiting job, parked or not. */
    List<JobRun> jobs() {
        List<JobRun> out = new ArrayList<>(parked.keySet());
        for (Group g : ordered) {
            out.addAll(g.jobs);
        }
        return out;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }
}
