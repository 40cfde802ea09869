package dev.kiln.vsphere.internal;

import dev.kiln.limits.ProviderDefaults;
import dev.kiln.plan.ProviderCatalog;
import dev.kiln.vsphere.VsphereProvider;
import java.util.List;

/**
 * What plans may name with {@code provider: vsphere}: a target's region is a host or cluster of
 * the plan's own vCenter, any name of the right shape; its limits are the host's and the REST
 * bucket of {@link ProviderDefaults#vsphere(String)}, and one per datastore
 * ({@code vcenter.datastore.<name>}).
 */
public final class VsphereCatalog {

    private static final ProviderCatalog CATALOG = ProviderCatalog.builder(VsphereProvider.ID)
            .aliases("vmware", "vcenter", "vcsa", "esxi")
            .regionWord("host")
            .freeFormRegions()
            .limits(List.of("vcenter.host", ProviderDefaults.VCENTER_REST))
            .limitPrefix(ProviderDefaults.datastoreLimit(""))
            .build();

    private VsphereCatalog() {
    }

    public static ProviderCatalog catalog() {
        return CATALOG;
    }
}
