package dev.kiln;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What runs write, and where: each run gets a directory under {@code runsDirectory} named by its
 * run id, holding its journal ({@code events.jsonl}) and, when it ends, its reports. A packer
 * runner that needs workspaces gets them there whether or not the journal is written.
 *
 * <pre>{@code
 * Kiln.builder().files(f -> f.withRunsDirectory(Path.of("/var/lib/kiln")).withReports(false))
 * }</pre>
 *
 * @param runsDirectory where each run's directory is made; {@code ./kiln-runs} by default
 * @param eventLog      whether each run writes {@code events.jsonl}; on by default
 * @param reports       whether a run with an event log also leaves {@code junit.xml},
 *                      {@code report.html} and {@code summary.md} when it ends; on by default
 */
public record RunFiles(Path runsDirectory, boolean eventLog, boolean reports) {

    /** {@code ./kiln-runs}, with the journal and reports. */
    public static final RunFiles DEFAULT = new RunFiles(Path.of("kiln-runs"), true, true);

    public RunFiles {
        Objects.requireNonNull(runsDirectory, "runsDirectory");
    }

    public RunFiles withRunsDirectory(Path dir) {
        return new RunFiles(dir, eventLog, reports);
    }

    public RunFiles withEventLog(boolean write) {
        return new RunFiles(runsDirectory, write, reports);
    }

    public RunFiles withReports(boolean write) {
        return new RunFiles(runsDirectory, eventLog, write);
    }
}
