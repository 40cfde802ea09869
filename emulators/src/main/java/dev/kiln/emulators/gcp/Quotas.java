package dev.kiln.emulators.gcp;

import dev.kiln.emulators.gcp.GceResources.Address;
import dev.kiln.emulators.gcp.GceResources.Disk;
import dev.kiln.emulators.gcp.GceResources.Instance;
import dev.kiln.emulators.gcp.GceResources.Project;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compute Engine's resource quotas, per region and per project: their limits from the builder,
 * their usage from what the projects hold now, what an insert would take over a limit, and the
 * highest usage each reached. Called under the world's lock.
 */
final class Quotas {

    private final GceWorld world;

    Quotas(GceWorld world) {
        this.world = world;
    }

    /** The region's quotas with their usage now, in the emulator's order. */
    Map<String, double[]> regionQuotas(String project, String region) {
        world.tick();
        Map<String, double[]> out = new LinkedHashMap<>();
        Map<String, Double> usage = regionUsage(world.project(project), region);
        for (String metric : world.config.regionQuotas().keySet()) {
            out.put(metric, new double[] {world.config.regionQuota(region, metric), usage.getOrDefault(metric, 0.0)});
        }
        Map<String, Double> own = world.config.regionQuotaOverrides().get(region);
        if (own != null) {
            for (String metric : own.keySet()) {
                out.putIfAbsent(metric, new double[] {own.get(metric), usage.getOrDefault(metric, 0.0)});
            }
        }
        return out;
    }

    Map<String, double[]> projectQuotas(String project) {
        world.tick();
        Map<String, double[]> out = new LinkedHashMap<>();
        Map<String, Double> usage = projectUsage(world.project(project));
        world.config.projectQuotas().forEach((metric, limit) ->
                out.put(metric, new double[] {limit, usage.getOrDefault(metric, 0.0)}));
        return out;
    }

    private Map<String, Double> regionUsage(Project p, String region) {
        if (region == null) {
            return Map.of();
        }
        long now = world.nanos();
        Map<String, Double> usage = new LinkedHashMap<>();
        for (Instance i : p.instances.values()) {
            if (!GceConfig.regionOf(i.zone).equals(region)) {
                continue;
            }
            usage.merge("INSTANCES", 1.0, Double::sum);
            if (!i.status(now).equals("TERMINATED")) {
                usage.merge("CPUS", (double) i.type.guestCpus(), Double::sum);
                if (i.type.familyMetric() != null) {
                    usage.merge(i.type.familyMetric(), (double) i.type.guestCpus(), Double::sum);
                }
                if (i.externalIp) {
                    usage.merge("IN_USE_ADDRESSES", 1.0, Double::sum);
                }
            }
        }
        for (Disk d : p.disks.values()) {
            if (GceConfig.regionOf(d.zone).equals(region)) {
                usage.merge(d.ssd() ? "SSD_TOTAL_GB" : "DISKS_TOTAL_GB", (double) d.sizeGb, Double::sum);
            }
        }
        for (Address a : p.addresses.values()) {
            if (a.region.equals(region)) {
                usage.merge("STATIC_ADDRESSES", 1.0, Double::sum);
            }
        }
        return usage;
    }

    private Map<String, Double> projectUsage(Project p) {
        long now = world.nanos();
        Map<String, Double> usage = new LinkedHashMap<>();
        usage.put("IMAGES", (double) p.images.size());
        for (Instance i : p.instances.values()) {
            if (!i.status(now).equals("TERMINATED")) {
                usage.merge("CPUS_ALL_REGIONS", (double) i.type.guestCpus(), Double::sum);
            }
        }
        return usage;
    }

    /**
     * The first quota that {@code adding} would take over its limit, as Compute Engine words it
     * ("Quota 'CPUS' exceeded. Limit: 8.0 in region us-east1."), or null when everything fits.
     */
    String problem(Project p, String region, Map<String, Double> adding) {
        Map<String, Double> regional = region == null ? Map.of() : regionUsage(p, region);
        Map<String, Double> global = projectUsage(p);
        for (var e : adding.entrySet()) {
            String metric = e.getKey();
            if (world.config.projectQuotas().containsKey(metric)) {
                double limit = world.config.projectQuotas().get(metric);
                if (global.getOrDefault(metric, 0.0) + e.getValue() > limit) {
                    return "Quota '" + metric + "' exceeded. Limit: " + limit + " globally.";
                }
            } else if (region != null) {
                double limit = world.config.regionQuota(region, metric);
                boolean known = world.config.regionQuotas().containsKey(metric)
                        || world.config.regionQuotaOverrides().getOrDefault(region, Map.of()).containsKey(metric);
                if (known && regional.getOrDefault(metric, 0.0) + e.getValue() > limit) {
                    return "Quota '" + metric + "' exceeded. Limit: " + limit + " in region " + region + ".";
                }
            }
        }
        return null;
    }

    /** Remembers the highest usage each quota reached, so tests can tell a quota was used and never passed. */
    void notePeaks(Project p, String region) {
        regionUsage(p, region).forEach((m, v) -> world.peaks.merge(p.id + "/" + region + "#" + m, v, Math::max));
        projectUsage(p).forEach((m, v) -> world.peaks.merge(p.id + "#" + m, v, Math::max));
    }

    /** The highest usage {@code metric} reached in {@code region} (null: project-wide) since start or reset. */
    double peakUsage(String project, String region, String metric) {
        return world.peaks.getOrDefault(region == null ? project + "#" + metric : project + "/" + region + "#" + metric, 0.0);
    }
}
