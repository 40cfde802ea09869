package dev.kiln.internal.run;

import dev.kiln.internal.limits.Units;
import dev.kiln.limits.Charge;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.ProviderContext;
import dev.kiln.time.TimeSource;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The {@link ProviderContext} Kiln hands each provider: its API calls draw from the same buckets
 * and windows as the builds, and what it learns about throttles reaches every active run.
 */
public final class Gates implements ProviderContext {

    private final TimeSource time;
    private final Coordination store;
    private final CloudProvider provider;
    private final BiConsumer<LimitKey, String> onThrottle;
    private final Map<String, LimitsTable> planned;
    private final Map<String, LimitsTable> tables = new ConcurrentHashMap<>();

    /**
     * @param planned the limits runs keep to, by target key (a plan's overrides over the provider's
     *                table): the provider's calls keep to the same buckets' shapes as its builds
     */
    public Gates(TimeSource time, Coordination store, CloudProvider provider, BiConsumer<LimitKey, String> onThrottle,
                 Map<String, LimitsTable> planned) {
        this.time = time;
        this.store = store;
        this.provider = provider;
        this.onThrottle = onThrottle;
        this.planned = planned;
    }

    @Override
    public TimeSource time() {
        return time;
    }

    @Override
    public ApiGate gate(Target target) {
        LimitsTable ofPlan = planned.get(target.key());
        LimitsTable table = ofPlan != null ? ofPlan : tables.computeIfAbsent(target.key(),
                k -> provider.apiLimits(target));
        return new ApiGate() {
            @Override
            public void acquire(String api) throws InterruptedException {
                for (Charge charge : table.chargesFor(api)) {
                    Limit limit = table.limit(charge.limit()).orElse(null);
                    if (limit != null) {
                        take(LimitKey.of(target, limit), limit.spec(), charge.tokens());
                    }
                }
            }

            @Override
            public void throttled(String api, Duration retryAfter) {
                for (Charge charge : table.chargesFor(api)) {
                    table.limit(charge.limit()).ifPresent(limit -> onThrottle.accept(LimitKey.of(target, limit),
                            "provider " + provider.id() + " call " + api));
                }
            }

            @Override
            public void remaining(String limitName, long remaining) {
                table.limit(limitName).ifPresent(limit -> Gates.remaining(store, LimitKey.of(target, limit),
                        limit.spec(), remaining));
            }
        };
    }

    /** The cloud said {@code remaining} calls of {@code key} are left: Kiln's bucket holds no more. */
    static void remaining(Coordination store, LimitKey key, LimitSpec spec, long remaining) {
        if (spec instanceof LimitSpec.TokenBucket tb) {
            Bucket bucket = store.rates().bucket(key, Units.configuration(tb, tb.refillPerSecond()));
            long excess = bucket.getAvailableTokens() - remaining * Units.PER_CALL;
            if (excess > 0) {
                bucket.consumeIgnoringRateLimits(excess);
            }
        }
    }

    private void take(LimitKey key, LimitSpec spec, double calls) throws InterruptedException {
        take(time, store, key, spec, calls);
    }

    /** Waits on {@code time} until {@code calls} of {@code key} fit its bucket or window, and takes them. */
    static void take(TimeSource time, Coordination store, LimitKey key, LimitSpec spec, double calls)
            throws InterruptedException {
        if (spec instanceof LimitSpec.TokenBucket tb) {
            Bucket bucket = store.rates().bucket(key, Units.configuration(tb, tb.refillPerSecond()));
            long units = Units.ofCalls(calls);
            while (true) {
                ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(units);
                if (probe.isConsumed()) {
                    return;
                }
                time.sleep(Duration.ofNanos(Math.max(1, probe.getNanosToWaitForRefill())));
            }
        }
        if (spec instanceof LimitSpec.FixedWindow fw) {
            long windowNanos = fw.window().toNanos();
            while (true) {
                Instant now = time.now();
                long epochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
                long start = Math.floorDiv(epochNanos, windowNanos) * windowNanos;
                Instant windowStart = Instant.ofEpochSecond(Math.floorDiv(start, 1_000_000_000L),
                        Math.floorMod(start, 1_000_000_000L));
                if (store.rates().tryCountInWindow(key, windowStart, (long) Math.ceil(calls), fw.limit()) >= 0) {
                    return;
                }
                time.sleep(Duration.ofNanos(start + windowNanos - epochNanos));
            }
        }
    }
}
