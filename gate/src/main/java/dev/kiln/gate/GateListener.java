package dev.kiln.gate;

/**
 * Receives the gate's {@link GateEvent}s, on the gate's threads. Must be thread-safe and must not
 * block; an exception it throws is logged by class name and otherwise ignored.
 */
@FunctionalInterface
public interface GateListener {

    /** One thing went wrong at the gate. */
    void onEvent(GateEvent event);
}
