package dev.kiln.emulators.gcp;

import dev.kiln.emulators.spi.CommonSettings;
import dev.kiln.emulators.spi.LimitSettings;
import dev.kiln.time.TimeSource;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The immutable settings a {@link GceEmulator.Builder} produced. */
record GceConfig(CommonSettings common, LimitSettings limits, Map<String, List<String>> zonesByRegion,
        Map<String, Double> regionQuotas, Map<String, Map<String, Double>> regionQuotaOverrides,
        Map<String, Double> projectQuotas, GceEmulator.ThrottleStyle throttleStyle, GceDelays delays,
        Set<String> deniedProjects) {

    TimeSource time() {
        return common.time();
    }

    long seed() {
        return common.seed();
    }

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
