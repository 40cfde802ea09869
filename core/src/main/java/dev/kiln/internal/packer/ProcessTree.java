package dev.kiln.internal.packer;

import dev.kiln.time.TimeSource;
import dev.kiln.time.Wakeup;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A process and everything it started. packer runs as a wrapper process that starts the real
 * packer, which starts one process per plugin, which start provisioner scripts; a Ctrl-C in a
 * terminal reaches all of them, and killing only the top one would leave the rest running.
 */
final class ProcessTree {

    private final ProcessHandle root;
    private final Set<ProcessHandle> seen = new LinkedHashSet<>();

    ProcessTree(ProcessHandle root) {
        this.root = root;
    }

    /** Records the processes alive now, so they can still be found once their parent is gone. */
    synchronized List<ProcessHandle> snapshot() {
        List<ProcessHandle> now = new ArrayList<>();
        now.add(root);
        root.descendants().forEach(now::add);
        for (ProcessHandle h : List.copyOf(seen)) {
            if (h.isAlive()) {
                h.descendants().forEach(now::add);
            }
        }
        seen.addAll(now);
        return now.stream().filter(ProcessHandle::isAlive).distinct().toList();
    }

    private long lastSnapshot;
    private boolean snapshotted;

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
     * that a process started in the meantime.
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

    /** How many of the processes seen so far are alive. */
    synchronized int survivors() {
        return (int) seen.stream().filter(ProcessHandle::isAlive).count();
    }

    /** Kills whatever of the tree is still alive, e.g. scripts orphaned by a packer that exited. */
    void killSurvivors() {
        if (survivors() > 0) {
            kill();
        }
    }

    /** Waits, through {@code time}, until every process seen is gone, at most {@code limit}. */
    boolean awaitGone(TimeSource time, Duration limit) throws InterruptedException {
        Set<ProcessHandle> all;
        synchronized (this) {
            all = new LinkedHashSet<>(seen);
        }
        all.add(root);
        Wakeup gone = new Wakeup();
        CompletableFuture<?>[] exits = all.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        CompletableFuture<Void> allGone = CompletableFuture.allOf(exits);
        allGone.thenRun(gone::signal);
        long deadline = time.nanoTime() + limit.toNanos();
        while (!allGone.isDone()) {
            if (!time.await(gone, deadline) && !allGone.isDone()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized String toString() {
        return "ProcessTree[" + root.pid() + ": " + seen.stream().map(h -> Long.toString(h.pid()))
                .collect(Collectors.joining(" ")) + "]";
    }
}
