package dev.kiln.limits;

import java.time.Duration;

/**
 * The shape of one provider limit. Three shapes cover the providers Kiln knows:
 * EC2 and ARM describe token buckets, GCE per-minute rate quotas are fixed windows that refill at
 * the window boundary, and vCenter limits how much provisioning cost runs at once.
 */
public sealed interface LimitSpec {

    /** A token bucket: up to {@code capacity} tokens, refilled continuously at {@code refillPerSecond}. */
    static TokenBucket tokenBucket(long capacity, double refillPerSecond) {
        return new TokenBucket(capacity, refillPerSecond);
    }

    /** At most {@code limit} units per window; every window starts full at its boundary. */
    static FixedWindow fixedWindow(long limit, Duration window) {
        return new FixedWindow(limit, window);
    }

    /** At most {@code maxCost} of cost held at once; released when the holder finishes. */
    static Concurrency concurrency(long maxCost) {
        return new Concurrency(maxCost);
    }

    /** How many units per second this limit sustains over a long run. */
    double sustainedPerSecond();

    /** A token bucket: burst of {@code capacity}, sustained {@code refillPerSecond}. */
    record TokenBucket(long capacity, double refillPerSecond) implements LimitSpec {
        public TokenBucket {
            if (capacity <= 0) {
                throw new IllegalArgumentException("capacity must be positive, got " + capacity);
            }
            if (!(refillPerSecond > 0) || Double.isInfinite(refillPerSecond)) {
                throw new IllegalArgumentException("refill per second must be positive, got " + refillPerSecond);
            }
        }

        @Override
        public double sustainedPerSecond() {
            return refillPerSecond;
        }

        /** The same bucket refilling at {@code rate} instead. */
        public TokenBucket withRefill(double rate) {
            return new TokenBucket(capacity, rate);
        }
    }

    /** A fixed window of {@code limit} units per {@code window}. */
    record FixedWindow(long limit, Duration window) implements LimitSpec {
        public FixedWindow {
            if (limit <= 0) {
                throw new IllegalArgumentException("limit must be positive, got " + limit);
            }
            if (window.isZero() || window.isNegative()) {
                throw new IllegalArgumentException("window must be positive, got " + window);
            }
        }

        @Override
        public double sustainedPerSecond() {
            return limit * 1e9 / window.toNanos();
        }
    }

    /** At most {@code maxCost} held at once. */
    record Concurrency(long maxCost) implements LimitSpec {
        public Concurrency {
            if (maxCost <= 0) {
                throw new IllegalArgumentException("max cost must be positive, got " + maxCost);
            }
        }

        @Override
        public double sustainedPerSecond() {
            return Double.POSITIVE_INFINITY;
        }
    }
}
