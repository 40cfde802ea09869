package dev.kiln.event;

/**
 * Receives a run's events, in order, on the run's loop thread. Keep it quick: a slow listener
 * slows admission. A listener that throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface KilnListener {

    void onEvent(KilnEvent event);
}
