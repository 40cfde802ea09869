/**
 * The one clock: {@link dev.kiln.time.TimeSource} reads time and waits, on the system clock or in
 * virtual time; nothing else in Kiln reads the clock or sleeps.
 */
package dev.kiln.time;
