package dev.kiln.azure.internal;

import com.azure.resourcemanager.compute.fluent.models.UsageInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineSizeInner;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.Scope;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.Target;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compute usages of a region as Kiln's quotas, and what one VM of a size holds of them: its vCPUs
 * against {@code vcpus} and its family, one against {@code instances}.
 */
public final class Quotas {

    private final Arm arm;
    private final Map<String, Map<String, Integer>> sizes = new ConcurrentHashMap<>();

    public Quotas(Arm arm) {
        this.arm = arm;
    }

    /**
     * Compute usages of the target's region: {@code cores} as {@code vcpus}, {@code virtualMachines}
     * as {@code instances}, families by name.
     */
    public QuotaSnapshot probe(Target target) {
        ArmSession session = arm.session();
        AzureTarget t = AzureTarget.of(target);
        Map<String, Quota> quotas = new LinkedHashMap<>();
        for (UsageInner u : session.compute(t).getUsages().list(t.region(), session.context(target))) {
            String name = u.name().value();
            String metric = switch (name) {
                case "cores" -> Demand.VCPUS;
                case "virtualMachines" -> Demand.INSTANCES;
                default -> name;
            };
            quotas.put(metric, new Quota(metric, Scope.REGION, u.limit(), u.currentValue()));
        }
        return new QuotaSnapshot(target, session.time().now(), quotas);
    }

    /**
     * One VM of the image's size: its vCPUs (the plan's figure, else the region's VM sizes list,
     * else the size's name) against {@code vcpus} and its family, one VM against {@code instances}.
     * A job without a size, or of a size whose vCPUs nothing tells, keeps the plan's demand.
     */
    public Demand demandOf(BuildJob job) {
        String size = job.image().instanceSize();
        if (size == null || size.isBlank()) {
            return job.demand();
        }
        Integer vcpus = job.image().vcpus();
        if (vcpus == null) {
            vcpus = vcpus(job.target(), size).or(() -> VmSizeTable.vcpus(size)).orElse(null);
        }
        if (vcpus == null) {
            return job.demand();
        }
        Demand d = Demand.NONE.with(Demand.VCPUS, vcpus).with(Demand.INSTANCES, 1);
        Optional<String> family = VmSizeTable.family(size);
        return family.isPresent() ? d.with(family.get(), vcpus) : d;
    }

    /** vCPUs of {@code size} in the target's region, from its VM sizes list (asked once per region). */
    private Optional<Integer> vcpus(Target target, String size) {
        ArmSession session = arm.session();
        AzureTarget t = AzureTarget.of(target);
        Map<String, Integer> table = sizes.computeIfAbsent(t.subscription() + "/" + t.region(), k -> {
            Map<String, Integer> m = new ConcurrentHashMap<>();
            for (VirtualMachineSizeInner s : session.compute(t).getVirtualMachineSizes().list(t.region(),
                    session.context(target))) {
                if (s.numberOfCores() != null) {
                    m.put(s.name().toLowerCase(Locale.ROOT), s.numberOfCores());
                }
            }
            return m;
        });
        return Optional.ofNullable(table.get(size.toLowerCase(Locale.ROOT)));
    }
}
