package dev.kiln.azure.internal;

import com.azure.core.management.exception.ManagementException;
import com.azure.core.util.Context;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.models.NetworkInterfaceReference;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceExpandedInner;
import com.azure.resourcemanager.resources.fluent.models.ResourceGroupInner;
import dev.kiln.plan.Target;
import dev.kiln.spi.SweepReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what builds left on ARM, found by their tags, one level after another: packer's temporary
 * resource groups, then in the target's resource group VMs, network interfaces, public IPs, disks,
 * virtual networks, security groups and images.
 */
public final class Sweeper {

    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

    private final Arm arm;

    public Sweeper(Arm arm) {
        this.arm = arm;
    }

    /**
     * Deletes what a build left: resource groups tagged with its id (packer's temporary groups),
     * then, in the target's resource group, tagged VMs, network interfaces, public IPs, disks (with
     * the NICs and OS disks of the swept VMs, which Azure does not tag), virtual networks, security
     * groups and images, each level after the one before has gone.
     */
    public SweepReport sweep(Target target, String buildId) {
        return sweep(arm.session(), target, Selection.build(buildId));
    }

    /**
     * As {@link #sweep(Target, String)}, for everything tagged {@code kiln-expires-at} with epoch seconds
     * before {@code now}; managed images are kept.
     */
    public SweepReport sweepExpired(Target target, Instant now) {
        ArmSession session = arm.session();
        return sweep(session, target, Selection.expiredAt(Objects.requireNonNull(now, "now")));
    }

    private SweepReport sweep(ArmSession session, Target target, Selection selection) {
        AzureTarget t = AzureTarget.of(target);
        Context c = session.context(target);
        List<String> deleted = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        String filter = selection.filter();

        List<String> groups = new ArrayList<>();
        for (ResourceGroupInner g : session.resources(t).getResourceGroups().list(filter, null, c)) {
            if (!g.name().equalsIgnoreCase(t.resourceGroup())
                    && take(selection, "resourceGroup/" + g.name(), g.tags(), failed)) {
                groups.add(g.name());
            }
        }
        Map<String, Set<String>> byType = new LinkedHashMap<>();
        try {
            for (GenericResourceExpandedInner r : session.resources(t).getResources().listByResourceGroup(
                    t.resourceGroup(), filter, null, null, c)) {
                if (take(selection, r.id(), r.tags(), failed)) {
                    byType.computeIfAbsent(r.type().toLowerCase(Locale.ROOT), k -> new LinkedHashSet<>())
                            .add(r.name());
                }
            }
        } catch (ManagementException e) {
            if (!ArmSession.notFound(e)) {
                throw e;
            }
        }
        Set<String> vms = byType.getOrDefault("microsoft.compute/virtualmachines", Set.of());
        Set<String> nics = new LinkedHashSet<>(byType.getOrDefault("microsoft.network/networkinterfaces", Set.of()));
        Set<String> disks = new LinkedHashSet<>(byType.getOrDefault("microsoft.compute/disks", Set.of()));
        for (String vm : vms) {
            try {
                VirtualMachineInner inner = session.compute(t).getVirtualMachines().getByResourceGroupWithResponse(
                        t.resourceGroup(), vm, null, c).getValue();
                if (inner.networkProfile() != null && inner.networkProfile().networkInterfaces() != null) {
                    for (NetworkInterfaceReference n : inner.networkProfile().networkInterfaces()) {
                        inGroup(n.id(), t.resourceGroup()).ifPresent(nics::add);
                    }
                }
                if (inner.storageProfile() != null && inner.storageProfile().osDisk() != null
                        && inner.storageProfile().osDisk().managedDisk() != null) {
                    inGroup(inner.storageProfile().osDisk().managedDisk().id(), t.resourceGroup())
                            .ifPresent(disks::add);
                }
            } catch (ManagementException e) {
                if (!ArmSession.notFound(e)) {
                    failed.add("virtualMachine/" + vm + ": " + e.getMessage());
                }
            }
        }
        level(session, deleted, failed, "resourceGroup", groups,
                name -> session.resources(t).getResourceGroups().beginDelete(name, null, c));
        level(session, deleted, failed, "virtualMachine", vms,
                name -> session.compute(t).getVirtualMachines().beginDelete(t.resourceGroup(), name, null, c));
        level(session, deleted, failed, "networkInterface", nics,
                name -> session.network(t).getNetworkInterfaces().beginDelete(t.resourceGroup(), name, c));
        level(session, deleted, failed, "publicIPAddress",
                byType.getOrDefault("microsoft.network/publicipaddresses", Set.of()),
                name -> session.network(t).getPublicIpAddresses().beginDelete(t.resourceGroup(), name, c));
        level(session, deleted, failed, "disk", disks,
                name -> session.compute(t).getDisks().beginDelete(t.resourceGroup(), name, c));
        level(session, deleted, failed, "virtualNetwork",
                byType.getOrDefault("microsoft.network/virtualnetworks", Set.of()),
                name -> session.network(t).getVirtualNetworks().beginDelete(t.resourceGroup(), name, c));
        level(session, deleted, failed, "networkSecurityGroup",
                byType.getOrDefault("microsoft.network/networksecuritygroups", Set.of()),
                name -> session.network(t).getNetworkSecurityGroups().beginDelete(t.resourceGroup(), name, c));
        Set<String> images = byType.getOrDefault("microsoft.compute/images", Set.of());
        if (selection.deletesImages()) {
            level(session, deleted, failed, "image", images,
                    name -> session.compute(t).getImages().beginDelete(t.resourceGroup(), name, c));
        } else if (!images.isEmpty()) {
            LOG.info("kept managed images {} in {} although their {} has passed: an expiry sweep never deletes"
                    + " images", images, t.resourceGroup(), Tags.EXPIRES_AT);
        }
        if (!deleted.isEmpty() || !failed.isEmpty()) {
            LOG.info("swept {} on {}: deleted {}{}", selection.describe(), target.key(), deleted,
                    failed.isEmpty() ? "" : ", could not delete " + failed);
        }
        return new SweepReport(deleted, failed);
    }

    private static boolean take(Selection selection, String resource, Map<String, String> tags, List<String> failed) {
        Selection.Verdict verdict = selection.judge(resource, tags);
        verdict.problem().ifPresent(failed::add);
        return verdict.take();
    }

    /** Starts every delete of one level, then waits for each: a level is gone before the next starts. */
    private static void level(ArmSession session, List<String> deleted, List<String> failed, String kind,
            Iterable<String> names, Function<String, SyncPoller<?, ?>> delete) {
        Map<String, SyncPoller<?, ?>> started = new LinkedHashMap<>();
        for (String name : names) {
            try {
                started.put(name, delete.apply(name));
            } catch (ManagementException e) {
                if (ArmSession.notFound(e)) {
                    continue;
                }
                failed.add(kind + "/" + name + ": " + e.getMessage());
            } catch (RuntimeException e) {
                failed.add(kind + "/" + name + ": " + e.getMessage());
            }
        }
        for (Map.Entry<String, SyncPoller<?, ?>> e : started.entrySet()) {
            try {
                session.await(e.getValue(), "deleting " + kind + " " + e.getKey());
                deleted.add(kind + "/" + e.getKey());
            } catch (RuntimeException ex) {
                failed.add(kind + "/" + e.getKey() + ": " + ex.getMessage());
            }
        }
    }

    /** The name of the resource {@code id} when it lives in {@code group}. */
    private static Optional<String> inGroup(String id, String group) {
        if (id == null) {
            return Optional.empty();
        }
        String lower = id.toLowerCase(Locale.ROOT);
        if (!lower.contains("/resourcegroups/" + group.toLowerCase(Locale.ROOT) + "/")) {
            return Optional.empty();
        }
        return Optional.of(id.substring(id.lastIndexOf('/') + 1));
    }
}
