package dev.kiln.limits;

import dev.kiln.plan.Target;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A target's quotas as probed at one moment.
 *
 * @param target the target probed
 * @param at     when
 * @param quotas by metric
 */
public record QuotaSnapshot(Target target, Instant at, Map<String, Quota> quotas) {

    public QuotaSnapshot {
        quotas = Map.copyOf(quotas);
    }

    public Optional<Quota> quota(String metric) {
        return Optional.ofNullable(quotas.get(metric));
    }
}
