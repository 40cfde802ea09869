package dev.kiln.internal.limits;

import dev.kiln.limits.LimitKey;
import java.util.function.LongSupplier;

/**
 * A store of rates that counts the draws on each of its buckets, whoever makes them (the run's
 * admissions, the providers' own calls through their gates, other runs on the same store). A
 * bucket that was full when read, and has not been drawn from since, is full still: refills stop
 * at its capacity and a change of refill rate keeps its tokens. A budget sample skips reading it.
 * A store shared between nodes cannot know the others' draws and does not count.
 */
public interface DrawCounts {

    /** How many draws {@code key}'s bucket has had, read as often as wanted; the count only grows. */
    LongSupplier draws(LimitKey key);
}
