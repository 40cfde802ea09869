package dev.kiln.internal.packer;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One reading of {@code /proc}: every process's parent, group, state and start time, from its
 * {@code stat} file. A process tree's descendants and its group's members both come from one
 * reading, where {@link ProcessHandle#descendants()} reads every process's file again for each
 * process it is asked about: at eight packers starting on two cores those readings were a third of
 * Kiln's own CPU.
 */
final class ProcTable {

    private static final Path PROC = Path.of("/proc");

    /** One process as {@code /proc/PID/stat} describes it; {@code start} is in clock ticks since boot. */
    record Entry(long pid, long parent, long group, boolean zombie, long start) {
    }

    private final Map<Long, Entry> byPid;
    private final Map<Long, List<Entry>> children = new HashMap<>();

    private ProcTable(Map<Long, Entry> byPid) {
        this.byPid = byPid;
        for (Entry e : byPid.values()) {
            children.computeIfAbsent(e.parent(), p -> new ArrayList<>()).add(e);
        }
    }

    /** Every process now, or null where {@code /proc} cannot be listed. */
    static ProcTable read() {
        Map<Long, Entry> entries = new HashMap<>();
        byte[] buffer = new byte[1024];
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC)) {
            for (Path dir : pids) {
                String name = dir.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                Entry e = entry(dir.resolve("stat"), buffer);
                if (e != null) {
                    entries.put(e.pid(), e);
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return new ProcTable(entries);
    }

    /** {@code pid}'s entry, or null when it is not running. */
    Entry get(long pid) {
        return byPid.get(pid);
    }

    /**
     * Everything {@code pid} started, and what those started, that is running now: children that
     * started before their parent are another process that reused a pid, and are left out.
     */
    List<Entry> descendants(long pid) {
        List<Entry> found = new ArrayList<>();
        Entry self = byPid.get(pid);
        if (self == null) {
            return found;
        }
        ArrayDeque<Entry> todo = new ArrayDeque<>(List.of(self));
        while (!todo.isEmpty()) {
            Entry parent = todo.poll();
            for (Entry child : children.getOrDefault(parent.pid(), List.of())) {
                if (child.start() >= parent.start()) {
                    found.add(child);
                    todo.add(child);
                }
            }
        }
        return found;
    }

    /** The members of process group {@code group} that are not zombies. */
    List<Entry> group(long group) {
        List<Entry> members = new ArrayList<>();
        for (Entry e : byPid.values()) {
            if (e.group() == group && !e.zombie()) {
                members.add(e);
            }
        }
        return members;
    }

    /**
     * One {@code stat} file, "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
     * majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime ...",
     * where comm may hold spaces and parentheses; null when the process is gone or the file is not whole.
     */
    private static Entry entry(Path stat, byte[] buffer) {
        int n;
        try (FileInputStream in = new FileInputStream(stat.toFile())) {
            n = in.readNBytes(buffer, 0, buffer.length);
        } catch (IOException e) {
            return null; // gone since the listing
        }
        int close = -1;
        for (int i = n - 1; i >= 0; i--) {
            if (buffer[i] == ')') {
                close = i;
                break;
            }
        }
        if (close < 0 || close + 2 >= n) {
            return null;
        }
        long pid = number(buffer, 0, n);
        boolean zombie = buffer[close + 2] == 'Z';
        long parent = -1;
        long group = -1;
        long start = -1;
        int field = 0; // 0 is the state, just read
        for (int i = close + 2; i < n && field <= 19; field++) {
            int end = i;
            while (end < n && buffer[end] != ' ' && buffer[end] != '\n') {
                end++;
            }
            switch (field) {
                case 1 -> parent = number(buffer, i, end);
                case 2 -> group = number(buffer, i, end);
                case 19 -> start = number(buffer, i, end);
                default -> {
                }
            }
            i = end + 1;
        }
        return pid < 0 || parent < 0 || group < 0 || start < 0 ? null : new Entry(pid, parent, group, zombie, start);
    }

    /** The unsigned decimal number at {@code from}, up to {@code to} or the first other byte; -1 when there is none. */
    private static long number(byte[] b, int from, int to) {
        long v = 0;
        int i = from;
        for (; i < to && b[i] >= '0' && b[i] <= '9'; i++) {
            v = v * 10 + (b[i] - '0');
        }
        return i == from ? -1 : v;
    }
}
