package dev.kiln.spi;

import dev.kiln.packer.PackerEvent;

/**
 * How a runner reports a build's progress. May be called from any thread.
 *
 * <p>Stability: evolving SPI.
 */
public interface BuildCallbacks {

    /** A typed line of packer's machine-readable output (already redacted). */
    void onEvent(PackerEvent event);

    /**
     * The build called {@code api} and the provider throttled it; the runner saw it in packer's
     * output (or, simulated, made it happen). Feeds the adaptive rate.
     */
    void onThrottle(String api);

    /** The build is over; called exactly once. */
    void onExit(BuildExit exit);
}
