package dev.kiln.emulators.azure;

import dev.kiln.emulators.spi.ApiLimits;
import dev.kiln.emulators.spi.LimitSettings;
import dev.kiln.limits.Charge;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Compute's throttling policies as the emulator keeps them: each {@code compute.X} bucket of Kiln's
 * table is the policy's 3-minute window ({@code X3Min}: its capacity is three minutes of refill),
 * and a second bucket, {@code compute.X@30Min}, ten times as deep and refilled as fast, is its
 * 30-minute window ({@code X30Min}). Every call charges both, so every answer names both windows, as
 * Compute does: {@code x-ms-ratelimit-remaining-resource:
 * Microsoft.Compute/HighCostGet3Min;107,Microsoft.Compute/HighCostGet30Min;717}. The deeper window
 * never refuses before the shallow one, so a client that keeps to Kiln's bucket is never throttled,
 * and the smaller count, the one Kiln reads, is the bucket's.
 */
final class ComputeWindows {

    private static final String PREFIX = "compute.";
    private static final String THIRTY = "@30Min";
    private static final Duration LONG_WINDOW = Duration.ofMinutes(30);
    /** The api classes the ARM emulator charges. */
    private static final List<String> APIS = List.of("resource.read", "resource.write", "resource.delete", "vm.put",
            "vm.delete", "vm.get", "vm.list", "operation.get");

    private ComputeWindows() {
    }

    /** {@code settings} with a 30-minute window beside each Compute policy's bucket. */
    static LimitSettings of(LimitSettings settings) {
        LimitsTable table = settings.table();
        LimitsTable.Builder b = table.toBuilder();
        List<String> policies = new ArrayList<>();
        for (Limit l : table.declaredLimits()) {
            if (l.name().startsWith(PREFIX) && !l.name().endsWith(THIRTY)
                    && l.spec() instanceof LimitSpec.TokenBucket bucket) {
                long depth = Math.max(bucket.capacity(), Math.round(bucket.refillPerSecond() * LONG_WINDOW.toSeconds()));
                b.limit(l.name() + THIRTY, LimitSpec.tokenBucket(depth, bucket.refillPerSecond()), l.scope());
                policies.add(l.name());
            }
        }
        for (String api : APIS) {
            List<Charge> charges = new ArrayList<>();
            boolean compute = false;
            for (Charge c : table.chargesFor(api)) {
                charges.add(c);
                if (policies.contains(c.limit())) {
                    charges.add(new Charge(c.limit() + THIRTY, c.tokens()));
                    compute = true;
                }
            }
            if (compute) {
                b.route(api, charges.toArray(Charge[]::new));
            }
        }
        return new LimitSettings(b.build(), settings.throttling());
    }

    /** Whether {@code limit} is one of Compute's windows. */
    static boolean isCompute(String limit) {
        return limit.startsWith(PREFIX);
    }

    /** Compute's name of the window {@code limit} is, e.g. {@code HighCostGet3Min} or {@code HighCostGet30Min}. */
    static String policy(String limit) {
        String base = limit.substring(PREFIX.length());
        return base.endsWith(THIRTY) ? base.substring(0, base.length() - THIRTY.length()) + "30Min" : base + "3Min";
    }

    /** How long the window {@code limit} is. */
    static Duration window(String limit) {
        return limit.endsWith(THIRTY) ? LONG_WINDOW : Duration.ofMinutes(3);
    }

    /** The {@code x-ms-ratelimit-remaining-resource} value of the Compute windows a call drew from, or null. */
    static String remaining(List<ApiLimits.Drawn> drawn) {
        StringBuilder b = new StringBuilder();
        for (ApiLimits.Drawn d : drawn) {
            if (isCompute(d.limit())) {
                b.append(b.length() == 0 ? "" : ",").append("Microsoft.Compute/").append(policy(d.limit())).append(';')
                        .append(d.remaining());
            }
        }
        return b.length() == 0 ? null : b.toString();
    }
}
