package dev.kiln.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What Linux's {@code /proc} says about the node and about processes: CPU time and resident memory.
 * A process gone between listing and reading counts as nothing, as it holds nothing any more.
 */
final class Proc {

    /** Clock ticks per second of {@code /proc}'s CPU times ({@code getconf CLK_TCK}, 100 on Linux/x86). */
    private static final double TICKS = 100.0;

    private Proc() {
    }

    /** The node's CPU since boot from {@code /proc/stat}: busy and total jiffies of all cores. */
    record NodeCpu(long busy, long total) {
        static NodeCpu now() {
            String cpu = read(Path.of("/proc/stat")).lines().filter(l -> l.startsWith("cpu ")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("/proc/stat has no cpu line"));
            String[] f = cpu.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new NodeCpu(total - idle, total);
        }

        /** The share of the node's cores busy between {@code earlier} and this, 0–1, whoever was busy. */
        double busySince(NodeCpu earlier) {
            long t = total - earlier.total;
            return t == 0 ? 0 : (double) (busy - earlier.busy) / t;
        }
    }

    /**
     * CPU seconds this JVM spent, and the children it has waited for (every packer it started and
     * reaped): {@code utime + stime + cutime + cstime} of {@code /proc/self/stat}.
     */
    static double selfAndChildrenCpuSeconds() {
        return cpuSeconds(ProcessHandle.current().pid(), true);
    }

    /** CPU seconds of one process, with its reaped children's when asked. */
    static double cpuSeconds(long pid, boolean withChildren) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        if (stat.isEmpty()) {
            return 0;
        }
        // The command (field 2) may hold spaces: fields are counted after its closing parenthesis.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (withChildren) {
            ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        return ticks / TICKS;
    }

    /** Resident memory of one process in bytes ({@code VmRSS}), 0 when it is gone. */
    static long rssBytes(long pid) {
        for (String line : read(Path.of("/proc", Long.toString(pid), "status")).lines().toList()) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
            }
        }
        return 0;
    }

    /** Resident memory of a process and every descendant of it, summed. */
    static long treeRssBytes(ProcessHandle root) {
        long sum = rssBytes(root.pid());
        for (ProcessHandle p : root.descendants().toList()) {
            sum += rssBytes(p.pid());
        }
        return sum;
    }

    /** The machine's load averages over 1, 5 and 15 minutes, as {@code uptime} prints them. */
    static String loadAverage() {
        List<String> f = List.of(read(Path.of("/proc/loadavg")).trim().split("\\s+"));
        return f.size() < 3 ? "?" : String.join(", ", f.subList(0, 3));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
