package dev.kiln.testkit.aws;

import dev.kiln.limits.Charge;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.limits.Scope;
import dev.kiln.testkit.spi.RateLimits;
import java.util.Set;

/**
 * EC2's request and resource token buckets, per account and region, from the same
 * {@link LimitsTable} Kiln plans with ({@link ProviderDefaults#aws()} unless the builder said
 * otherwise).
 *
 * <p>The seven "unfiltered and unpaginated" describes draw from their small bucket only when
 * called that way; called with a filter, ids or paging they draw from a bucket of the ordinary
 * non-mutating size, named {@code <Action>.filtered}.
 */
final class Ec2Limits {

    static final Set<String> UNFILTERED = Set.of("DescribeInstances", "DescribeInstanceStatus",
            "DescribeNetworkInterfaces", "DescribeSecurityGroups", "DescribeSnapshots", "DescribeSpotInstanceRequests",
            "DescribeVolumes");
    private static final Set<String> PLAIN = Set.of("Action", "Version", "DryRun");

    private final LimitsTable table;
    private final RateLimits buckets;
    private final boolean enabled;

    Ec2Limits(LimitsTable table, RateLimits buckets, boolean enabled) {
        this.table = table;
        this.buckets = buckets;
        this.enabled = enabled;
    }

    /** Takes the call's tokens or answers RequestLimitExceeded. */
    void charge(String account, String region, String action, QueryParams params) {
        if (!enabled) {
            return;
        }
        String api = action;
        if (UNFILTERED.contains(action) && params.names().stream().anyMatch(n -> !PLAIN.contains(n))) {
            api = action + ".filtered";
        }
        for (Charge charge : table.chargesFor(api)) {
            Limit limit = table.limit(charge.limit()).orElse(null);
            if (limit == null || !(limit.spec() instanceof LimitSpec.TokenBucket bucket)) {
                continue;
            }
            long tokens = charge.limit().equals(ProviderDefaults.ec2ResourceBucket(action))
                    ? resourceCount(action, params) : Math.max(1, Math.round(charge.tokens()));
            String key = (limit.scope() == Scope.REGION ? account + "/" + region : account) + "#" + charge.limit();
            if (!buckets.tryConsume(key, bucket, tokens)) {
                throw Ec2Error.throttled();
            }
        }
    }

    /** Instances a call affects: what the resource buckets count. */
    private static long resourceCount(String action, QueryParams params) {
        if (action.equals("RunInstances")) {
            return Math.max(1, params.integer("MaxCount", 1));
        }
        return Math.max(1, params.list("InstanceId").size());
    }

    /** Takes one token for a Service Quotas operation, in that service's own buckets. */
    boolean tryServiceQuotas(String account, String region, String operation) {
        if (!enabled) {
            return true;
        }
        Limit limit = table.limit(operation).orElse(null);
        if (limit == null || !(limit.spec() instanceof LimitSpec.TokenBucket bucket)) {
            return true;
        }
        return buckets.tryConsume("servicequotas:" + account + "/" + region + "#" + operation, bucket, 1);
    }
}
