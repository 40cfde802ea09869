/**
 * Kiln's events as Micrometer meters: {@link dev.kiln.micrometer.KilnMetrics}, a {@code KilnListener} and
 * {@code MeterBinder} for builds, queue, waits, API budget, throttles and quota headroom.
 */
package dev.kiln.micrometer;
