package dev.kiln;

import java.nio.file.Path;

/** A run started with {@link Kiln#start}. */
public interface RunHandle {

    String runId();

    Path runDirectory();

    /**
     * Stops the run: waiting builds are cancelled, running ones are interrupted so packer cleans
     * up, then killed after the grace period, then swept. Returns at once.
     */
    void cancel();

    /** Waits for the run to end. */
    RunResult await() throws InterruptedException;
}
