package dev.kiln.emulators.spi;

import dev.kiln.limits.Charge;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.Scope;
import dev.kiln.time.TimeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * An emulator's rate limits, read from the same {@link LimitsTable} Kiln plans with: a call of an
 * api class charges the limits the table routes that class to, token buckets and fixed windows
 * alike, per account (and region, for limits of {@link Scope#REGION}). Turned off, nothing is
 * charged and every limit reads as full.
 */
public final class ApiLimits {

    /** A limit a call drew from, and what it holds now (tokens, or room left in the window). */
    public record Drawn(String limit, long remaining) {
    }

    /**
     * A limit that refused a call.
     *
     * @param declared  its shape and scope, as the table declares it
     * @param waitNanos how long until it could take the call, on the emulator's time source
     */
    public record Refusal(String limit, Limit declared, long waitNanos) {
    }

    private final LimitsTable table;
    private final RateLimits rates;
    private final boolean enabled;

    /** The limits of {@code table} on {@code time}; {@code enabled} false charges nothing. */
    public ApiLimits(LimitsTable table, TimeSource time, boolean enabled) {
        this.table = Objects.requireNonNull(table, "table");
        this.rates = new RateLimits(time);
        this.enabled = enabled;
    }

    /** No limits at all. */
    public static ApiLimits none(TimeSource time) {
        return new ApiLimits(LimitsTable.none(), time, false);
    }

    /**
     * Charges one call of {@code api} made in {@code account} and {@code region} (null: no region,
     * so no regional limit is charged), each charge taking {@code tokens} of it, and tells what it
     * drew from; the first limit that cannot take its share is thrown as what {@code refuse} makes
     * of it. {@code namespace} keeps the limits of two protocols of one emulator apart.
     */
    public List<Drawn> charge(String namespace, String api, String account, String region,
            ToLongFunction<Charge> tokens, Function<Refusal, ApiError> refuse) {
        List<Drawn> drawn = new ArrayList<>();
        for (Charge charge : table.chargesFor(api)) {
            Limit limit = table.limit(charge.limit()).orElse(null);
            if (limit == null || limit.scope() == Scope.REGION && region == null) {
                continue;
            }
            String key = namespace + (limit.scope() == Scope.REGION ? account + "/" + region : account) + "#"
                    + charge.limit();
            long n = tokens.applyAsLong(charge);
            if (limit.spec() instanceof LimitSpec.TokenBucket bucket) {
                if (enabled && !rates.tryConsume(key, bucket, n)) {
                    throw refuse.apply(new Refusal(charge.limit(), limit, rates.nanosUntil(key, bucket, n)));
                }
                drawn.add(new Drawn(charge.limit(), enabled ? Math.max(0, rates.available(key)) : bucket.capacity()));
            } else if (limit.spec() instanceof LimitSpec.FixedWindow window) {
                if (enabled && !rates.tryConsume(key, window, n)) {
                    throw refuse.apply(new Refusal(charge.limit(), limit, rates.untilWindowEnds(window).toNanos()));
                }
                drawn.add(new Drawn(charge.limit(), enabled ? window.limit() - Math.max(0, rates.used(key))
                        : window.limit()));
            }
        }
        return List.copyOf(drawn);
    }

    /** Every bucket full and every window empty again. */
    public void reset() {
        rates.reset();
    }
}
