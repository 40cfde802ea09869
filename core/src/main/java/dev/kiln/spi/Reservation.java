package dev.kiln.spi;

import dev.kiln.limits.LimitKey;

/**
 * One item of a reservation ({@link Reservations#tryReserve}).
 *
 * @param key      quota metric or concurrency limit
 * @param amount   how much the holder takes
 * @param capacity how much may be reserved in total (limit minus outside usage)
 */
public record Reservation(LimitKey key, long amount, long capacity) {
}
