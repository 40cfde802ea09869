package dev.kiln.emulators.azure;

import dev.kiln.emulators.spi.CommonSettings;
import dev.kiln.emulators.spi.LimitSettings;
import dev.kiln.time.TimeSource;
import java.util.List;
import java.util.Map;

/** The immutable settings an {@link ArmEmulator.Builder} produced. */
record ArmConfig(CommonSettings common, LimitSettings limits, String tenant, List<String> subscriptions,
        List<String> regions, int coresLimit, Map<String, Integer> coresLimits, int familyLimit,
        Map<String, Integer> familyLimits, ArmDelays delays) {

    TimeSource time() {
        return common.time();
    }

    long seed() {
        return common.seed();
    }

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
