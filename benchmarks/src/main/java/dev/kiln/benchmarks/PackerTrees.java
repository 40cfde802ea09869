package dev.kiln.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the {@code packer build} processes this JVM starts, each with the plugin processes it
 * starts in turn (packer 1.6 runs every builder and provisioner as a child of its own): a build's
 * memory is the sum of its tree's {@code VmRSS}, sampled every {@code 200 ms}, and its peak is kept.
 */
final class PackerTrees implements AutoCloseable {

    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "packer-rss");
        t.setDaemon(true);
        return t;
    });
    private final Map<Long, Long> peakByBuild = new ConcurrentHashMap<>();
    private volatile long peakAll;
    private volatile int peakBuilds;
    private volatile long peakSelf;

    PackerTrees() {
        sampler.scheduleAtFixedRate(this::sample, 0, 200, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        long all = 0;
        int builds = 0;
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            if (!isPackerBuild(child)) {
                continue;
            }
            long rss = Proc.treeRssBytes(child);
            if (rss > 0) {
                peakByBuild.merge(child.pid(), rss, Math::max);
                all += rss;
                builds++;
            }
        }
        peakAll = Math.max(peakAll, all);
        peakBuilds = Math.max(peakBuilds, builds);
        peakSelf = Math.max(peakSelf, Proc.rssBytes(ProcessHandle.current().pid()));
    }

    private static boolean isPackerBuild(ProcessHandle p) {
        ProcessHandle.Info info = p.info();
        return info.command().map(c -> c.endsWith("packer")).orElse(false)
                && info.arguments().map(a -> a.length > 0 && a[0].equals("build")).orElse(false);
    }

    /** What was seen, then forgets it for the next fleet. */
    Seen take() {
        sample();
        long[] peaks = peakByBuild.values().stream().mapToLong(Long::longValue).sorted().toArray();
        Seen seen = new Seen(peaks.length, peaks.length == 0 ? 0 : peaks[peaks.length / 2],
                peaks.length == 0 ? 0 : peaks[peaks.length - 1], peakAll, peakBuilds, peakSelf);
        peakByBuild.clear();
        peakAll = 0;
        peakBuilds = 0;
        peakSelf = 0;
        return seen;
    }

    /**
     * @param builds     packer build processes seen
     * @param medianPeak the median over builds of each one's peak tree RSS, bytes
     * @param maxPeak    the largest of those peaks
     * @param peakAll    the most all builds' trees held at one sample
     * @param peakBuilds the most builds seen running at one sample
     * @param peakSelf   the JVM's own peak RSS (Kiln, the emulator and the gate)
     */
    record Seen(int builds, long medianPeak, long maxPeak, long peakAll, int peakBuilds, long peakSelf) {
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }

    static List<Integer> doublings(int max) {
        List<Integer> out = new ArrayList<>();
        for (int n = 1; n <= max; n *= 2) {
            out.add(n);
        }
        if (out.get(out.size() - 1) != max) {
            out.add(max);
        }
        return out;
    }

    static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.0f MB", bytes / 1048576.0);
    }
}
