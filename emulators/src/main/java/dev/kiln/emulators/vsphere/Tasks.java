package dev.kiln.emulators.vsphere;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * vim25 tasks: what {@code *_Task} methods answer at once, and what completes later. A task is
 * queued until its start, running until its end, then its work runs (under the inventory's lock,
 * at the first look at the inventory after its end, whoever looks) and it ends in success with the
 * work's result, or in error with its fault. A provisioning task's start is its slot under the
 * host and datastore cost limits, so a clone over the limit shows {@code queued} as on vCenter.
 * Called under the inventory's lock.
 */
final class Tasks {

    /** What a task does when it ends: its result (null for none), or a {@link VimFault} thrown. */
    @FunctionalInterface
    interface Work {
        Node run();
    }

    static final class Task {
        final String id;
        final String method;
        final MoRef entity;
        final String entityName;
        final String user;
        final long queuedNanos;
        final long startNanos;
        final long endNanos;
        final Instant queueTime;
        private final Work work;
        private final Runnable onCancel;
        boolean done;
        /** When it ended: its end, or when it was cancelled. */
        long doneNanos;
        Node result;
        VimFault error;

        Task(String id, String method, MoRef entity, String entityName, String user, long queuedNanos, long startNanos,
                long endNanos, Instant queueTime, Work work, Runnable onCancel) {
            this.id = id;
            this.method = method;
            this.entity = entity;
            this.entityName = entityName;
            this.user = user;
            this.queuedNanos = queuedNanos;
            this.startNanos = startNanos;
            this.endNanos = endNanos;
            this.queueTime = queueTime;
            this.work = work;
            this.onCancel = onCancel;
        }

        MoRef ref() {
            return new MoRef("Task", id);
        }
    }

    private static final int KEPT = 5000;
    /** How many tasks {@code TaskManager.recentTask} lists at most, as vCenter's. */
    private static final int RECENT_MAX = 200;
    /** How long an ended task stays in {@code recentTask}, as on vCenter. */
    private static final long RECENT_NANOS = 10L * 60 * 1_000_000_000L;

    /** The vmodl name of each task method, for {@code TaskInfo.descriptionId} ({@code VirtualMachine.clone}). */
    private static final Map<String, String> VMODL = Map.ofEntries(
            Map.entry("CloneVM_Task", "vim.VirtualMachine.clone"), Map.entry("CreateVM_Task", "vim.Folder.createVm"),
            Map.entry("ReconfigVM_Task", "vim.VirtualMachine.reconfigure"),
            Map.entry("PowerOnVM_Task", "vim.VirtualMachine.powerOn"),
            Map.entry("PowerOffVM_Task", "vim.VirtualMachine.powerOff"),
            Map.entry("CreateSnapshot_Task", "vim.VirtualMachine.createSnapshot"),
            Map.entry("Destroy_Task", "vim.ManagedEntity.destroy"),
            Map.entry("DeleteDatastoreFile_Task", "vim.FileManager.deleteFile"),
            Map.entry("SearchDatastore_Task", "vim.host.DatastoreBrowser.search"));

    private final Inventory inv;
    private final Map<String, Task> tasks = new LinkedHashMap<>();

    Tasks(Inventory inv) {
        this.inv = inv;
    }

    /** A task that runs from {@code startNanos} to {@code endNanos}; one that is due completes now. */
    Task submit(String method, MoRef entity, String entityName, String user, long startNanos, long endNanos, Work work,
            Runnable onCancel) {
        long now = inv.time.nanoTime();
        Task t = new Task(inv.nextId("task-"), method, entity, entityName, user, now, Math.max(now, startNanos),
                Math.max(now, endNanos), inv.time.now(), work, onCancel);
        tasks.put(t.id, t);
        trim();
        if (t.endNanos <= now) {
            complete(t);
        }
        return t;
    }

    /** A task that ends at once with {@code work}'s result. */
    Task now(String method, MoRef entity, String entityName, String user, Work work) {
        long now = inv.time.nanoTime();
        return submit(method, entity, entityName, user, now, now, work, null);
    }

    Task get(String id) {
        return tasks.get(id);
    }

    /** Completes every task whose end has come, in the order they end. */
    void advance() {
        long now = inv.time.nanoTime();
        List<Task> due = new ArrayList<>();
        for (Task t : tasks.values()) {
            if (!t.done && t.endNanos <= now) {
                due.add(t);
            }
        }
        due.sort(Comparator.comparingLong(t -> t.endNanos));
        due.forEach(this::complete);
    }

    private void complete(Task t) {
        t.done = true;
        t.doneNanos = t.endNanos;
        try {
            t.result = t.work.run();
        } catch (VimFault f) {
            t.error = f;
        }
    }

    /** Cancels a task that has not started; a running one cannot be cancelled here, as most of vCenter's. */
    void cancel(Task t) {
        if (t.done || inv.time.nanoTime() >= t.startNanos) {
            throw new VimFault("InvalidState", "The task " + t.id + " can no longer be cancelled.");
        }
        t.done = true;
        t.doneNanos = inv.time.nanoTime();
        t.error = new VimFault("RequestCanceled", "The task was canceled by a user.");
        if (t.onCancel != null) {
            t.onCancel.run();
        }
    }

    String state(Task t) {
        if (t.done) {
            return t.error == null ? "success" : "error";
        }
        return inv.time.nanoTime() < t.startNanos ? "queued" : "running";
    }

    /** When the task's state next changes, in nanos; {@link Long#MAX_VALUE} once it is done. */
    long nextChange(Task t) {
        if (t.done) {
            return Long.MAX_VALUE;
        }
        long now = inv.time.nanoTime();
        return now < t.startNanos ? t.startNanos : t.endNanos;
    }

    /** The task's {@code TaskInfo}. */
    Node info(Task t, String name) {
        String state = state(t);
        Node info = Node.object(name, "TaskInfo");
        info.add("key", t.id);
        info.addRef("task", t.ref());
        // The WSDL method name: pyvmomi reads it back as the method, by that name.
        info.add("name", t.method);
        info.add("descriptionId", VMODL.getOrDefault(t.method, "vim.ManagedEntity." + t.method)
                .substring("vim.".length()));
        if (t.entity != null) {
            info.addRef("entity", t.entity);
            info.add("entityName", t.entityName);
        }
        info.add("state", state);
        info.add("cancelled", t.error != null && "RequestCanceled".equals(t.error.faultType));
        info.add("cancelable", !t.done && inv.time.nanoTime() < t.startNanos);
        if (t.error != null) {
            Node error = new Node("error");
            error.add(t.error.asNode("fault"));
            error.add("localizedMessage", t.error.getMessage());
            info.add(error);
        }
        if (t.result != null) {
            Node result = t.result.copy();
            result.name = "result";
            info.add(result);
        }
        if ("running".equals(state)) {
            long total = Math.max(1, t.endNanos - t.startNanos);
            info.add("progress", Math.min(99, (inv.time.nanoTime() - t.startNanos) * 100 / total));
        }
        info.add(Node.object("reason", "TaskReasonUser").add("userName", t.user == null ? "" : t.user));
        info.add("queueTime", t.queueTime);
        if (!"queued".equals(state) && (!t.done || t.doneNanos >= t.startNanos)) {
            info.add("startTime", t.queueTime.plusNanos(t.startNanos - t.queuedNanos));
        }
        if (t.done) {
            info.add("completeTime", t.queueTime.plusNanos(t.doneNanos - t.queuedNanos));
        }
        info.add("eventChainId", Math.abs(t.id.hashCode() % 100000));
        return info;
    }

    /**
     * {@code TaskManager.recentTask}: the tasks queued or running and those that ended in the last
     * ten minutes, oldest first; of more than {@value #RECENT_MAX}, the newest, as vCenter lists them.
     */
    List<Task> recent() {
        long now = inv.time.nanoTime();
        List<Task> out = new ArrayList<>();
        for (Task t : tasks.values()) {
            if (!t.done || now - t.doneNanos < RECENT_NANOS) {
                out.add(t);
            }
        }
        return out.size() > RECENT_MAX ? out.subList(out.size() - RECENT_MAX, out.size()) : out;
    }

    void clear() {
        tasks.clear();
    }

    /** Forgets the oldest finished tasks beyond {@value #KEPT}, as vCenter forgets old tasks. */
    private void trim() {
        if (tasks.size() <= KEPT) {
            return;
        }
        for (Iterator<Task> it = tasks.values().iterator(); it.hasNext() && tasks.size() > KEPT;) {
            if (it.next().done) {
                it.remove();
            }
        }
    }
}
