package dev.kiln.gcp.internal;

import dev.kiln.plan.Target;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The zone a target's builds run in, as far as the quota probe has told the region's zones. */
public final class Zones {

    private final Map<String, List<String>> byRegion = new ConcurrentHashMap<>();

    /** What the probe of {@code target} listed. */
    void remember(Target target, List<String> zones) {
        byRegion.put(target.key(), List.copyOf(zones));
    }

    /** The target's {@code zone} option, else the first zone its region listed, else {@code <region>-b}. */
    public String of(Target target) {
        String zone = target.options().get("zone");
        if (zone != null) {
            return zone;
        }
        List<String> zones = byRegion.get(target.key());
        return zones == null || zones.isEmpty() ? target.region() + "-b" : zones.get(0);
    }
}
