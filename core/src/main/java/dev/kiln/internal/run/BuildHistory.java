package dev.kiln.internal.run;

import dev.kiln.event.KilnEvent;
import dev.kiln.job.JobState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long each build took when it last succeeded, read from the journals of the newest earlier
 * runs in the runs directory: what a forecast should expect of a build it has seen before, rather
 * than the plan's {@code expected:} or the provider's cost model, which describe builds in general.
 * Keyed by job id ({@code image/provider/account/region/env}), which is the same in every run of a
 * plan.
 */
final class BuildHistory {

    private static final Logger LOG = LoggerFactory.getLogger(BuildHistory.class);

    /** How many earlier runs are read, newest first. */
    static final int RUNS = 5;

    /** Journals larger than this are not read for a forecast: reading one must stay cheap. */
    static final long MAX_JOURNAL_BYTES = 64L << 20;

    private BuildHistory() {
    }

    /** The last successful build time of each job the newest earlier runs in {@code runs} made, but {@code self}. */
    static Map<String, Duration> read(Path runs, String self) {
        Map<String, Duration> known = new HashMap<>();
        if (!Files.isDirectory(runs)) {
            return known;
        }
        List<Path> journals;
        try (Stream<Path> dirs = Files.list(runs)) {
            journals = dirs.filter(d -> !d.getFileName().toString().equals(self))
                    .map(d -> d.resolve("events.jsonl"))
                    .filter(Files::isRegularFile)
                    .filter(f -> size(f) <= MAX_JOURNAL_BYTES)
                    .sorted(Comparator.comparing(BuildHistory::modified).reversed())
                    .limit(RUNS)
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("no build history in {}: {}", runs, e.toString());
            return known;
        }
        for (Path journal : journals) {
            try {
                // newest run first: a job already known keeps its newer time
                remembered(journal).forEach(known::putIfAbsent);
            } catch (RuntimeException e) {
                LOG.debug("skipping the journal {} for the forecast: {}", journal, e.toString());
            }
        }
        return known;
    }

    /**
     * {@link #took} of a journal, read again only when it has changed since it was last read: a
     * process that runs plan after plan reads each finished run's journal once, not at every forecast.
     */
    private static Map<String, Duration> remembered(Path journal) {
        Path key = journal.toAbsolutePath().normalize();
        FileTime modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(key);
            size = Files.size(key);
        } catch (IOException e) {
            return took(journal);
        }
        synchronized (READ) {
            Read read = READ.get(key);
            if (read != null && read.size() == size && read.modified().equals(modified)) {
                return read.took();
            }
        }
        Map<String, Duration> took = Map.copyOf(took(journal));
        synchronized (READ) {
            READ.put(key, new Read(size, modified, took));
        }
        return took;
    }

    /** A journal's build times as read, and the file's size and modification time then. */
    private record Read(long size, FileTime modified, Map<String, Duration> took) {
    }

    /** The journals read most recently, as many as a few runs directories' forecasts read. */
    private static final Map<Path, Read> READ = new LinkedHashMap<>(32, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Read> eldest) {
            return size() > 4 * RUNS;
        }
    };

    /**
     * The time of each job's last successful attempt in one journal: from its start to the job's
     * success, its artifact's verification included (2 s for a vSphere template here, on the way
     * of every build that depends on it), or to packer's end in a journal that does not say when
     * the job succeeded.
     */
    static Map<String, Duration> took(Path journal) {
        Map<String, Instant> started = new HashMap<>();
        Map<String, Duration> took = new HashMap<>();
        for (KilnEvent event : EventLogReader.read(journal, Set.of(KilnEvent.BuildStarted.class,
                KilnEvent.BuildEnded.class, KilnEvent.JobStateChanged.class))) {
            if (event instanceof KilnEvent.BuildStarted s) {
                started.put(s.jobId() + "#" + s.attempt(), s.at());
            } else if (event instanceof KilnEvent.BuildEnded e && e.succeeded()) {
                Instant from = started.get(e.jobId() + "#" + e.attempt());
                if (from != null) {
                    took.put(e.jobId(), Duration.between(from, e.at()));
                }
            } else if (event instanceof KilnEvent.JobStateChanged c && c.to() == JobState.SUCCEEDED) {
                Instant from = started.get(c.jobId() + "#" + c.attempt());
                if (from != null) {
                    took.put(c.jobId(), Duration.between(from, c.at()));
                }
            }
        }
        return took;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
