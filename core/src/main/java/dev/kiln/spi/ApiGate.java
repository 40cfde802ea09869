package dev.kiln.spi;

import java.time.Duration;

/**
 * Kiln's limiter as a provider sees it, for one target. A provider calls {@link #acquire(String)}
 * before each API call, and reports what the cloud said about its limits afterwards.
 *
 * <p>Stability: evolving SPI.
 */
public interface ApiGate {

    /** Waits (in the run's time source) until one call of {@code api} fits every limit it charges. */
    void acquire(String api) throws InterruptedException;

    /**
     * The cloud throttled a call of {@code api}: the limits it charges slow down (adaptive rate).
     *
     * @param retryAfter what the cloud asked for, or {@link Duration#ZERO} when it did not say
     */
    void throttled(String api, Duration retryAfter);

    /**
     * The cloud said how much of a limit remains (ARM's {@code x-ms-ratelimit-remaining-*}).
     * Kiln never assumes more tokens than that.
     */
    void remaining(String limit, long remaining);

    /** A gate that never waits, for tools that run outside a Kiln run. */
    static ApiGate open() {
        return new ApiGate() {
            @Override
            public void acquire(String api) {
            }

            @Override
            public void throttled(String api, Duration retryAfter) {
            }

            @Override
            public void remaining(String limit, long remaining) {
            }
        };
    }
}
