package dev.kiln.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.KilnException;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.Scope;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.SweepReport;
import dev.kiln.time.TimeSource;
import dev.kiln.vsphere.VsphereException;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@code VsphereProvider} does, behind its public face: per target (a host or cluster of a
 * vCenter), the capacity probe, the name check, artifact checks and tag sweeps, all through one
 * {@link VcenterClient} per account and Kiln's gate.
 */
public final class VsphereCloud {

    /** Target options a plan may set for vSphere targets. */
    public static final String DATASTORE = "datastore";
    public static final String FOLDER = "folder";
    public static final String LIBRARY = "library";
    public static final String SOURCE = "source";

    static final String VM_TYPE = "VirtualMachine";
    static final String ITEM_TYPE = "com.vmware.content.library.Item";
    private static final long GIB = 1L << 30;

    private final VsphereSettings settings;
    private final ExecutorService httpThreads;
    private final HttpClient http;
    private final Map<String, VcenterClient> clients = new ConcurrentHashMap<>();
    private final Map<String, String> categoryIds = new ConcurrentHashMap<>();
    private volatile ProviderContext context;

    public VsphereCloud(VsphereSettings settings) {
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        this.httpThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kiln-vsphere-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().sslContext(settings.tls()).connectTimeout(settings.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .executor(httpThreads).build();
    }

    public void start(ProviderContext ctx) {
        this.context = ctx;
    }

    private TimeSource time() {
        ProviderContext c = context;
        return c == null ? TimeSource.system() : c.time();
    }

    private ApiGate gate(Target target) {
        ProviderContext c = context;
        return c == null ? ApiGate.open() : c.gate(target);
    }

    private VcenterClient client(Target target) {
        return clients.computeIfAbsent(target.account(), account -> new VcenterClient(settings.vcenterOf(account),
                settings.credentialsOf(account), http, settings.requestTimeout(), this::time));
    }

    private JsonNode call(Target target, Call call) {
        return client(target).call(gate(target), call);
    }

    /** The target's datastore: its option, else the provider's default; null when neither names one. */
    public String datastoreOf(Target target) {
        return target.option(DATASTORE, settings.datastore());
    }

    // ------------------------------------------------------------------ limits and costs

    public LimitsTable apiLimits(Target target) {
        return ProviderDefaults.vsphere(datastoreOf(target), settings.hostMaxCost(), settings.datastoreMaxCost());
    }

    public CostModel costModel(ImageSpec image, Target target) {
        return ProviderDefaults.vsphereClone(datastoreOf(target), settings.cloneCost())
                .withExpectedDuration(settings.expectedBuildTime());
    }

    public Demand demandOf(BuildJob job) {
        Demand d = Demand.NONE.with(Demand.DISK_GB, job.demand().get(Demand.DISK_GB));
        return settings.folderVmLimit() > 0 ? d.with(Demand.INSTANCES, 1) : d;
    }

    // ------------------------------------------------------------------ preflight

    public QuotaSnapshot probeQuotas(Target target) {
        URI vcenter = client(target).base();
        String datastore = datastoreOf(target);
        if (datastore == null) {
            throw new KilnException("target " + target.key() + " names no datastore: set options.datastore in the"
                    + " plan's target, or VsphereProvider.builder().datastore(...)");
        }
        checkHostOrCluster(target, vcenter);
        JsonNode ds = first(call(target, Call.datastoresNamed(datastore)));
        if (ds == null) {
            throw new KilnException("vCenter " + vcenter + " has no datastore named '" + datastore + "' (target "
                    + target.key() + "); datastores: " + names(call(target, Call.datastores()), "name"));
        }
        String folderId = null;
        String folder = target.options().get(FOLDER);
        if (folder != null) {
            JsonNode f = first(call(target, Call.vmFoldersNamed(folder)));
            if (f == null) {
                throw new KilnException("vCenter " + vcenter + " has no VM folder named '" + folder + "' (target "
                        + target.key() + ", options.folder)");
            }
            folderId = f.path("folder").asText();
        }
        String library = target.options().get(LIBRARY);
        if (library != null) {
            checkLibrary(target, vcenter, library);
        }
        String source = target.options().get(SOURCE);
        if (source != null && first(call(target, Call.vmsNamed(source))) == null) {
            throw new KilnException("vCenter " + vcenter + " has no VM named '" + source + "' to clone from (target "
                    + target.key() + ", options.source)");
        }
        long capacity = ds.path("capacity").asLong();
        long free = ds.path("free_space").asLong();
        Map<String, Quota> quotas = new LinkedHashMap<>();
        // Counted per vCenter: builds on different datastores then count against each other's
        // headroom, which can only hold builds back, never overfill a datastore shared by hosts.
        quotas.put(Demand.DISK_GB, new Quota(Demand.DISK_GB, Scope.ACCOUNT, capacity / GIB,
                Math.max(0, (capacity - free + GIB - 1) / GIB)));
        if (settings.folderVmLimit() > 0) {
            JsonNode vms = folderId == null ? call(target, Call.get("/api/vcenter/vm", "/rest/vcenter/vm"))
                    : call(target, Call.vmsInFolder(folderId));
            quotas.put(Demand.INSTANCES, new Quota(Demand.INSTANCES, Scope.ACCOUNT, settings.folderVmLimit(),
                    vms.size()));
        }
        return new QuotaSnapshot(target, time().now(), quotas);
    }

    private void checkHostOrCluster(Target target, URI vcenter) {
        String region = target.region();
        if (first(call(target, Call.hostsNamed(region))) != null
                || first(call(target, Call.clustersNamed(region))) != null) {
            return;
        }
        throw new KilnException("vCenter " + vcenter + " has no ESXi host or cluster named '" + region + "' (target "
                + target.key() + "); hosts: " + names(call(target, Call.hosts()), "name") + ", clusters: "
                + names(call(target, Call.clusters()), "name"));
    }

    private void checkLibrary(Target target, URI vcenter, String library) {
        JsonNode ids = call(target, Call.librariesNamed(library));
        if (ids.size() == 0) {
            throw new KilnException("vCenter " + vcenter + " has no content library named '" + library + "' (target "
                    + target.key() + ", options.library)");
        }
        String type = call(target, Call.library(ids.get(0).asText())).path("type").asText();
        if (!"LOCAL".equals(type)) {
            throw new KilnException("content library '" + library + "' on vCenter " + vcenter + " is " + type
                    + "; builds can only export templates to a LOCAL library (target " + target.key() + ")");
        }
    }

    public boolean imageExists(Target target, String name) {
        return first(call(target, Call.vmsNamed(name))) != null || call(target, Call.itemsNamed(name)).size() > 0;
    }

    // ------------------------------------------------------------------ after a build

    public ArtifactCheck verifyArtifact(BuildJob job, List<Artifact> artifacts) {
        Target target = job.target();
        String name = job.imageName();
        URI vcenter = client(target).base();
        try {
            Set<String> tagged = new LinkedHashSet<>();
            Optional<String> tag = tagOf(target, job.buildId());
            if (tag.isPresent()) {
                for (JsonNode o : call(target, Call.attachedObjects(tag.get()))) {
                    tagged.add(o.path("type").asText() + "/" + o.path("id").asText());
                }
            }
            List<String> verified = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            String tagText = settings.tagCategory() + "=" + job.buildId();
            for (JsonNode vm : call(target, Call.vmsNamed(name))) {
                String id = vm.path("vm").asText();
                if (!tagged.contains(VM_TYPE + "/" + id)) {
                    problems.add("VM '" + name + "' (" + id + ") on vCenter " + vcenter + " is not tagged " + tagText
                            + ": it was not made by this build, or the build did not tag it");
                } else if (!"POWERED_OFF".equals(vm.path("power_state").asText())) {
                    problems.add("VM '" + name + "' (" + id + ") on vCenter " + vcenter + " is "
                            + vm.path("power_state").asText() + "; a finished template is powered off");
                } else {
                    verified.add(VM_TYPE + ":" + id);
                }
            }
            for (JsonNode item : call(target, Call.itemsNamed(name))) {
                String id = item.asText();
                if (tagged.contains(ITEM_TYPE + "/" + id)) {
                    verified.add("LibraryItem:" + id);
                } else {
                    problems.add("content library item '" + name + "' (" + id + ") on vCenter " + vcenter
                            + " is not tagged " + tagText);
                }
            }
            if (verified.isEmpty() && problems.isEmpty()) {
                problems.add("no VM or content library item named '" + name + "' on vCenter " + vcenter
                        + " after the build" + (artifacts.isEmpty() ? "" : " (packer reported "
                        + artifacts.stream().map(Artifact::id).toList() + ")"));
            }
            return new ArtifactCheck(verified, problems);
        } catch (VsphereException e) {
            return ArtifactCheck.failed("could not check '" + name + "': " + e.getMessage());
        }
    }

    public SweepReport sweep(Target target, String buildId) {
        Optional<String> tag = tagOf(target, buildId);
        if (tag.isEmpty()) {
            return SweepReport.NOTHING;
        }
        List<String> deleted = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        JsonNode attached;
        try {
            attached = call(target, Call.attachedObjects(tag.get()));
        } catch (VsphereException e) {
            if (e.notFound()) {
                return SweepReport.NOTHING;
            }
            throw e;
        }
        // Dependency order: VMs first (a library template's VM goes with its item), then items.
        List<JsonNode> ordered = new ArrayList<>();
        attached.forEach(o -> {
            if (VM_TYPE.equals(o.path("type").asText())) {
                ordered.add(o);
            }
        });
        attached.forEach(o -> {
            if (!VM_TYPE.equals(o.path("type").asText())) {
                ordered.add(o);
            }
        });
        for (JsonNode o : ordered) {
            String type = o.path("type").asText();
            String id = o.path("id").asText();
            try {
                if (VM_TYPE.equals(type)) {
                    deleteVm(target, id);
                    deleted.add(VM_TYPE + "/" + id);
                } else if (ITEM_TYPE.equals(type)) {
                    ignoreNotFound(() -> call(target, Call.deleteItem(id)));
                    deleted.add("LibraryItem/" + id);
                } else {
                    failed.add(type + "/" + id + ": tagged " + settings.tagCategory() + "=" + buildId
                            + ", but Kiln does not delete " + type + " objects; remove it by hand");
                }
            } catch (VsphereException e) {
                failed.add(type + "/" + id + ": " + e.getMessage());
            }
        }
        if (failed.isEmpty()) {
            try {
                ignoreNotFound(() -> call(target, Call.deleteTag(tag.get())));
                deleted.add("Tag/" + settings.tagCategory() + "=" + buildId);
            } catch (VsphereException e) {
                failed.add("Tag/" + settings.tagCategory() + "=" + buildId + ": " + e.getMessage());
            }
        }
        return new SweepReport(deleted, failed);
    }

    private void deleteVm(Target target, String id) {
        try {
            call(target, Call.powerStop(id));
        } catch (VsphereException e) {
            // Already off, or already gone: both are where the sweep wants the VM.
            if (!e.notFound() && !"ALREADY_IN_DESIRED_STATE".equals(e.errorType())) {
                throw e;
            }
        }
        ignoreNotFound(() -> call(target, Call.deleteVm(id)));
    }

    private static void ignoreNotFound(Runnable r) {
        try {
            r.run();
        } catch (VsphereException e) {
            if (!e.notFound()) {
                throw e;
            }
        }
    }

    /** The id of the tag {@code category=buildId}, if there is one. */
    private Optional<String> tagOf(Target target, String buildId) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Optional<String> category = categoryOf(target);
            if (category.isEmpty()) {
                return Optional.empty();
            }
            try {
                for (JsonNode id : call(target, Call.tagsForCategory(category.get()))) {
                    if (buildId.equals(call(target, Call.tag(id.asText())).path("name").asText())) {
                        return Optional.of(id.asText());
                    }
                }
                return Optional.empty();
            } catch (VsphereException e) {
                if (!e.notFound()) {
                    throw e;
                }
                // The category was deleted since it was looked up: look again.
                categoryIds.remove(target.account());
            }
        }
        return Optional.empty();
    }

    private Optional<String> categoryOf(Target target) {
        String cached = categoryIds.get(target.account());
        if (cached != null) {
            return Optional.of(cached);
        }
        for (JsonNode id : call(target, Call.categories())) {
            if (settings.tagCategory().equals(call(target, Call.category(id.asText())).path("name").asText())) {
                categoryIds.put(target.account(), id.asText());
                return Optional.of(id.asText());
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ packer

    public Map<String, String> packerEnv(Target target, Budget budget) {
        URI vcenter = settings.vcenterOf(target.account());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KILN_VSPHERE_URL", vcenter.toString());
        env.put("KILN_VSPHERE_SERVER", vcenter.getPort() < 0 ? vcenter.getHost()
                : vcenter.getHost() + ":" + vcenter.getPort());
        env.put("KILN_VSPHERE_INSECURE", Boolean.toString(settings.insecure()));
        env.put("KILN_VSPHERE_HOST", target.region());
        String datastore = datastoreOf(target);
        if (datastore != null) {
            env.put("KILN_VSPHERE_DATASTORE", datastore);
        }
        for (String option : List.of(FOLDER, LIBRARY, SOURCE)) {
            String v = target.options().get(option);
            if (v != null) {
                env.put("KILN_VSPHERE_" + option.toUpperCase(java.util.Locale.ROOT), v);
            }
        }
        env.put("KILN_VSPHERE_TAG_CATEGORY", settings.tagCategory());
        return env;
    }

    public void close() {
        clients.values().forEach(VcenterClient::close);
        clients.clear();
        httpThreads.shutdown();
        try {
            if (!httpThreads.awaitTermination(5, TimeUnit.SECONDS)) {
                httpThreads.shutdownNow();
            }
        } catch (InterruptedException e) {
            httpThreads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static JsonNode first(JsonNode list) {
        return list.isArray() && list.size() > 0 ? list.get(0) : null;
    }

    private static List<String> names(JsonNode list, String field) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    @Override
    public String toString() {
        return "VsphereCloud[" + (settings.defaultVcenter() != null ? settings.defaultVcenter()
                : settings.vcenters().isEmpty() ? "https://<account>" : settings.vcenters().values()) + "]";
    }
}
