package dev.kiln.spi;

import java.util.OptionalLong;

/**
 * A started build.
 *
 * <p>Stability: evolving SPI.
 */
public interface BuildHandle {

    /**
     * Asks packer to stop the way Ctrl-C does, so it cleans up what it created, and kills it
     * (and everything it started) if it is still running after the request's grace period.
     * Returns at once; {@link BuildCallbacks#onExit} follows.
     */
    void cancel();

    /** The packer process id, when there is a process. */
    OptionalLong pid();
}
