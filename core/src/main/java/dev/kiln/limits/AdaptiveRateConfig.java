package dev.kiln.limits;

import java.time.Duration;

/**
 * How a bucket's refill reacts to throttles: each observed throttle multiplies the refill by
 * {@code decreaseFactor} (never below {@code floorFraction} of the configured rate); every
 * {@code quietPeriod} without a throttle adds {@code recoveryStep} of the configured rate back,
 * up to the configured rate.
 *
 * @param decreaseFactor multiplicative decrease, in (0, 1)
 * @param recoveryStep   additive increase per quiet period, as a fraction of the configured rate
 * @param quietPeriod    how long without throttles before each recovery step
 * @param floorFraction  lowest refill, as a fraction of the configured rate
 * @param cooldown       throttles within this long of a decrease do not decrease again (one storm,
 *                       one cut)
 */
public record AdaptiveRateConfig(double decreaseFactor, double recoveryStep, Duration quietPeriod,
                                 double floorFraction, Duration cooldown) {

    /** Halve on a throttle, at most once per 2 s; recover a tenth every 30 s; never below 5%. */
    public static final AdaptiveRateConfig DEFAULT =
            new AdaptiveRateConfig(0.5, 0.1, Duration.ofSeconds(30), 0.05, Duration.ofSeconds(2));

    public AdaptiveRateConfig {
        if (!(decreaseFactor > 0 && decreaseFactor < 1)) {
            throw new IllegalArgumentException("decreaseFactor must be in (0, 1), got " + decreaseFactor);
        }
        if (!(recoveryStep > 0 && recoveryStep <= 1)) {
            throw new IllegalArgumentException("recoveryStep must be in (0, 1], got " + recoveryStep);
        }
        if (quietPeriod.isZero() || quietPeriod.isNegative()) {
            throw new IllegalArgumentException("quietPeriod must be positive, got " + quietPeriod);
        }
        if (!(floorFraction > 0 && floorFraction <= 1)) {
            throw new IllegalArgumentException("floorFraction must be in (0, 1], got " + floorFraction);
        }
        if (cooldown.isNegative()) {
            throw new IllegalArgumentException("cooldown cannot be negative, got " + cooldown);
        }
    }
}
