package dev.kiln.testkit.gcp;

import dev.kiln.limits.LimitsTable;
import dev.kiln.testkit.ApiCall;
import dev.kiln.time.TimeSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** The immutable settings a {@link GceEmulator.Builder} produced. */
record GceConfig(String host, int port, long seed, TimeSource time, Map<String, List<String>> zonesByRegion,
        Map<String, Double> regionQuotas, Map<String, Map<String, Double>> regionQuotaOverrides,
        Map<String, Double> projectQuotas, LimitsTable limits, boolean throttling,
        GceEmulator.ThrottleStyle throttleStyle, GceDelays delays, Set<String> deniedProjects, int journalCapacity,
        Consumer<ApiCall> callListener) {

    double regionQuota(String region, String metric) {
        Map<String, Double> own = regionQuotaOverrides.get(region);
        if (own != null && own.containsKey(metric)) {
            return own.get(metric);
        }
        return regionQuotas.getOrDefault(metric, 0.0);
    }

    /** The region of a zone: {@code us-east1-b} is in {@code us-east1}. */
    static String regionOf(String zone) {
        int dash = zone.lastIndexOf('-');
        return dash < 0 ? zone : zone.substring(0, dash);
    }

    boolean knowsRegion(String region) {
        return zonesByRegion.containsKey(region);
    }

    boolean knowsZone(String zone) {
        List<String> zones = zonesByRegion.get(regionOf(zone));
        return zones != null && zones.contains(zone);
    }
}
