package dev.kiln;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** A run started with {@link Kiln#start}: its identity, a way to stop it, and its result to come. */
public final class RunHandle {

    private final String runId;
    private final Path runDirectory;
    private final Runnable cancel;
    private final CompletableFuture<RunResult> result;

    RunHandle(String runId, Path runDirectory, Runnable cancel, CompletableFuture<RunResult> result) {
        this.runId = runId;
        this.runDirectory = runDirectory;
        this.cancel = cancel;
        this.result = result;
    }

    public String runId() {
        return runId;
    }

    public Path runDirectory() {
        return runDirectory;
    }

    /**
     * Stops the run: waiting builds are cancelled, running ones are interrupted so packer cleans
     * up, then killed after the grace period, then swept. Returns at once.
     */
    public void cancel() {
        cancel.run();
    }

    /**
     * The run's result, completed when the run ends, or completed exceptionally with what ended it.
     * A copy: completing or cancelling it does not touch the run ({@link #cancel()} does).
     */
    public CompletableFuture<RunResult> result() {
        return result.copy();
    }

    /** Waits for the run to end; rethrows what ended it, if it did not end normally. */
    public RunResult await() throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new KilnException("run " + runId + " failed: " + cause, cause);
        }
    }
}
