package dev.kiln.emulators;

import dev.kiln.time.TimeSource;
import dev.kiln.time.Wakeup;
import java.util.Collections;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The faults injected into one emulator, per action. A fault under an action's own name wins over
 * one under {@link #ANY_ACTION}. Outage windows are placed on the emulator's time source when the
 * fault is injected, so they work the same in virtual time.
 */
public final class Faults {

    /** The action name that stands for every action without a fault of its own. */
    public static final String ANY_ACTION = "*";

    /** What fault injection decided for one call. */
    public enum Effect {
        /** Answer normally. */
        NONE,
        /** Answer with the provider's internal error. */
        ERROR,
        /** Answer with the provider's service-unavailable error: the outage window is open. */
        OUTAGE,
        /** Answer with the provider's throttling error, whatever its buckets hold. */
        THROTTLE,
        /**
         * Answer nothing: close the connection, as a proxy that drops it does. Handlers throw
         * {@link dev.kiln.emulators.spi.EmulatorServer.ConnectionReset} for the server to do so.
         */
        RESET
    }

    private final TimeSource time;
    private long seed;
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private Random random;

    /** Faults drawn from a random seeded with {@code seed}, timed by {@code time}. */
    public Faults(TimeSource time, long seed) {
        this.time = time;
        this.seed = seed;
        this.random = new Random(seed);
    }

    /** Injects {@code fault} into {@code action} (or {@link #ANY_ACTION}), replacing any earlier one. */
    public void inject(String action, Fault fault) {
        if (action == null || action.isBlank()) {
            throw new IllegalArgumentException("name the action to inject a fault into, or '" + ANY_ACTION + "' for all");
        }
        long start = Math.addExact(time.nanoTime(), fault.outageAfter().toNanos());
        active.put(action, new Active(fault, start, Math.addExact(start, fault.outageFor().toNanos())));
    }

    /** Removes the fault of {@code action}. */
    public void clear(String action) {
        active.remove(action);
    }

    /** Draws from now on from a random seeded with {@code newSeed}, as a test given a seed does (testkit's {@code Seeded}). */
    public synchronized void reseed(long newSeed) {
        seed = newSeed;
        random = new Random(newSeed);
    }

    /** Removes every fault and re-seeds the random, so a run after a reset repeats the first. */
    public synchronized void clear() {
        active.clear();
        random = new Random(seed);
    }

    /** The faults in force, by action. */
    public Map<String, Fault> active() {
        Map<String, Fault> out = new TreeMap<>();
        active.forEach((a, f) -> out.put(a, f.fault));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Applies the fault of {@code action} to one call: waits out its latency on the time source,
     * then tells whether the call meets an outage, a reset, a throttle, an injected error, or nothing.
     */
    public Effect apply(String action) throws InterruptedException {
        Active a = active.get(action);
        if (a == null) {
            a = active.get(ANY_ACTION);
        }
        if (a == null) {
            return Effect.NONE;
        }
        if (!a.fault.latency().isZero()) {
            time.await(new Wakeup(), Math.addExact(time.nanoTime(), a.fault.latency().toNanos()));
        }
        long now = time.nanoTime();
        if (now >= a.outageStart && now < a.outageEnd) {
            return Effect.OUTAGE;
        }
        Fault f = a.fault;
        if (f.errorRate() + f.throttleRate() + f.resetRate() <= 0) {
            return Effect.NONE;
        }
        // One draw per call: the same seed gives the same sequence whichever rates are set.
        double u = draw();
        if (u < f.resetRate()) {
            return Effect.RESET;
        }
        if (u < f.resetRate() + f.throttleRate()) {
            return Effect.THROTTLE;
        }
        if (u < f.resetRate() + f.throttleRate() + f.errorRate()) {
            return Effect.ERROR;
        }
        return Effect.NONE;
    }

    private synchronized double draw() {
        return random.nextDouble();
    }

    private record Active(Fault fault, long outageStart, long outageEnd) {
    }
}
