package dev.kiln.vsphere.internal;

import static dev.kiln.vsphere.internal.Vcenters.first;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.KilnException;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.Scope;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.Target;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A target's capacity: its datastore's space as {@code disk_gb} (and the VMs of its folder as
 * {@code instances} with a folder VM limit), once the host or cluster, datastore, folder, library and
 * source VM it names are found to exist.
 */
public final class Quotas {

    private static final long GIB = 1L << 30;

    private final Vcenters vcenters;
    private final VsphereSettings settings;
    private final TemplateChecks templates;

    public Quotas(Vcenters vcenters, VsphereSettings settings, Limits limits) {
        this.vcenters = vcenters;
        this.settings = settings;
        this.templates = new TemplateChecks(vcenters, settings, limits);
    }

    public QuotaSnapshot probe(Target target) {
        URI vcenter = vcenters.base(target);
        String datastore = settings.datastoreOf(target);
        if (datastore == null) {
            throw new KilnException("target " + target.key() + " names no datastore: set options.datastore in the"
                    + " plan's target, or VsphereProvider.builder().datastore(...)");
        }
        checkHostOrCluster(target, vcenter);
        JsonNode ds = first(vcenters.call(target, Call.datastoresNamed(datastore)));
        if (ds == null) {
            throw new KilnException("vCenter " + vcenter + " has no datastore named '" + datastore + "' (target "
                    + target.key() + "); datastores: " + names(vcenters.call(target, Call.datastores()), "name"));
        }
        String folderId = null;
        String folder = target.options().get(Options.FOLDER);
        if (folder != null) {
            JsonNode f = first(vcenters.call(target, Call.vmFoldersNamed(folder)));
            if (f == null) {
                throw new KilnException("vCenter " + vcenter + " has no VM folder named '" + folder + "' (target "
                        + target.key() + ", options.folder); VM folders: " + names(vcenters.call(target,
                        Call.vmFolders()), "name"));
            }
            folderId = f.path("folder").asText();
        }
        String library = target.options().get(Options.LIBRARY);
        if (library != null) {
            checkLibrary(target, vcenter, library);
        }
        String source = target.options().get(Options.SOURCE);
        if (source != null && vcenters.vmsNamed(target, source).isEmpty()) {
            throw new KilnException("vCenter " + vcenter + " has no VM or template named '" + source + "' to clone"
                    + " from (target " + target.key() + ", options.source)");
        }
        String datacenter = target.options().get(Options.DATACENTER);
        if (datacenter != null) {
            List<String> all = names(vcenters.call(target, Call.datacenters()), "name");
            if (!all.contains(datacenter)) {
                throw new KilnException("vCenter " + vcenter + " has no datacenter named '" + datacenter + "' (target "
                        + target.key() + ", options.datacenter); datacenters: " + all);
            }
        }
        String network = target.options().get(Options.NETWORK);
        if (network != null) {
            List<String> all = names(vcenters.call(target, Call.networks()), "name");
            if (!all.contains(network)) {
                throw new KilnException("vCenter " + vcenter + " has no network named '" + network + "' (target "
                        + target.key() + ", options.network); networks: " + all);
            }
        }
        long capacity = ds.path("capacity").asLong();
        long free = ds.path("free_space").asLong();
        Map<String, Quota> quotas = new LinkedHashMap<>();
        // Counted per vCenter: builds on different datastores then count against each other's
        // headroom, which can only hold builds back, never overfill a datastore shared by hosts.
        quotas.put(Demand.DISK_GB, new Quota(Demand.DISK_GB, Scope.ACCOUNT, capacity / GIB,
                Math.max(0, (capacity - free + GIB - 1) / GIB)));
        if (settings.folderVmLimit() > 0) {
            JsonNode vms = folderId == null ? vcenters.call(target, Call.get("/api/vcenter/vm", "/rest/vcenter/vm"))
                    : vcenters.call(target, Call.vmsInFolder(folderId));
            quotas.put(Demand.INSTANCES, new Quota(Demand.INSTANCES, Scope.ACCOUNT, settings.folderVmLimit(),
                    vms.size()));
        }
        return new QuotaSnapshot(target, vcenters.time().now(), quotas);
    }

    private void checkHostOrCluster(Target target, URI vcenter) {
        String region = target.region();
        if (first(vcenters.call(target, Call.hostsNamed(region))) != null
                || first(vcenters.call(target, Call.clustersNamed(region))) != null) {
            return;
        }
        throw new KilnException("vCenter " + vcenter + " has no ESXi host or cluster named '" + region + "' (target "
                + target.key() + "); hosts: " + names(vcenters.call(target, Call.hosts()), "name") + ", clusters: "
                + names(vcenters.call(target, Call.clusters()), "name"));
    }

    private void checkLibrary(Target target, URI vcenter, String library) {
        JsonNode ids = vcenters.call(target, Call.librariesNamed(library));
        if (ids.size() == 0) {
            throw new KilnException("vCenter " + vcenter + " has no content library named '" + library + "' (target "
                    + target.key() + ", options.library)");
        }
        String type = vcenters.call(target, Call.library(ids.get(0).asText())).path("type").asText();
        if (!"LOCAL".equals(type)) {
            throw new KilnException("content library '" + library + "' on vCenter " + vcenter + " is " + type
                    + "; builds can only export templates to a LOCAL library (target " + target.key() + ")");
        }
    }

    /**
     * The disk a build holds, and one VM of the folder when folders have a VM limit, once its
     * template is found to build what and where the target says (see {@link TemplateChecks}).
     *
     * @throws dev.kiln.template.TemplateException naming what the template gets wrong and what exists
     */
    public Demand demandOf(BuildJob job) {
        templates.check(job);
        Demand d = Demand.NONE.with(Demand.DISK_GB, job.demand().get(Demand.DISK_GB));
        return settings.folderVmLimit() > 0 ? d.with(Demand.INSTANCES, 1) : d;
    }

    private static List<String> names(JsonNode list, String field) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }
}
