package dev.kiln.time;

/**
 * A latch-like signal a waiter in {@link TimeSource#await(Wakeup, long)} can be woken by.
 * Signals are not counted: several signals before the next await wake it once.
 */
public final class Wakeup {

    private boolean signalled;

    /** A new, unsignalled wakeup. */
    public Wakeup() {
    }

    /** Wakes the current or next waiter. Safe from any thread. */
    public synchronized void signal() {
        signalled = true;
        notifyAll();
    }

    synchronized boolean consume() {
        boolean was = signalled;
        signalled = false;
        return was;
    }

    synchronized boolean isSignalled() {
        return signalled;
    }
}
