package dev.kiln.emulators.vsphere;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.vsphere.VcenterConfig.DatastoreSpec;
import dev.kiln.emulators.vsphere.VcenterConfig.LibrarySpec;
import dev.kiln.emulators.vsphere.VcenterConfig.VmSpec;
import dev.kiln.time.TimeSource;
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
 * Everything one emulated vCenter holds: a datacenter with hosts, clusters, datastores and VM
 * folders, the VMs, content libraries and their items, and the tagging service's categories, tags
 * and associations. One lock (this object) guards all of it. Request and answer bodies are the
 * /api forms; the protocol translates the legacy /rest forms. The services (VMs, clones,
 * infrastructure, tagging, content library) work on it under its lock.
 */
final class Inventory {

    static final String VM_TYPE = "VirtualMachine";
    static final String ITEM_TYPE = "com.vmware.content.library.Item";
    static final long GIB = 1L << 30;

    static final class Host {
        String id;
        String name;
        String clusterId;
    }

    static final class Cluster {
        String id;
        String name;
    }

    static final class Datastore {
        String id;
        String name;
        long capacity;
        long outsideUsed;
        long reserved;
    }

    static final class Folder {
        String id;
        String name;
        String type;
    }

    static final class Vm {
        String id;
        String name;
        String folderId;
        String hostId;
        String datastoreId;
        int cpus = 2;
        long memoryMiB = 4096;
        long diskBytes;
        boolean template;
        String guestOs = "OTHER_3X_LINUX_64";
        String instanceUuid;
        String ip;
        Instant created;
        String power = "POWERED_OFF";
        long poweredOnAt;
        long offAt = Long.MAX_VALUE;
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
        String vmId;
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

    static final ObjectMapper JSON = new ObjectMapper();

    final VcenterConfig config;
    final TimeSource time;
    final Map<String, Host> hosts = new LinkedHashMap<>();
    final Map<String, Cluster> clusters = new LinkedHashMap<>();
    final Map<String, Datastore> datastores = new LinkedHashMap<>();
    final Map<String, Folder> folders = new LinkedHashMap<>();
    final Map<String, Vm> vms = new LinkedHashMap<>();
    final Map<String, Library> libraries = new LinkedHashMap<>();
    final Map<String, Item> items = new LinkedHashMap<>();
    final Map<String, Category> categories = new LinkedHashMap<>();
    final Map<String, Tag> tags = new LinkedHashMap<>();
    final Map<String, Set<ObjRef>> associations = new LinkedHashMap<>();
    String datacenterId;
    String rootFolderId;
    /** The number in the next managed object reference ({@code vm-1001}). */
    int nextMoRef;
    private int ipCounter;
    private SplittableRandom random;

    Inventory(VcenterConfig config) {
        this.config = config;
        this.time = config.time();
        reset();
    }

    synchronized void reset() {
        hosts.clear();
        clusters.clear();
        datastores.clear();
        folders.clear();
        vms.clear();
        libraries.clear();
        items.clear();
        categories.clear();
        tags.clear();
        associations.clear();
        nextMoRef = 1000;
        ipCounter = 10;
        random = new SplittableRandom(config.seed());
        seed();
    }

    private void seed() {
        datacenterId = "datacenter-" + (++nextMoRef);
        Folder root = new Folder();
        root.id = "group-v" + (++nextMoRef);
        root.name = "vm";
        root.type = "VIRTUAL_MACHINE";
        folders.put(root.id, root);
        rootFolderId = root.id;
        for (String f : config.folders()) {
            Folder folder = new Folder();
            folder.id = "group-v" + (++nextMoRef);
            folder.name = f;
            folder.type = "VIRTUAL_MACHINE";
            folders.put(folder.id, folder);
        }
        Map<String, String> clusterIds = new LinkedHashMap<>();
        for (String clusterName : new LinkedHashSet<>(config.clusterOf().values())) {
            Cluster c = new Cluster();
            c.id = "domain-c" + (++nextMoRef);
            c.name = clusterName;
            clusters.put(c.id, c);
            clusterIds.put(clusterName, c.id);
        }
        for (VcenterConfig.HostSpec spec : config.hosts()) {
            Host h = new Host();
            h.id = "host-" + (++nextMoRef);
            h.name = spec.name();
            String cluster = config.clusterOf().get(spec.name());
            h.clusterId = cluster == null ? null : clusterIds.get(cluster);
            hosts.put(h.id, h);
        }
        for (DatastoreSpec spec : config.datastores()) {
            Datastore d = new Datastore();
            d.id = "datastore-" + (++nextMoRef);
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
            Vm vm = new Vm();
            vm.id = "vm-" + (++nextMoRef);
            vm.name = spec.name();
            vm.hostId = byName(hosts.values(), h -> h.name, spec.host()).id;
            vm.datastoreId = byName(datastores.values(), d -> d.name, spec.datastore()).id;
            vm.folderId = spec.folder() == null ? rootFolderId
                    : byName(folders.values(), f -> f.name, spec.folder()).id;
            vm.diskBytes = spec.diskGb() * GIB;
            vm.instanceUuid = uuid();
            vm.ip = nextIp();
            vm.created = time.now();
            vms.put(vm.id, vm);
        }
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

    /** Runs {@code work} under the lock that guards the whole inventory. */
    synchronized <T> T locked(Supplier<T> work) {
        return work.get();
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

    void removeVm(Vm vm) {
        vms.remove(vm.id);
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
        List<VmSummary> out = new ArrayList<>();
        for (Vm vm : vms.values()) {
            tick(vm);
            Datastore ds = datastores.get(vm.datastoreId);
            Folder f = folders.get(vm.folderId);
            out.add(new VmSummary(vm.id, vm.name, hostName(vm.hostId), ds == null ? "" : ds.name,
                    f == null ? "" : f.name, vm.power, vm.template, tagsOf(new ObjRef(VM_TYPE, vm.id))));
        }
        return List.copyOf(out);
    }

    synchronized List<String> libraryItemNames() {
        return items.values().stream().map(i -> i.name).toList();
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
