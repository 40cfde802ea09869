package dev.kiln.testkit.gcp;

import dev.kiln.limits.Charge;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.limits.Scope;
import dev.kiln.testkit.ApiCounters.Outcome;
import dev.kiln.testkit.spi.RateLimits;
import java.time.Duration;
import java.util.Map;

/**
 * Compute Engine's per-minute rate quotas, per project (and per project and region), from the
 * same {@link LimitsTable} Kiln plans with ({@link ProviderDefaults#gcp()} unless the builder said
 * otherwise). Every call is one of Kiln's API classes ({@code read}, {@code write},
 * {@code operation.get}, {@code aggregated.list}, {@code global.write}) and charges the windows
 * the table routes that class to; a regional window is charged only by calls that name a region
 * or zone. A refused call is answered the way Compute Engine answers a rate quota: 403
 * {@code rateLimitExceeded} (or 429 {@code RESOURCE_EXHAUSTED}, if configured).
 */
final class GceLimits {

    /** Compute Engine's words for each window: quota metric and limit. */
    private static final Map<String, String[]> WORDING = Map.of(
            "gce.reads", new String[] {"Read requests", "Read requests"},
            "gce.writes", new String[] {"Write requests", "Write requests"},
            "gce.operation.reads", new String[] {"Operation read requests", "Operation read requests"},
            "gce.heavy.reads", new String[] {"Heavy-weight read requests", "Heavy-weight read requests"},
            "gce.global.writes", new String[] {"Global resource write requests", "Global resource write requests"},
            "gce.regional.reads", new String[] {"Read requests per region", "Read requests"},
            "gce.regional.writes", new String[] {"Write requests per region", "Write requests"});

    private final LimitsTable table;
    private final RateLimits windows;
    private final boolean enabled;
    private final GceEmulator.ThrottleStyle style;

    GceLimits(LimitsTable table, RateLimits windows, boolean enabled, GceEmulator.ThrottleStyle style) {
        this.table = table;
        this.windows = windows;
        this.enabled = enabled;
        this.style = style;
    }

    /** Counts one call of {@code api} by {@code project} (in {@code region}, or null) or answers the throttle. */
    void charge(String project, long projectNumber, String region, String api) {
        if (!enabled) {
            return;
        }
        for (Charge charge : table.chargesFor(api)) {
            Limit limit = table.limit(charge.limit()).orElse(null);
            if (limit == null) {
                continue;
            }
            if (limit.scope() == Scope.REGION && region == null) {
                continue;
            }
            String key = (limit.scope() == Scope.REGION ? project + "/" + region : project) + "#" + charge.limit();
            long units = Math.max(1, Math.round(charge.tokens()));
            boolean ok;
            Duration window;
            if (limit.spec() instanceof LimitSpec.FixedWindow fw) {
                ok = windows.tryConsume(key, fw, units);
                window = fw.window();
            } else if (limit.spec() instanceof LimitSpec.TokenBucket tb) {
                ok = windows.tryConsume(key, tb, units);
                window = Duration.ofMinutes(1);
            } else {
                continue;
            }
            if (!ok) {
                throw throttled(charge.limit(), window, project, projectNumber, region, limit.scope());
            }
        }
    }

    private GceError throttled(String limit, Duration window, String project, long projectNumber, String region,
            Scope scope) {
        String[] words = WORDING.getOrDefault(limit, new String[] {"Queries", "Queries"});
        String per = window.equals(Duration.ofMinutes(1)) ? "per minute"
                : "per " + window.toSeconds() + " seconds";
        String limitName = words[1] + " " + per + (scope == Scope.REGION ? " per region" : "");
        String message = "Quota exceeded for quota metric '" + words[0] + "' and limit '" + limitName
                + "' of service 'compute.googleapis.com' for consumer 'project_number:" + projectNumber + "'"
                + (region != null && scope == Scope.REGION ? " in region " + region : "") + ".";
        String details = "{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"RATE_LIMIT_EXCEEDED\","
                + "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":\"compute.googleapis.com\","
                + "\"consumer\":\"projects/" + projectNumber + "\",\"quota_limit\":\"" + limit + "\"}}";
        if (style == GceEmulator.ThrottleStyle.RESOURCE_EXHAUSTED_429) {
            return new GceError(429, "global", "rateLimitExceeded", "RESOURCE_EXHAUSTED", message, Outcome.THROTTLED,
                    details);
        }
        return new GceError(403, "usageLimits", "rateLimitExceeded", "PERMISSION_DENIED", message, Outcome.THROTTLED,
                details);
    }
}
