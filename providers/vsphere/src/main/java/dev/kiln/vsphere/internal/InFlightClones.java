package dev.kiln.vsphere.internal;

import dev.kiln.plan.Target;
import dev.kiln.time.TimeSource;
import dev.kiln.vsphere.VsphereException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a sweep waits for before it looks: the clone and create tasks vCenter has queued or
 * running. A build that failed while waiting for its clone (packer's wait for the task got an
 * error; packer 1.6.6 does not cancel the task) leaves a task that makes the build's VM later, and
 * a sweep that looked before would not see it. Which of those tasks is the build's cannot be told
 * while they run ({@code TaskInfo} names the clone's source, not the new VM's notes), so the sweep
 * waits for every clone or create task in {@code TaskManager.recentTask} that is not ended when it
 * starts (a task queued later cannot be the dead build's), up to {@link #LIMIT}, on the run's
 * clock; what they made is then found by its notes like the rest. A task still running at the
 * limit is returned as a line for the sweep's report (which makes Kiln sweep again later) and
 * logged, never dropped.
 */
final class InFlightClones {

    /** The {@code TaskInfo.descriptionId}s of the tasks that make a VM a build could leave. */
    static final Set<String> MAKERS = Set.of("VirtualMachine.clone", "VirtualMachine.instantClone",
            "Folder.createVm");
    /** How long a sweep waits for them at most. */
    static final Duration LIMIT = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(InFlightClones.class);
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(15);

    private final Vcenters vcenters;

    InFlightClones(Vcenters vcenters) {
        this.vcenters = vcenters;
    }

    /**
     * Waits until every clone or create task queued or running on the target's vCenter now has
     * ended, or {@link #LIMIT} passed; the tasks still not ended then, each said for the report of
     * the sweep of {@code buildId}.
     */
    List<String> await(Target target, String buildId) {
        Map<String, VimClient.Task> waiting = new LinkedHashMap<>();
        for (VimClient.Task t : vcenters.recentTasks(target)) {
            if (MAKERS.contains(t.descriptionId()) && !t.ended()) {
                waiting.put(t.id(), t);
            }
        }
        if (waiting.isEmpty()) {
            return List.of();
        }
        LOG.info("sweep of build {} waits up to {} min for {} clone/create task(s) on vCenter {} to end, as one may"
                + " make a VM of the build: {}", buildId, LIMIT.toMinutes(), waiting.size(), vcenters.base(target),
                describe(waiting));
        TimeSource clock = vcenters.time();
        long deadline = clock.nanoTime() + LIMIT.toNanos();
        Duration pause = FIRST_PAUSE;
        while (true) {
            long left = deadline - clock.nanoTime();
            if (left <= 0) {
                break;
            }
            pause(target, pause.compareTo(Duration.ofNanos(left)) > 0 ? Duration.ofNanos(left) : pause);
            Map<String, VimClient.Task> recent = new LinkedHashMap<>();
            vcenters.recentTasks(target).forEach(t -> recent.put(t.id(), t));
            for (String id : List.copyOf(waiting.keySet())) {
                // Not listed: pushed out of the list's last 200, or forgotten once ended; ask it alone.
                VimClient.Task now = recent.containsKey(id) ? recent.get(id) : vcenters.task(target, id).orElse(null);
                if (now == null || now.ended()) {
                    waiting.remove(id);
                    LOG.debug("task {} ({}) ended {}{}", id, now == null ? "gone" : now.descriptionId(),
                            now == null ? "" : now.state(), now == null || now.result() == null ? ""
                                    : ", made " + now.result());
                } else {
                    waiting.put(id, now);
                }
            }
            if (waiting.isEmpty()) {
                return List.of();
            }
            pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        }
        List<String> out = new ArrayList<>();
        waiting.values().forEach(t -> out.add(outlived(t, buildId)));
        LOG.warn("sweep of build {} on vCenter {}: {}", buildId, vcenters.base(target), out);
        return out;
    }

    /** What the report says of a task that outlived the wait. */
    static String outlived(VimClient.Task t, String buildId) {
        return "Task/" + t.id() + " (" + t.descriptionId() + (t.entityName() == null ? "" : " of '" + t.entityName()
                + "'") + ", queued " + t.queueTime() + "): still " + t.state() + " after " + LIMIT.toMinutes()
                + " minutes, so a VM it may make for build " + buildId + " is not swept yet; the next sweep of the"
                + " build, or the expiry sweep once its kiln-expires-at passed, takes it";
    }

    private static String describe(Map<String, VimClient.Task> tasks) {
        return tasks.values().stream().map(t -> t.id() + " " + t.descriptionId() + " " + t.state() + " since "
                + t.queueTime()).collect(Collectors.joining(", "));
    }

    private void pause(Target target, Duration d) {
        try {
            vcenters.time().sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VsphereException(vcenters.base(target), "wait", 0, null, "interrupted while the sweep waited"
                    + " for clone tasks on vCenter " + vcenters.base(target), e);
        }
    }
}
