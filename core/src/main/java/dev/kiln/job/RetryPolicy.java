package dev.kiln.job;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * How many attempts each failure class gets, and the backoff between them (exponential with full
 * jitter, through Resilience4j's interval functions). Permanent classes always get one attempt.
 *
 * @param attempts       total attempts by failure class (1 = never retried)
 * @param initialBackoff wait before the second attempt
 * @param maxBackoff     longest wait
 * @param multiplier     growth per attempt
 */
public record RetryPolicy(Map<FailureClass, Integer> attempts, Duration initialBackoff,
                          Duration maxBackoff, double multiplier) {

    public RetryPolicy {
        EnumMap<FailureClass, Integer> copy = new EnumMap<>(FailureClass.class);
        for (FailureClass c : FailureClass.values()) {
            int n = attempts.getOrDefault(c, 1);
            if (n < 1) {
                throw new IllegalArgumentException("attempts for " + c + " must be at least 1, got " + n);
            }
            copy.put(c, c.isRetryable() ? n : 1);
        }
        attempts = Collections.unmodifiableMap(copy);
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initial <= max");
        }
        if (multiplier < 1) {
            throw new IllegalArgumentException("multiplier must be at least 1, got " + multiplier);
        }
    }

    /** Three attempts for transient classes, two for provisioner failures and timeouts, 10 s to 5 min backoff. */
    public static RetryPolicy defaults() {
        EnumMap<FailureClass, Integer> a = new EnumMap<>(FailureClass.class);
        a.put(FailureClass.THROTTLED, 3);
        a.put(FailureClass.QUOTA, 3);
        a.put(FailureClass.CAPACITY, 3);
        a.put(FailureClass.NETWORK, 3);
        a.put(FailureClass.COMMUNICATOR_TIMEOUT, 2);
        a.put(FailureClass.PROVISIONER_FAILED, 2);
        a.put(FailureClass.TIMED_OUT, 2);
        a.put(FailureClass.ARTIFACT_UNVERIFIED, 2);
        a.put(FailureClass.UNKNOWN, 2);
        return new RetryPolicy(a, Duration.ofSeconds(10), Duration.ofMinutes(5), 2.0);
    }

    /** Only one attempt for everything. */
    public static RetryPolicy never() {
        return new RetryPolicy(Map.of(), Duration.ZERO, Duration.ZERO, 1.0);
    }

    public int attemptsFor(FailureClass failure) {
        return attempts.get(failure);
    }

    public RetryPolicy withAttempts(FailureClass failure, int n) {
        EnumMap<FailureClass, Integer> a = new EnumMap<>(attempts);
        a.put(failure, n);
        return new RetryPolicy(a, initialBackoff, maxBackoff, multiplier);
    }

    public RetryPolicy withBackoff(Duration initial, Duration max) {
        return new RetryPolicy(attempts, initial, max, multiplier);
    }
}
