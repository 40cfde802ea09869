package dev.kiln.spi;

import dev.kiln.time.TimeSource;

/**
 * The run loop's timers: a task scheduled here runs on the loop's thread at the given time (in
 * the run's time source). Simulated runners use it so a whole run stays in virtual time.
 *
 * <p>Stability: evolving SPI.
 */
public interface Timers {

    TimeSource time();

    /** Runs {@code task} on the loop thread once {@code time().nanoTime() >= atNanos}. */
    void schedule(long atNanos, Runnable task);
}
