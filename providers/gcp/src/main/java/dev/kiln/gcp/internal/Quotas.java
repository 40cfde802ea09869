package dev.kiln.gcp.internal;

import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.compute.v1.MachineType;
import com.google.cloud.compute.v1.Project;
import com.google.cloud.compute.v1.Region;
import dev.kiln.KilnException;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.Scope;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The quotas a build holds: {@code regions.get} for the region's CPUs, instances, disks and
 * addresses, {@code projects.get} for images and CPUs across regions; and what one build of a
 * machine type holds of them.
 */
public final class Quotas {

    /** The machine type packer 1.6.6's googlecompute builder uses when the template names none. */
    public static final String DEFAULT_MACHINE_TYPE = "n1-standard-1";

    private static final Map<String, String> REGION_METRICS = Map.of(
            "CPUS", Demand.VCPUS,
            "INSTANCES", Demand.INSTANCES,
            "DISKS_TOTAL_GB", Demand.DISK_GB,
            "IN_USE_ADDRESSES", Demand.ADDRESSES);
    private static final String SSD_METRIC = "SSD_TOTAL_GB";
    private static final String ALL_REGIONS_CPUS = "CPUS_ALL_REGIONS";

    private final ComputeClients clients;
    private final Calls calls;
    private final Zones zones;
    private final Map<String, Set<String>> probedMetrics = new ConcurrentHashMap<>();
    private final Map<String, Integer> machineTypeCpus = new ConcurrentHashMap<>();

    public Quotas(ComputeClients clients, Calls calls, Zones zones) {
        this.clients = clients;
        this.calls = calls;
        this.zones = zones;
    }

    public QuotaSnapshot probe(Target target) {
        String project = target.account();
        Region region = calls.call(target, "read", "regions.get", () -> {
            try {
                return clients.regions().get(project, target.region());
            } catch (NotFoundException e) {
                throw new KilnException("Compute Engine has no region '" + target.region() + "' in project '"
                        + project + "' (target " + target.key() + "); use a region name such as us-east1", e);
            }
        });
        Project p = calls.call(target, "read", "projects.get", () -> clients.projects().get(project));
        Map<String, Quota> quotas = new LinkedHashMap<>();
        for (com.google.cloud.compute.v1.Quota q : region.getQuotasList()) {
            String metric = q.getMetric();
            String name = REGION_METRICS.get(metric);
            if (name == null && (metric.endsWith("_CPUS") || metric.equals(SSD_METRIC))) {
                name = metric;
            }
            if (name != null) {
                quotas.put(name, quota(name, Scope.REGION, q));
            }
        }
        for (com.google.cloud.compute.v1.Quota q : p.getQuotasList()) {
            if (q.getMetric().equals("IMAGES")) {
                quotas.put(Demand.IMAGES, quota(Demand.IMAGES, Scope.ACCOUNT, q));
            } else if (q.getMetric().equals(ALL_REGIONS_CPUS)) {
                quotas.put(ALL_REGIONS_CPUS, quota(ALL_REGIONS_CPUS, Scope.ACCOUNT, q));
            }
        }
        List<String> regionZones = new ArrayList<>();
        region.getZonesList().forEach(z -> regionZones.add(z.substring(z.lastIndexOf('/') + 1)));
        zones.remember(target, regionZones);
        probedMetrics.put(target.key(), Set.copyOf(quotas.keySet()));
        return new QuotaSnapshot(target, calls.time().now(), quotas);
    }

    private static Quota quota(String metric, Scope scope, com.google.cloud.compute.v1.Quota q) {
        return new Quota(metric, scope, (long) Math.floor(q.getLimit()), (long) Math.ceil(q.getUsage()));
    }

    /** One instance of the image's machine type, its boot disk, address and image; only metrics the probe reports. */
    public Demand demandOf(BuildJob job) {
        Target target = job.target();
        ImageSpec image = job.image();
        String machineType = image.instanceSize() == null ? DEFAULT_MACHINE_TYPE : image.instanceSize();
        long vcpus = image.vcpus() != null ? image.vcpus() : cpusOf(target, machineType);
        long disk = Math.max(10, image.diskGb());
        String diskType = target.option("disk_type", "pd-standard");
        boolean ssd = diskType.equals("pd-ssd") || diskType.equals("pd-balanced");
        boolean address = !Boolean.parseBoolean(target.option("omit_external_ip", "false"));
        Map<String, Long> amounts = new LinkedHashMap<>();
        amounts.put(Demand.VCPUS, vcpus);
        String family = Shapes.familyMetric(machineType);
        if (family != null) {
            amounts.put(family, vcpus);
        }
        amounts.put(ALL_REGIONS_CPUS, vcpus);
        amounts.put(Demand.INSTANCES, 1L);
        amounts.put(ssd ? SSD_METRIC : Demand.DISK_GB, disk);
        amounts.put(Demand.ADDRESSES, address ? 1L : 0L);
        amounts.put(Demand.IMAGES, 1L);
        Set<String> reported = probedMetrics.get(target.key());
        if (reported == null) {
            probe(target);
            reported = probedMetrics.get(target.key());
        }
        Demand demand = Demand.NONE;
        for (var e : amounts.entrySet()) {
            if (reported.contains(e.getKey())) {
                demand = demand.with(e.getKey(), e.getValue());
            }
        }
        return demand;
    }

    private long cpusOf(Target target, String machineType) {
        OptionalInt known = Shapes.vcpus(machineType);
        if (known.isPresent()) {
            return known.getAsInt();
        }
        String zone = zones.of(target);
        String key = target.account() + "/" + zone + "/" + machineType;
        Integer cached = machineTypeCpus.get(key);
        if (cached != null) {
            return cached;
        }
        MachineType type = calls.call(target, "read", "machineTypes.get", () -> {
            try {
                return clients.machineTypes().get(target.account(), zone, machineType);
            } catch (NotFoundException e) {
                throw new KilnException("machine type '" + machineType + "' does not exist in zone " + zone
                        + " of project '" + target.account() + "'", e);
            }
        });
        machineTypeCpus.put(key, type.getGuestCpus());
        return type.getGuestCpus();
    }
}
