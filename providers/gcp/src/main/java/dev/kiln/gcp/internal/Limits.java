package dev.kiln.gcp.internal;

import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.plan.Target;
import dev.kiln.spi.Budget;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The rate quotas Kiln keeps to, what one build calls, and the environment that keeps a build's
 * operation polling within the budget Kiln granted it.
 */
public final class Limits {

    /**
     * How often a build polls operations, in seconds (for tools in a template; googlecompute
     * polls at its own pace, which the gate meters).
     */
    public static final String ENV_POLL_SECONDS = "KILN_GCP_POLL_SECONDS";
    /** The endpoint, with an endpoint override. */
    public static final String ENV_ENDPOINT = "KILN_GCP_ENDPOINT";
    /** The zone a build runs in. */
    public static final String ENV_ZONE = "KILN_GCP_ZONE";

    private final GcpSettings settings;
    private final Zones zones;

    public Limits(GcpSettings settings, Zones zones) {
        this.settings = settings;
        this.zones = zones;
    }

    public LimitsTable api() {
        return settings.limits();
    }

    public CostModel costModel() {
        return settings.costModel();
    }

    /** The poll interval scaled by the budget's rate factor (slower while the adaptive rate is cut), zone, endpoint. */
    public Map<String, String> packerEnv(Target target, Budget budget) {
        Map<String, String> env = new LinkedHashMap<>();
        double factor = budget.rateFactor() > 0 && budget.rateFactor() <= 1 ? budget.rateFactor() : 1.0;
        double seconds = settings.packerPollInterval().toNanos() / 1e9 / factor;
        env.put(ENV_POLL_SECONDS, String.format(Locale.ROOT, "%.3f", seconds));
        env.put(ENV_ZONE, zones.of(target));
        if (settings.endpoint() != null) {
            env.put(ENV_ENDPOINT, settings.endpointText());
        }
        return env;
    }
}
