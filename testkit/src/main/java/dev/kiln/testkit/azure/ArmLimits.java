package dev.kiln.testkit.azure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.limits.Charge;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.testkit.ApiCounters.Outcome;
import dev.kiln.testkit.spi.RateLimits;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ARM's token buckets per subscription and region (reads, writes, deletes) and Compute's
 * throttling policies (PutVM, LowCostGet, HighCostGet, GetOperation), from the same
 * {@link LimitsTable} Kiln plans with. Calls are named by the api classes of that table
 * ({@code resource.read}, {@code vm.put}, ...).
 */
final class ArmLimits {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LimitsTable table;
    private final RateLimits buckets;
    private final boolean enabled;

    ArmLimits(LimitsTable table, RateLimits buckets, boolean enabled) {
        this.table = table;
        this.buckets = buckets;
        this.enabled = enabled;
    }

    /**
     * Takes the call's tokens or throws the 429 ARM answers; returns the rate-limit headers of the
     * answer either way (the remaining count of the request class, and of Compute's policy).
     */
    Map<String, String> charge(String subscription, String region, String api) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Charge charge : table.chargesFor(api)) {
            Limit limit = table.limit(charge.limit()).orElse(null);
            if (limit == null || !(limit.spec() instanceof LimitSpec.TokenBucket bucket)) {
                continue;
            }
            String key = subscription + "/" + region + "#" + charge.limit();
            long tokens = Math.max(1, Math.round(charge.tokens()));
            if (enabled && !buckets.tryConsume(key, bucket, tokens)) {
                long waitNanos = buckets.nanosUntil(key, bucket, tokens);
                long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
                throw throttled(subscription, charge.limit(), seconds);
            }
            long left = enabled ? Math.max(0, buckets.available(key)) : bucket.capacity();
            header(headers, charge.limit(), left);
        }
        return headers;
    }

    private static void header(Map<String, String> headers, String limit, long left) {
        switch (limit) {
            case "arm.reads" -> headers.put("x-ms-ratelimit-remaining-subscription-reads", Long.toString(left));
            case "arm.writes" -> headers.put("x-ms-ratelimit-remaining-subscription-writes", Long.toString(left));
            case "arm.deletes" -> headers.put("x-ms-ratelimit-remaining-subscription-deletes", Long.toString(left));
            default -> {
                if (limit.startsWith("compute.")) {
                    String policy = "Microsoft.Compute/" + limit.substring("compute.".length()) + "30Min;" + left;
                    headers.merge("x-ms-ratelimit-remaining-resource", policy, (a, b) -> a + "," + b);
                }
            }
        }
    }

    private static ArmError throttled(String subscription, String limit, long seconds) {
        if (limit.startsWith("compute.")) {
            String policy = limit.substring("compute.".length()) + "30Min";
            ArrayNode details = JSON.createArrayNode();
            ObjectNode d = details.addObject();
            d.put("code", "TooManyRequests");
            d.put("target", policy);
            d.put("message", "{\"operationGroup\":\"" + policy + "\",\"startTime\":\"\",\"endTime\":\"\","
                    + "\"allowedRequestCount\":0,\"measuredRequestCount\":0}");
            return new ArmError(429, "OperationNotAllowed", "The server rejected the request because too many"
                    + " requests have been received for this subscription.", Outcome.THROTTLED, details, seconds);
        }
        String kind = switch (limit) {
            case "arm.writes" -> "write";
            case "arm.deletes" -> "delete";
            default -> "read";
        };
        return new ArmError(429, "SubscriptionRequestsThrottled", "Number of '" + kind + "' requests for subscription '"
                + subscription + "' actor 'kiln-emulator' exceeded. Please try again after '" + seconds
                + "' seconds after the last request. Please see https://aka.ms/arm-throttling for more information.",
                Outcome.THROTTLED, null, seconds);
    }
}
