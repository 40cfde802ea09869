package dev.kiln.testkit.azure;

import dev.kiln.limits.LimitsTable;
import dev.kiln.testkit.ApiCall;
import dev.kiln.time.TimeSource;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The immutable settings an {@link ArmEmulator.Builder} produced. */
record ArmConfig(String host, int port, long seed, TimeSource time, String tenant, List<String> subscriptions,
        List<String> regions, int coresLimit, Map<String, Integer> coresLimits, int familyLimit,
        Map<String, Integer> familyLimits, LimitsTable limits, boolean throttling, ArmDelays delays,
        int journalCapacity, Consumer<ApiCall> callListener) {

    int coresLimit(String subscription, String region) {
        return coresLimits.getOrDefault(subscription + "/" + region, coresLimit);
    }

    int familyLimit(String subscription, String region, String family) {
        Integer specific = familyLimits.get(subscription + "/" + region + "/" + family);
        if (specific != null) {
            return specific;
        }
        return familyLimits.getOrDefault(family, familyLimit);
    }
}
