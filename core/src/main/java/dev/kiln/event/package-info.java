/**
 * What a run tells while it runs: {@link dev.kiln.event.KilnEvent}s, delivered to
 * {@link dev.kiln.event.KilnListener}s.
 */
package dev.kiln.event;
