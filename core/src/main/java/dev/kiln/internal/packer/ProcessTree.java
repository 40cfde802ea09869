package dev.kiln.internal.packer;

import dev.kiln.time.TimeSource;
import dev.kiln.time.Wakeup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A process and everything it started. packer runs as a wrapper process that starts the real
 * packer, which starts one process per plugin, which start provisioner scripts; a Ctrl-C in a
 * terminal reaches all of them, and killing only the top one would leave the rest running.
 *
 * <p>Where {@code setsid} exists (util-linux, on every Linux), the process is started as the
 * leader of a session and process group of its own, and everything it starts stays in that group
 * however it is orphaned: a script that backgrounds a child ({@code (cmd &)}) or a plugin whose
 * parent was killed is no descendant of anything any more, but still a member of the group, which
 * the kernel lists in {@code /proc}. The group is what is signalled and what is waited for. Only a
 * process that leaves the session itself ({@code setsid} again) escapes it; the descendants seen
 * while it ran are still killed as a second net.
 */
final class ProcessTree {

    private static final Path SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid").map(Path::of)
            .filter(Files::isExecutable).findFirst().orElse(null);
    private static final Path PROC = Path.of("/proc");

    private final ProcessHandle root;
    /** The process group every process of the tree is in, or -1 when it could not be made. */
    private final long group;
    /** Every process of the tree seen so far, by pid, with its start time in ticks (-1 until read). */
    private final Map<Long, Seen> seen = new LinkedHashMap<>();

    private record Seen(ProcessHandle handle, long start) {
    }

    private ProcessTree(ProcessHandle root, boolean grouped) {
        this.root = root;
        this.group = grouped ? root.pid() : -1;
    }

    /** {@code argv} made to start a process group of its own, when this system can. */
    static List<String> inOwnGroup(List<String> argv) {
        if (SETSID == null || !Files.isDirectory(PROC)) {
            return argv;
        }
        List<String> wrapped = new ArrayList<>(argv.size() + 1);
        wrapped.add(SETSID.toString());
        wrapped.addAll(argv);
        return wrapped;
    }

    /** The tree of {@code process}, started from {@code argv} as {@link #inOwnGroup} made it. */
    static ProcessTree of(Process process, List<String> argv) {
        // setsid execs its command in place (a child of the JVM is no group leader, so it need not
        // fork): the process is the group's leader and its pid the group's id.
        boolean grouped = SETSID != null && !argv.isEmpty() && argv.get(0).equals(SETSID.toString());
        return new ProcessTree(process.toHandle(), grouped);
    }

    /**
     * The processes of the tree alive now, recorded so they can still be found once their parent is
     * gone: the root, everything it and every process seen before started, and the group's members.
     */
    synchronized List<ProcessHandle> snapshot() {
        ProcTable table = ProcTable.read();
        return table == null ? withoutTable() : from(table);
    }

    /**
     * The tree as one reading of {@code /proc} shows it: no process's file is read twice. A zombie
     * the tree started counts until it is reaped, as {@link ProcessHandle#isAlive} counts it; one
     * in the group only waits for a parent outside the tree, and does not.
     */
    private List<ProcessHandle> from(ProcTable table) {
        Map<Long, ProcTable.Entry> alive = new LinkedHashMap<>();
        ProcTable.Entry rootEntry = table.get(root.pid());
        if (rootEntry != null && root.isAlive()) {
            seen.put(root.pid(), new Seen(root, rootEntry.start()));
        }
        for (Seen s : List.copyOf(seen.values())) {
            ProcTable.Entry e = table.get(s.handle().pid());
            if (e != null && (s.start() < 0 || s.start() == e.start())) {
                alive.put(e.pid(), e);
                table.descendants(e.pid()).forEach(d -> alive.putIfAbsent(d.pid(), d));
            }
        }
        if (group > 0) {
            table.group(group).forEach(m -> alive.putIfAbsent(m.pid(), m));
        }
        List<ProcessHandle> handles = new ArrayList<>();
        for (ProcTable.Entry e : alive.values()) {
            Seen known = seen.get(e.pid());
            if (known != null && (known.start() == e.start() || known.start() < 0)) {
                seen.put(e.pid(), new Seen(known.handle(), e.start()));
                handles.add(known.handle());
            } else {
                ProcessHandle.of(e.pid()).ifPresent(h -> {
                    seen.put(e.pid(), new Seen(h, e.start()));
                    handles.add(h);
                });
            }
        }
        return handles;
    }

    /** The tree through {@link ProcessHandle} alone, where {@code /proc} cannot be read. */
    private List<ProcessHandle> withoutTable() {
        List<ProcessHandle> now = new ArrayList<>();
        now.add(root);
        root.descendants().forEach(now::add);
        for (Seen s : List.copyOf(seen.values())) {
            if (s.handle().isAlive()) {
                now.add(s.handle());
                s.handle().descendants().forEach(now::add);
            }
        }
        List<ProcessHandle> alive = now.stream().filter(ProcessHandle::isAlive).distinct().toList();
        alive.forEach(h -> seen.putIfAbsent(h.pid(), new Seen(h, -1)));
        return alive;
    }

    private long lastSnapshot;
    private boolean snapshotted;

    /** Whether the tree has a process group of its own, where everything it starts stays unless it leaves. */
    boolean grouped() {
        return group > 0;
    }

    /** {@link #snapshot()} unless one was taken less than {@code gapNanos} before {@code nowNanos}. */
    synchronized void snapshotIfOlderThan(long nowNanos, long gapNanos) {
        if (!snapshotted || nowNanos - lastSnapshot >= gapNanos) {
            snapshot();
            snapshotted = true;
            lastSnapshot = nowNanos;
        }
    }

    /**
     * Sends SIGINT to every process of the tree, as Ctrl-C does. packer's wrapper process ignores
     * SIGINT sent to it alone (it expects the terminal to signal the whole process group), so the
     * signal must reach the real packer too. Falls back to SIGTERM on the wrapper, which it
     * forwards, where {@code kill} cannot be run.
     */
    void interrupt(Duration commandTimeout) {
        List<ProcessHandle> targets = snapshot();
        if (targets.isEmpty()) {
            return;
        }
        List<String> argv = new ArrayList<>();
        argv.add("kill");
        argv.add("-INT");
        if (group > 0) {
            // the whole group, as a terminal signals its foreground group: members not yet seen too
            argv.add("--");
            argv.add("-" + group);
        }
        targets.forEach(h -> argv.add(Long.toString(h.pid())));
        try {
            Process kill = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(commandTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill.destroyForcibly();
                root.destroy();
            }
        } catch (IOException e) {
            root.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            root.destroy();
        }
    }

    /**
     * Kills every process of the tree, children first seen before their parents die, and again any
     * that a process started in the meantime. In a group, every member alive is killed, so a fork
     * during one pass is found by the next, and the passes end when no member is new: those killed
     * may still be dying, which {@link #awaitGone} waits for.
     */
    void kill() {
        Set<ProcessHandle> killed = new LinkedHashSet<>();
        while (true) {
            List<ProcessHandle> alive = snapshot().stream().filter(h -> !killed.contains(h)).toList();
            if (alive.isEmpty()) {
                return;
            }
            for (int i = alive.size() - 1; i >= 0; i--) {
                alive.get(i).destroyForcibly();
            }
            killed.addAll(alive);
        }
    }

    /** How many processes of the tree are alive: those seen so far, what they started, the group's members. */
    synchronized int survivors() {
        return snapshot().size();
    }

    /** Kills whatever of the tree is still alive, e.g. scripts orphaned by a packer that exited. */
    void killSurvivors() {
        if (survivors() > 0) {
            kill();
        }
    }

    /** Waits, through {@code time}, until every process of the tree is gone, at most {@code limit}. */
    boolean awaitGone(TimeSource time, Duration limit) throws InterruptedException {
        long deadline = time.nanoTime() + limit.toNanos();
        while (true) {
            List<ProcessHandle> alive = snapshot();
            if (alive.isEmpty()) {
                return true;
            }
            Wakeup gone = new Wakeup();
            alive.forEach(h -> h.onExit().thenRun(gone::signal));
            if (!time.await(gone, deadline) && alive.stream().anyMatch(ProcessHandle::isAlive)) {
                return false;
            }
        }
    }

    @Override
    public synchronized String toString() {
        return "ProcessTree[" + root.pid() + (group > 0 ? ", group " + group : "") + ": "
                + seen.keySet().stream().map(pid -> Long.toString(pid)).collect(Collectors.joining(" ")) + "]";
    }
}
