package dev.kiln.emulators.vsphere;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.vsphere.VcenterConfig.DatastoreSpec;
import dev.kiln.emulators.vsphere.VcenterConfig.LibrarySpec;
import dev.kiln.emulators.vsphere.VcenterConfig.VmSpec;
import dev.kiln.time.TimeSource;
import dev.kiln.time.Wakeup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Everything one emulated vCenter holds, for both of its APIs: a datacenter with its folders,
 * hosts (standalone or in clusters, each compute resource with its root resource pool), networks,
 * datastores with their files, the VMs with their devices, tasks, content libraries and their
 * items, and the tagging service's categories, tags and associations. One lock (this object)
 * guards all of it. The REST services and the vim25 methods work on it under its lock.
 */
final class Inventory {

    static final String VM_TYPE = "VirtualMachine";
    static final String ITEM_TYPE = "com.vmware.content.library.Item";
    static final long GIB = 1L << 30;

    static final class Host {
        String id;
        String name;
        /** The compute resource it belongs to: its cluster, or the one a standalone host has to itself. */
        String computeId;
        /** Its cluster's id, or null for a standalone host. */
        String clusterId;
    }

    /** A {@code ComputeResource} (a standalone host's) or a {@code ClusterComputeResource}. */
    static final class Compute {
        String id;
        String name;
        boolean cluster;
        /** Its root resource pool, {@code Resources}. */
        String poolId;
    }

    static final class Pool {
        String id;
        String name;
        String computeId;
        /** The parent pool, or null for a compute resource's root pool. */
        String parentId;
    }

    static final class Network {
        String id;
        String name;
    }

    static final class Datastore {
        String id;
        String name;
        long capacity;
        long outsideUsed;
        long reserved;
        /** Directories (datastore-relative, no trailing slash) and the files uploaded, by path. */
        final Set<String> dirs = new LinkedHashSet<>();
        final Map<String, byte[]> files = new LinkedHashMap<>();
    }

    /** A folder: the root {@code Datacenters}, a datacenter's {@code vm}/{@code host}/{@code datastore}/{@code network}, or one made in them. */
    static final class Folder {
        String id;
        String name;
        /** The REST type: DATACENTER, VIRTUAL_MACHINE, HOST, DATASTORE or NETWORK. */
        String type;
        /** The parent folder, or the datacenter for a datacenter's own folders; null for the root. */
        String parentId;
    }

    static final class Vm {
        String id;
        String name;
        String folderId;
        String hostId;
        String poolId;
        String datastoreId;
        /** Its directory on its datastore, e.g. {@code base-dev} ({@code base-dev_1} when taken). */
        String dir;
        int cpus = 2;
        long memoryMiB = 4096;
        long diskBytes;
        boolean template;
        String guestOs = "OTHER_3X_LINUX_64";
        String guestId = "other3xLinux64Guest";
        String annotation = "";
        String firmware = "bios";
        String instanceUuid;
        String biosUuid;
        String ip;
        Instant created;
        String power = "POWERED_OFF";
        long poweredOnAt;
        long offAt = Long.MAX_VALUE;
        /** Made without a guest OS (CreateVM): powered on, it installs one and powers itself off. */
        boolean installPending;
        List<Node> devices = new ArrayList<>();
        final Map<String, Node> extraConfig = new LinkedHashMap<>();
        List<Node> bootOrder = List.of();
        final List<Snapshot> snapshots = new ArrayList<>();
        long changeVersion;
    }

    static final class Library {
        String id;
        String name;
        String datastoreId;
        Instant created;
    }

    static final class Item {
        String id;
        String libraryId;
        String name;
        String description;
        String type;
        /** The template VM of a VM template item; null for an OVF item. */
        String vmId;
        long size;
        Instant created;
    }

    static final class Category {
        String id;
        String name;
        String description;
        String cardinality;
        List<String> associableTypes;
    }

    static final class Tag {
        String id;
        String categoryId;
        String name;
        String description;
    }

    record ObjRef(String type, String id) {
    }

    /** A VM's snapshot; each is the child of the one before it. */
    record Snapshot(String id, String name, String description, Instant created) {
    }

    static final ObjectMapper JSON = new ObjectMapper();

    final VcenterConfig config;
    final TimeSource time;
    final Map<String, Host> hosts = new LinkedHashMap<>();
    final Map<String, Compute> computes = new LinkedHashMap<>();
    final Map<String, Pool> pools = new LinkedHashMap<>();
    final Map<String, Network> networks = new LinkedHashMap<>();
    final Map<String, Datastore> datastores = new LinkedHashMap<>();
    final Map<String, Folder> folders = new LinkedHashMap<>();
    final Map<String, Vm> vms = new LinkedHashMap<>();
    final Map<String, Library> libraries = new LinkedHashMap<>();
    final Map<String, Item> items = new LinkedHashMap<>();
    final Map<String, Category> categories = new LinkedHashMap<>();
    final Map<String, Tag> tags = new LinkedHashMap<>();
    final Map<String, Set<ObjRef>> associations = new LinkedHashMap<>();
    final Tasks tasks;
    String datacenterId;
    /** The root folder, {@code Datacenters}. */
    String rootFolderId;
    String vmFolderId;
    String hostFolderId;
    String datastoreFolderId;
    String networkFolderId;
    /** The number in the next managed object reference ({@code vm-1001}). */
    int nextMoRef;
    private int ipCounter;
    private SplittableRandom random;
    private final Set<Wakeup> watchers = new LinkedHashSet<>();

    Inventory(VcenterConfig config) {
        this.config = config;
        this.time = config.time();
        this.tasks = new Tasks(this);
        reset();
    }

    synchronized void reset() {
        hosts.clear();
        computes.clear();
        pools.clear();
        networks.clear();
        datastores.clear();
        folders.clear();
        vms.clear();
        libraries.clear();
        items.clear();
        categories.clear();
        tags.clear();
        associations.clear();
        tasks.clear();
        nextMoRef = 1000;
        ipCounter = 10;
        random = new SplittableRandom(config.seed());
        seed();
    }

    String nextId(String prefix) {
        return prefix + (++nextMoRef);
    }

    private Folder folder(String id, String name, String type, String parentId) {
        Folder f = new Folder();
        f.id = id;
        f.name = name;
        f.type = type;
        f.parentId = parentId;
        folders.put(f.id, f);
        return f;
    }

    private void seed() {
        rootFolderId = folder("group-d1", "Datacenters", "DATACENTER", null).id;
        datacenterId = nextId("datacenter-");
        vmFolderId = folder(nextId("group-v"), "vm", "VIRTUAL_MACHINE", datacenterId).id;
        hostFolderId = folder(nextId("group-h"), "host", "HOST", datacenterId).id;
        datastoreFolderId = folder(nextId("group-s"), "datastore", "DATASTORE", datacenterId).id;
        networkFolderId = folder(nextId("group-n"), "network", "NETWORK", datacenterId).id;
        for (String f : config.folders()) {
            folder(nextId("group-v"), f, "VIRTUAL_MACHINE", vmFolderId);
        }
        Map<String, String> clusterIds = new LinkedHashMap<>();
        for (String clusterName : new LinkedHashSet<>(config.clusterOf().values())) {
            clusterIds.put(clusterName, compute(clusterName, true).id);
        }
        for (VcenterConfig.HostSpec spec : config.hosts()) {
            Host h = new Host();
            h.id = nextId("host-");
            h.name = spec.name();
            String cluster = config.clusterOf().get(spec.name());
            h.clusterId = cluster == null ? null : clusterIds.get(cluster);
            h.computeId = h.clusterId != null ? h.clusterId : compute(spec.name(), false).id;
            hosts.put(h.id, h);
        }
        for (String n : config.networks()) {
            Network net = new Network();
            net.id = nextId("network-");
            net.name = n;
            networks.put(net.id, net);
        }
        for (DatastoreSpec spec : config.datastores()) {
            Datastore d = new Datastore();
            d.id = nextId("datastore-");
            d.name = spec.name();
            d.capacity = spec.capacityGb() * GIB;
            d.outsideUsed = spec.usedGb() * GIB;
            datastores.put(d.id, d);
        }
        for (LibrarySpec spec : config.libraries()) {
            Library l = new Library();
            l.id = uuid();
            l.name = spec.name();
            l.datastoreId = byName(datastores.values(), d -> d.name, spec.datastore()).id;
            l.created = time.now();
            libraries.put(l.id, l);
        }
        for (VmSpec spec : config.vms()) {
            Host host = byName(hosts.values(), h -> h.name, spec.host());
            String folderId = spec.folder() == null ? vmFolderId : byName(folders.values().stream()
                    .filter(f -> f.type.equals("VIRTUAL_MACHINE")).toList(), f -> f.name, spec.folder()).id;
            Vm vm = newVm(spec.name(), folderId, host, byName(datastores.values(), d -> d.name,
                    spec.datastore()));
            vm.devices = Devices.sourceVm(vm, datastores.get(vm.datastoreId), spec.diskGb() * GIB,
                    networks.isEmpty() ? null : networks.values().iterator().next().name);
            Devices.refresh(vm);
        }
    }

    private Compute compute(String name, boolean cluster) {
        Compute c = new Compute();
        c.id = nextId(cluster ? "domain-c" : "domain-s");
        c.name = name;
        c.cluster = cluster;
        Pool root = new Pool();
        root.id = nextId("resgroup-");
        root.name = "Resources";
        root.computeId = c.id;
        pools.put(root.id, root);
        c.poolId = root.id;
        computes.put(c.id, c);
        return c;
    }

    /**
     * A new powered-off VM without devices, registered in {@code folderId} on {@code host} (in its
     * compute resource's root pool) with its directory on {@code ds}.
     */
    Vm newVm(String name, String folderId, Host host, Datastore ds) {
        Vm vm = new Vm();
        vm.id = nextId("vm-");
        vm.name = name;
        vm.folderId = folderId;
        vm.hostId = host.id;
        vm.poolId = computes.get(host.computeId).poolId;
        vm.datastoreId = ds.id;
        String dir = name;
        for (int n = 1; ds.dirs.contains(dir); n++) {
            dir = name + "_" + n;
        }
        vm.dir = dir;
        ds.dirs.add(dir);
        vm.instanceUuid = uuid();
        vm.biosUuid = uuid();
        vm.ip = nextIp();
        vm.created = time.now();
        vms.put(vm.id, vm);
        return vm;
    }

    /** The host a VM placed in {@code pool} runs on: DRS' choice in a cluster, the member host with the fewest VMs. */
    Host hostFor(Pool pool) {
        Host best = null;
        long bestCount = Long.MAX_VALUE;
        for (Host h : hosts.values()) {
            if (h.computeId.equals(pool.computeId)) {
                long count = vms.values().stream().filter(v -> h.id.equals(v.hostId)).count();
                if (count < bestCount) {
                    best = h;
                    bestCount = count;
                }
            }
        }
        return best;
    }

    Compute cluster(String id) {
        Compute c = computes.get(id);
        return c != null && c.cluster ? c : null;
    }

    List<Compute> clusters() {
        return computes.values().stream().filter(c -> c.cluster).toList();
    }

    static <T> T byName(Collection<T> all, java.util.function.Function<T, String> name, String wanted) {
        for (T t : all) {
            if (name.apply(t).equals(wanted)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no object named '" + wanted + "' in the emulator's inventory");
    }

    String uuid() {
        return new UUID((random.nextLong() & ~0xf000L) | 0x4000L, (random.nextLong() & ~(3L << 62)) | (2L << 62))
                .toString();
    }

    String nextIp() {
        int n = ipCounter++;
        return "10.20." + (n >> 8 & 255) + "." + (n & 255);
    }

    /**
     * Runs {@code work} under the lock that guards the whole inventory, once the tasks due by now
     * have completed; then wakes whoever waits for a change.
     */
    synchronized <T> T locked(Supplier<T> work) {
        tasks.advance();
        try {
            return work.get();
        } finally {
            changed();
        }
    }

    /**
     * As {@link #locked}, for work that only reads: it wakes nobody, so a waiter that looks again
     * does not wake itself (or another waiter, which would look again and wake it back).
     */
    synchronized <T> T reading(Supplier<T> work) {
        tasks.advance();
        return work.get();
    }

    /** Wakes every waiter of {@link #watch}: something may have changed. */
    synchronized void changed() {
        watchers.forEach(Wakeup::signal);
    }

    /** Signals {@code wakeup} at every change until {@link #unwatch}. */
    synchronized void watch(Wakeup wakeup) {
        watchers.add(wakeup);
    }

    synchronized void unwatch(Wakeup wakeup) {
        watchers.remove(wakeup);
    }

    // ------------------------------------------------------------------ lookups shared by the services

    synchronized String hostName(String hostId) {
        Host h = hosts.get(hostId);
        return h == null ? "" : h.name;
    }

    synchronized String hostOfVm(String vmId) {
        Vm vm = vms.get(vmId);
        return vm == null ? "" : hostName(vm.hostId);
    }

    /** Powers {@code vm} off if its guest shutdown is done by now. */
    void tick(Vm vm) {
        if ("POWERED_ON".equals(vm.power) && time.nanoTime() >= vm.offAt) {
            vm.power = "POWERED_OFF";
            vm.offAt = Long.MAX_VALUE;
            vm.installPending = false;
        }
    }

    /** The VM {@code id}, moved on to the present; templates are not VMs here. */
    Vm vm(String id) {
        Vm vm = vms.get(id);
        if (vm == null || vm.template) {
            // Like vCenter 7+, the VM service does not see templates, library templates included.
            throw VapiError.notFound("Virtual machine", id);
        }
        tick(vm);
        return vm;
    }

    /** The VM or template {@code id}, moved on to the present. */
    Vm anyVm(String id) {
        Vm vm = vms.get(id);
        if (vm == null) {
            throw VapiError.notFound("Virtual machine", id);
        }
        tick(vm);
        return vm;
    }

    void removeVm(Vm vm) {
        vms.remove(vm.id);
        Datastore ds = datastores.get(vm.datastoreId);
        if (ds != null && vm.dir != null) {
            ds.dirs.remove(vm.dir);
            ds.files.keySet().removeIf(path -> path.startsWith(vm.dir + "/"));
        }
        forget(new ObjRef(VM_TYPE, vm.id));
    }

    /** Detaches every tag from {@code ref}, which is gone. */
    void forget(ObjRef ref) {
        for (Set<ObjRef> attached : associations.values()) {
            attached.remove(ref);
        }
    }

    Datastore datastore(String id) {
        Datastore ds = datastores.get(id);
        if (ds == null) {
            throw VapiError.notFound("Datastore", id);
        }
        return ds;
    }

    long used(Datastore ds) {
        long used = ds.outsideUsed + ds.reserved;
        for (Vm vm : vms.values()) {
            if (ds.id.equals(vm.datastoreId)) {
                used += vm.diskBytes;
            }
        }
        return used;
    }

    long free(Datastore ds) {
        return Math.max(0, ds.capacity - used(ds));
    }

    // ------------------------------------------------------------------ for tests and the admin API

    synchronized List<TaggedResource> resourcesTagged(String categoryName, String tagName) {
        tasks.advance();
        List<TaggedResource> out = new ArrayList<>();
        for (Tag tag : tags.values()) {
            Category category = categories.get(tag.categoryId);
            if (!category.name.equals(categoryName) || !tag.name.equals(tagName)) {
                continue;
            }
            for (ObjRef ref : associations.getOrDefault(tag.id, Set.of())) {
                Map<String, String> attached = tagsOf(ref);
                if (VM_TYPE.equals(ref.type())) {
                    Vm vm = vms.get(ref.id());
                    tick(vm);
                    out.add(new TaggedResource(VcenterEmulator.PROVIDER, config.name(), hostName(vm.hostId), VM_TYPE,
                            vm.id, vm.template ? "TEMPLATE" : vm.power, attached));
                } else {
                    Item item = items.get(ref.id());
                    Library library = libraries.get(item.libraryId);
                    out.add(new TaggedResource(VcenterEmulator.PROVIDER, config.name(), library.name, ITEM_TYPE,
                            item.id, item.type, attached));
                }
            }
        }
        return List.copyOf(out);
    }

    private Map<String, String> tagsOf(ObjRef ref) {
        Map<String, String> out = new TreeMap<>();
        associations.forEach((tagId, refs) -> {
            if (refs.contains(ref)) {
                Tag t = tags.get(tagId);
                out.merge(categories.get(t.categoryId).name, t.name, (a, b) -> a + "," + b);
            }
        });
        return out;
    }

    synchronized List<VmSummary> vms() {
        tasks.advance();
        List<VmSummary> out = new ArrayList<>();
        for (Vm vm : vms.values()) {
            tick(vm);
            Datastore ds = datastores.get(vm.datastoreId);
            Folder f = folders.get(vm.folderId);
            out.add(new VmSummary(vm.id, vm.name, hostName(vm.hostId), ds == null ? "" : ds.name,
                    f == null ? "" : f.name, vm.power, vm.template, vm.annotation, tagsOf(new ObjRef(VM_TYPE, vm.id))));
        }
        return List.copyOf(out);
    }

    synchronized List<String> libraryItemNames() {
        return items.values().stream().map(i -> i.name).toList();
    }

    synchronized List<LibraryItemSummary> libraryItems() {
        return items.values().stream().map(i -> new LibraryItemSummary(i.id, i.name, libraries.get(i.libraryId).name,
                i.type, i.description, tagsOf(new ObjRef(ITEM_TYPE, i.id)))).toList();
    }

    synchronized long freeGb(String datastoreName) {
        for (Datastore d : datastores.values()) {
            if (d.name.equals(datastoreName)) {
                return free(d) / GIB;
            }
        }
        throw new IllegalArgumentException("no datastore named '" + datastoreName + "'; known: "
                + datastores.values().stream().map(d -> d.name).toList());
    }

    // ------------------------------------------------------------------ helpers

    static Set<String> set(Map<String, List<String>> q, String key) {
        List<String> values = q.get(key);
        return values == null ? Set.of() : new LinkedHashSet<>(values);
    }

    static boolean matches(Set<String> wanted, String value) {
        return wanted.isEmpty() || (value != null && wanted.contains(value));
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    static String opt(JsonNode node, String field, String fallback) {
        String v = text(node, field);
        return v == null ? fallback : v;
    }
}
