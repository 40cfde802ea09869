package dev.kiln.azure.internal;

import com.azure.core.management.exception.ManagementException;
import com.azure.core.util.Context;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.ComputeManagementClient;
import com.azure.resourcemanager.compute.fluent.models.GalleryImageVersionInner;
import com.azure.resourcemanager.compute.fluent.models.ImageInner;
import com.azure.resourcemanager.compute.fluent.models.UsageInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineSizeInner;
import com.azure.resourcemanager.compute.models.NetworkInterfaceReference;
import com.azure.resourcemanager.network.fluent.NetworkManagementClient;
import com.azure.resourcemanager.resources.fluent.ResourceManagementClient;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceExpandedInner;
import com.azure.resourcemanager.resources.fluent.models.ResourceGroupInner;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.Scope;
import dev.kiln.plan.Demand;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.SweepReport;
import dev.kiln.time.TimeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** What {@code AzureProvider} asks of ARM, each call under the target's gate. */
public final class AzureCalls {

    /** The tag every resource of a build carries. */
    public static final String BUILD_TAG = "kiln-build-id";

    private final ArmSession session;
    private final Function<Target, ApiGate> gates;
    private final TimeSource time;
    private final Map<String, Map<String, Integer>> sizes = new ConcurrentHashMap<>();

    public AzureCalls(ArmSession session, Function<Target, ApiGate> gates, TimeSource time) {
        this.session = session;
        this.gates = gates;
        this.time = time;
    }

    private Context context(Target target) {
        return GatePolicy.context(gates.apply(target));
    }

    private ComputeManagementClient compute(AzureTarget t) {
        return session.compute(t.subscription()).serviceClient();
    }

    private NetworkManagementClient network(AzureTarget t) {
        return session.compute(t.subscription()).networkManager().serviceClient();
    }

    private ResourceManagementClient resources(AzureTarget t) {
        ComputeManager m = session.compute(t.subscription());
        return m.resourceManager().serviceClient();
    }

    // --- quotas and sizes

    /** Compute usages of the target's region: {@code cores} as {@code vcpus}, {@code virtualMachines} as {@code instances}, families by name. */
    public QuotaSnapshot probeQuotas(Target target) {
        AzureTarget t = AzureTarget.of(target);
        Map<String, Quota> quotas = new LinkedHashMap<>();
        for (UsageInner u : compute(t).getUsages().list(t.region(), context(target))) {
            String name = u.name().value();
            String metric = switch (name) {
                case "cores" -> Demand.VCPUS;
                case "virtualMachines" -> Demand.INSTANCES;
                default -> name;
            };
            quotas.put(metric, new Quota(metric, Scope.REGION, u.limit(), u.currentValue()));
        }
        return new QuotaSnapshot(target, time.now(), quotas);
    }

    /** vCPUs of {@code size} in the target's region, from its VM sizes list (asked once per region). */
    public Optional<Integer> vcpus(Target target, String size) {
        AzureTarget t = AzureTarget.of(target);
        Map<String, Integer> table = sizes.computeIfAbsent(t.subscription() + "/" + t.region(), k -> {
            Map<String, Integer> m = new ConcurrentHashMap<>();
            for (VirtualMachineSizeInner s : compute(t).getVirtualMachineSizes().list(t.region(), context(target))) {
                if (s.numberOfCores() != null) {
                    m.put(s.name().toLowerCase(Locale.ROOT), s.numberOfCores());
                }
            }
            return m;
        });
        return Optional.ofNullable(table.get(size.toLowerCase(Locale.ROOT)));
    }

    // --- images

    public boolean imageExists(Target target, String name) {
        AzureTarget t = AzureTarget.of(target);
        return t.usesGallery() ? galleryVersion(target, t, name).isPresent() : image(target, t, name).isPresent();
    }

    private Optional<ImageInner> image(Target target, AzureTarget t, String name) {
        try {
            return Optional.ofNullable(compute(t).getImages().getByResourceGroupWithResponse(t.resourceGroup(), name,
                    null, context(target)).getValue());
        } catch (ManagementException e) {
            if (ArmSession.notFound(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private Optional<GalleryImageVersionInner> galleryVersion(Target target, AzureTarget t, String version) {
        try {
            return Optional.ofNullable(compute(t).getGalleryImageVersions().getWithResponse(t.resourceGroup(),
                    t.gallery(), t.galleryImage(), version, null, context(target)).getValue());
        } catch (ManagementException e) {
            if (ArmSession.notFound(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The image (or gallery version) named {@code name} exists, provisioned, tagged with {@code buildId}. */
    public ArtifactCheck verify(Target target, String name, String buildId) {
        AzureTarget t = AzureTarget.of(target);
        String where;
        String state;
        Map<String, String> tags;
        String id;
        if (t.usesGallery()) {
            where = "gallery image version " + name + " of " + t.gallery() + "/" + t.galleryImage()
                    + " in resource group " + t.resourceGroup();
            Optional<GalleryImageVersionInner> v = galleryVersion(target, t, name);
            if (v.isEmpty()) {
                return ArtifactCheck.failed(where + " does not exist");
            }
            state = v.get().provisioningState() == null ? null : v.get().provisioningState().toString();
            tags = v.get().tags();
            id = v.get().id();
        } else {
            where = "managed image " + name + " in resource group " + t.resourceGroup() + " of subscription "
                    + t.subscription();
            Optional<ImageInner> image = image(target, t, name);
            if (image.isEmpty()) {
                return ArtifactCheck.failed(where + " does not exist");
            }
            state = image.get().provisioningState();
            tags = image.get().tags();
            id = image.get().id();
        }
        List<String> problems = new ArrayList<>();
        if (!"Succeeded".equalsIgnoreCase(state)) {
            problems.add(where + " is in provisioning state " + state + ", not Succeeded");
        }
        String tag = tags == null ? null : tags.get(BUILD_TAG);
        if (tag == null) {
            problems.add(where + " has no tag " + BUILD_TAG + " (expected " + buildId + ")");
        } else if (!tag.equals(buildId)) {
            problems.add(where + " is tagged " + BUILD_TAG + "=" + tag + ", expected " + buildId);
        }
        return problems.isEmpty() ? ArtifactCheck.ok(List.of(id)) : new ArtifactCheck(List.of(), problems);
    }

    // --- sweep

    /**
     * Deletes what a build left: resource groups tagged with its id (packer's temporary groups),
     * then, in the target's resource group, tagged VMs, network interfaces, public IPs, disks (with
     * the NICs and OS disks of the swept VMs, which Azure does not tag), virtual networks, security
     * groups and images, each level after the one before has gone.
     */
    public SweepReport sweep(Target target, String buildId) {
        AzureTarget t = AzureTarget.of(target);
        Context c = context(target);
        List<String> deleted = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        String filter = "tagName eq '" + BUILD_TAG + "' and tagValue eq '" + buildId.replace("'", "''") + "'";

        List<String> groups = new ArrayList<>();
        for (ResourceGroupInner g : resources(t).getResourceGroups().list(filter, null, c)) {
            if (!g.name().equalsIgnoreCase(t.resourceGroup())) {
                groups.add(g.name());
            }
        }
        Map<String, Set<String>> byType = new LinkedHashMap<>();
        try {
            for (GenericResourceExpandedInner r : resources(t).getResources().listByResourceGroup(t.resourceGroup(),
                    filter, null, null, c)) {
                byType.computeIfAbsent(r.type().toLowerCase(Locale.ROOT), k -> new LinkedHashSet<>()).add(r.name());
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
                VirtualMachineInner inner = compute(t).getVirtualMachines().getByResourceGroupWithResponse(
                        t.resourceGroup(), vm, null, c).getValue();
                if (inner.networkProfile() != null && inner.networkProfile().networkInterfaces() != null) {
                    for (NetworkInterfaceReference n : inner.networkProfile().networkInterfaces()) {
                        inGroup(n.id(), t.resourceGroup()).ifPresent(nics::add);
                    }
                }
                if (inner.storageProfile() != null && inner.storageProfile().osDisk() != null
                        && inner.storageProfile().osDisk().managedDisk() != null) {
                    inGroup(inner.storageProfile().osDisk().managedDisk().id(), t.resourceGroup()).ifPresent(disks::add);
                }
            } catch (ManagementException e) {
                if (!ArmSession.notFound(e)) {
                    failed.add("virtualMachine/" + vm + ": " + e.getMessage());
                }
            }
        }
        level(deleted, failed, "resourceGroup", groups,
                name -> resources(t).getResourceGroups().beginDelete(name, null, c));
        level(deleted, failed, "virtualMachine", vms,
                name -> compute(t).getVirtualMachines().beginDelete(t.resourceGroup(), name, null, c));
        level(deleted, failed, "networkInterface", nics,
                name -> network(t).getNetworkInterfaces().beginDelete(t.resourceGroup(), name, c));
        level(deleted, failed, "publicIPAddress", byType.getOrDefault("microsoft.network/publicipaddresses", Set.of()),
                name -> network(t).getPublicIpAddresses().beginDelete(t.resourceGroup(), name, c));
        level(deleted, failed, "disk", disks,
                name -> compute(t).getDisks().beginDelete(t.resourceGroup(), name, c));
        level(deleted, failed, "virtualNetwork", byType.getOrDefault("microsoft.network/virtualnetworks", Set.of()),
                name -> network(t).getVirtualNetworks().beginDelete(t.resourceGroup(), name, c));
        level(deleted, failed, "networkSecurityGroup",
                byType.getOrDefault("microsoft.network/networksecuritygroups", Set.of()),
                name -> network(t).getNetworkSecurityGroups().beginDelete(t.resourceGroup(), name, c));
        level(deleted, failed, "image", byType.getOrDefault("microsoft.compute/images", Set.of()),
                name -> compute(t).getImages().beginDelete(t.resourceGroup(), name, c));
        return new SweepReport(deleted, failed);
    }

    /** Starts every delete of one level, then waits for each: a level is gone before the next starts. */
    private void level(List<String> deleted, List<String> failed, String kind, Iterable<String> names,
            Function<String, SyncPoller<?, ?>> delete) {
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
