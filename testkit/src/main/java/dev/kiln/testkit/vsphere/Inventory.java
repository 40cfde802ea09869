package dev.kiln.testkit.vsphere;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.testkit.ApiCounters.Outcome;
import dev.kiln.testkit.TaggedResource;
import dev.kiln.testkit.vsphere.VapiError.Type;
import dev.kiln.testkit.vsphere.VcenterConfig.DatastoreSpec;
import dev.kiln.testkit.vsphere.VcenterConfig.LibrarySpec;
import dev.kiln.testkit.vsphere.VcenterConfig.VmSpec;
import dev.kiln.time.TimeSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Everything one emulated vCenter holds: a datacenter with hosts, clusters, datastores and VM
 * folders, the VMs, content libraries and their items, and the tagging service's categories, tags
 * and associations. One lock (this object) guards all of it. Request and answer bodies are the
 * /api forms; the handler translates the legacy /rest forms.
 */
final class Inventory {

    static final String VM_TYPE = "VirtualMachine";
    static final String ITEM_TYPE = "com.vmware.content.library.Item";
    private static final long GIB = 1L << 30;
    private static final int MAX_VMS_LISTED = 4000;

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

    /** A provisioning operation validated and holding its disk space, to be completed after its slot. */
    record Pending(String kind, String hostId, String hostName, String datastoreId, String datastoreName,
            long diskBytes, JsonNode spec, String sourceVmId) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final VcenterConfig config;
    private final TimeSource time;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Map<String, Cluster> clusters = new LinkedHashMap<>();
    private final Map<String, Datastore> datastores = new LinkedHashMap<>();
    private final Map<String, Folder> folders = new LinkedHashMap<>();
    private final Map<String, Vm> vms = new LinkedHashMap<>();
    private final Map<String, Library> libraries = new LinkedHashMap<>();
    private final Map<String, Item> items = new LinkedHashMap<>();
    private final Map<String, Category> categories = new LinkedHashMap<>();
    private final Map<String, Tag> tags = new LinkedHashMap<>();
    private final Map<String, Set<ObjRef>> associations = new LinkedHashMap<>();
    private String datacenterId;
    private String rootFolderId;
    private int nextMoRef;
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

    private static <T> T byName(Collection<T> all, java.util.function.Function<T, String> name, String wanted) {
        for (T t : all) {
            if (name.apply(t).equals(wanted)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no object named '" + wanted + "' in the emulator's inventory");
    }

    private String uuid() {
        return new UUID((random.nextLong() & ~0xf000L) | 0x4000L, (random.nextLong() & ~(3L << 62)) | (2L << 62))
                .toString();
    }

    private String nextIp() {
        int n = ipCounter++;
        return "10.20." + (n >> 8 & 255) + "." + (n & 255);
    }

    // ------------------------------------------------------------------ lookups for the handler

    synchronized String hostName(String hostId) {
        Host h = hosts.get(hostId);
        return h == null ? "" : h.name;
    }

    synchronized String hostOfVm(String vmId) {
        Vm vm = vms.get(vmId);
        return vm == null ? "" : hostName(vm.hostId);
    }

    // ------------------------------------------------------------------ VMs

    private void tick(Vm vm) {
        if ("POWERED_ON".equals(vm.power) && time.nanoTime() >= vm.offAt) {
            vm.power = "POWERED_OFF";
            vm.offAt = Long.MAX_VALUE;
        }
    }

    private Vm vm(String id) throws VapiError {
        Vm vm = vms.get(id);
        if (vm == null || vm.template) {
            // Like vCenter 7+, the VM service does not see templates, library templates included.
            throw VapiError.notFound("Virtual machine", id);
        }
        tick(vm);
        return vm;
    }

    synchronized ArrayNode listVms(Map<String, List<String>> q) throws VapiError {
        Set<String> ids = set(q, "vms");
        Set<String> names = set(q, "names");
        Set<String> inFolders = set(q, "folders");
        Set<String> onHosts = set(q, "hosts");
        Set<String> inClusters = set(q, "clusters");
        Set<String> states = set(q, "power_states");
        Set<String> dcs = set(q, "datacenters");
        ArrayNode out = JSON.createArrayNode();
        for (Vm vm : vms.values()) {
            if (vm.template) {
                continue;
            }
            tick(vm);
            Host host = hosts.get(vm.hostId);
            if (matches(ids, vm.id) && matches(names, vm.name) && matches(inFolders, vm.folderId)
                    && matches(onHosts, vm.hostId) && matches(inClusters, host == null ? null : host.clusterId)
                    && matches(states, vm.power) && matches(dcs, datacenterId)) {
                out.add(summary(vm));
            }
        }
        if (out.size() > MAX_VMS_LISTED) {
            throw new VapiError(Type.UNABLE_TO_ALLOCATE_RESOURCE, "com.vmware.api.vcenter.vm.list.too_many",
                    "More than " + MAX_VMS_LISTED + " virtual machines match the filter; narrow it.");
        }
        return out;
    }

    private static ObjectNode summary(Vm vm) {
        return JSON.createObjectNode().put("vm", vm.id).put("name", vm.name).put("power_state", vm.power)
                .put("cpu_count", vm.cpus).put("memory_size_MiB", vm.memoryMiB);
    }

    synchronized ObjectNode getVm(String id) throws VapiError {
        Vm vm = vm(id);
        ObjectNode out = JSON.createObjectNode().put("name", vm.name).put("power_state", vm.power)
                .put("guest_OS", vm.guestOs);
        out.putObject("identity").put("name", vm.name).put("instance_uuid", vm.instanceUuid)
                .put("bios_uuid", vm.instanceUuid);
        out.putObject("cpu").put("count", vm.cpus).put("cores_per_socket", 1).put("hot_add_enabled", false)
                .put("hot_remove_enabled", false);
        out.putObject("memory").put("size_MiB", vm.memoryMiB).put("hot_add_enabled", false);
        out.putObject("hardware").put("version", "VMX_19").put("upgrade_policy", "NEVER")
                .put("upgrade_status", "NONE");
        out.putObject("boot").put("type", "BIOS").put("delay", 0).put("retry", false).put("enter_setup_mode", false);
        ObjectNode disk = out.putObject("disks").putObject("2000").put("label", "Hard disk 1").put("type", "SCSI")
                .put("capacity", vm.diskBytes);
        Datastore ds = datastores.get(vm.datastoreId);
        disk.putObject("backing").put("type", "VMDK_FILE")
                .put("vmdk_file", "[" + (ds == null ? "" : ds.name) + "] " + vm.name + "/" + vm.name + ".vmdk");
        out.putObject("nics");
        out.putObject("cdroms");
        return out;
    }

    synchronized void deleteVm(String id) throws VapiError {
        Vm vm = vm(id);
        if (!"POWERED_OFF".equals(vm.power)) {
            throw VapiError.state("Virtual machine '" + vm.name + "' (" + id + ") is " + vm.power
                    + "; power it off before deleting it.");
        }
        removeVm(vm);
    }

    private void removeVm(Vm vm) {
        vms.remove(vm.id);
        forget(new ObjRef(VM_TYPE, vm.id));
    }

    private void forget(ObjRef ref) {
        for (Set<ObjRef> attached : associations.values()) {
            attached.remove(ref);
        }
    }

    synchronized ObjectNode powerGet(String id) throws VapiError {
        Vm vm = vm(id);
        ObjectNode out = JSON.createObjectNode().put("state", vm.power);
        if ("POWERED_OFF".equals(vm.power)) {
            out.put("clean_power_off", true);
        }
        return out;
    }

    synchronized void power(String id, String action) throws VapiError {
        Vm vm = vm(id);
        switch (action) {
            case "start" -> {
                if ("POWERED_ON".equals(vm.power)) {
                    throw desired(vm, "powered on");
                }
                vm.power = "POWERED_ON";
                vm.poweredOnAt = time.nanoTime();
                vm.offAt = Long.MAX_VALUE;
            }
            case "stop" -> {
                if ("POWERED_OFF".equals(vm.power)) {
                    throw desired(vm, "powered off");
                }
                vm.power = "POWERED_OFF";
                vm.offAt = Long.MAX_VALUE;
            }
            case "suspend" -> {
                if (!"POWERED_ON".equals(vm.power)) {
                    throw VapiError.state("Virtual machine '" + vm.name + "' is " + vm.power + "; only a powered on"
                            + " virtual machine can be suspended.");
                }
                vm.power = "SUSPENDED";
            }
            case "reset" -> {
                if (!"POWERED_ON".equals(vm.power)) {
                    throw VapiError.state("Virtual machine '" + vm.name + "' is " + vm.power + "; only a powered on"
                            + " virtual machine can be reset.");
                }
                vm.poweredOnAt = time.nanoTime();
            }
            default -> throw VapiError.invalid("Unknown power operation '" + action
                    + "'; use start, stop, suspend or reset.");
        }
    }

    private static VapiError desired(Vm vm, String state) {
        return new VapiError(Type.ALREADY_IN_DESIRED_STATE, "com.vmware.api.vcenter.vm.power.already_in_state",
                "Virtual machine '" + vm.name + "' is already " + state + ".", vm.id);
    }

    private boolean toolsRunning(Vm vm) {
        return "POWERED_ON".equals(vm.power) && vm.offAt == Long.MAX_VALUE
                && time.nanoTime() - vm.poweredOnAt >= config.bootTime().toNanos();
    }

    synchronized ObjectNode guestIdentity(String id) throws VapiError {
        Vm vm = vm(id);
        if (!"POWERED_ON".equals(vm.power)) {
            throw VapiError.state("Virtual machine '" + vm.name + "' is not running.");
        }
        if (!toolsRunning(vm)) {
            throw toolsNotRunning(vm);
        }
        ObjectNode out = JSON.createObjectNode().put("name", vm.guestOs).put("family", "LINUX")
                .put("host_name", vm.name.toLowerCase(java.util.Locale.ROOT)).put("ip_address", vm.ip);
        ObjectNode fullName = out.putObject("full_name").put("default_message", "Other 3.x or later Linux (64-bit)")
                .put("id", "vmsg.guestos.other3xLinux64Guest.label");
        fullName.putArray("args");
        return out;
    }

    private static VapiError toolsNotRunning(Vm vm) {
        return new VapiError(Type.SERVICE_UNAVAILABLE, "com.vmware.api.vcenter.vm.guest.tools_not_running",
                "VMware Tools is not running in virtual machine '" + vm.name + "'.", Outcome.ERROR, vm.id);
    }

    synchronized ObjectNode guestPowerGet(String id) throws VapiError {
        Vm vm = vm(id);
        boolean running = toolsRunning(vm);
        return JSON.createObjectNode().put("state", "POWERED_ON".equals(vm.power)
                ? (running ? "RUNNING" : "NOT_RUNNING") : "NOT_RUNNING").put("operations_ready", running);
    }

    synchronized void guestPower(String id, String action) throws VapiError {
        Vm vm = vm(id);
        if (!"POWERED_ON".equals(vm.power)) {
            throw VapiError.state("Virtual machine '" + vm.name + "' is " + vm.power + ".");
        }
        if (!toolsRunning(vm)) {
            throw toolsNotRunning(vm);
        }
        switch (action) {
            case "shutdown" -> vm.offAt = Math.addExact(time.nanoTime(), config.shutdownTime().toNanos());
            case "reboot" -> vm.poweredOnAt = time.nanoTime();
            case "standby" -> vm.power = "SUSPENDED";
            default -> throw VapiError.invalid("Unknown guest power operation '" + action
                    + "'; use shutdown, reboot or standby.");
        }
    }

    // ------------------------------------------------------------------ provisioning

    synchronized Pending prepareClone(JsonNode body) throws VapiError {
        String source = text(body, "source");
        String name = text(body, "name");
        if (source == null || name == null) {
            throw VapiError.invalid("A clone needs 'source' (a virtual machine) and 'name'.");
        }
        Vm src = vm(source);
        JsonNode placement = body.path("placement");
        String folderId = opt(placement, "folder", src.folderId);
        if (!folders.containsKey(folderId)) {
            throw VapiError.notFound("Folder", folderId);
        }
        Host host = placementHost(placement, src.hostId);
        Datastore ds = datastore(opt(placement, "datastore", src.datastoreId));
        checkNameFree(folderId, name);
        reserve(ds, src.diskBytes, name);
        return new Pending("clone", host.id, host.name, ds.id, ds.name, src.diskBytes, body, src.id);
    }

    private Host placementHost(JsonNode placement, String fallbackHostId) throws VapiError {
        String hostId = text(placement, "host");
        if (hostId != null) {
            Host h = hosts.get(hostId);
            if (h == null) {
                throw VapiError.notFound("Host", hostId);
            }
            return h;
        }
        String clusterId = text(placement, "cluster");
        if (clusterId != null) {
            if (!clusters.containsKey(clusterId)) {
                throw VapiError.notFound("Cluster", clusterId);
            }
            // DRS' choice: the member host with the fewest VMs.
            Host best = null;
            long bestCount = Long.MAX_VALUE;
            for (Host h : hosts.values()) {
                if (clusterId.equals(h.clusterId)) {
                    long count = vms.values().stream().filter(v -> h.id.equals(v.hostId)).count();
                    if (count < bestCount) {
                        best = h;
                        bestCount = count;
                    }
                }
            }
            if (best == null) {
                throw VapiError.state("Cluster " + clusterId + " has no host to place the virtual machine on.");
            }
            return best;
        }
        Host h = hosts.get(fallbackHostId);
        if (h == null) {
            throw VapiError.notFound("Host", fallbackHostId);
        }
        return h;
    }

    private Datastore datastore(String id) throws VapiError {
        Datastore ds = datastores.get(id);
        if (ds == null) {
            throw VapiError.notFound("Datastore", id);
        }
        return ds;
    }

    private void checkNameFree(String folderId, String name) throws VapiError {
        for (Vm vm : vms.values()) {
            if (vm.name.equals(name) && vm.folderId.equals(folderId)) {
                throw new VapiError(Type.ALREADY_EXISTS, "com.vmware.api.vcenter.vm.duplicate_name",
                        "The name '" + name + "' already exists.", name);
            }
        }
    }

    private void reserve(Datastore ds, long bytes, String what) throws VapiError {
        if (free(ds) < bytes) {
            throw new VapiError(Type.UNABLE_TO_ALLOCATE_RESOURCE, "com.vmware.vim.InsufficientDiskSpace",
                    "Insufficient disk space on datastore '" + ds.name + "' for '" + what + "': "
                            + bytes / GIB + " GiB needed, " + free(ds) / GIB + " GiB free.", ds.id);
        }
        ds.reserved += bytes;
    }

    private long used(Datastore ds) {
        long used = ds.outsideUsed + ds.reserved;
        for (Vm vm : vms.values()) {
            if (ds.id.equals(vm.datastoreId)) {
                used += vm.diskBytes;
            }
        }
        return used;
    }

    private long free(Datastore ds) {
        return Math.max(0, ds.capacity - used(ds));
    }

    /** Gives back the space of an operation that will not complete. */
    synchronized void abandon(Pending p) {
        Datastore ds = datastores.get(p.datastoreId());
        if (ds != null) {
            ds.reserved = Math.max(0, ds.reserved - p.diskBytes());
        }
    }

    synchronized String completeClone(Pending p) throws VapiError {
        abandon(p);
        Vm src = vms.get(p.sourceVmId());
        JsonNode body = p.spec();
        String name = text(body, "name");
        String folderId = opt(body.path("placement"), "folder", src == null ? rootFolderId : src.folderId);
        checkNameFree(folderId, name);
        Vm vm = new Vm();
        vm.id = "vm-" + (++nextMoRef);
        vm.name = name;
        vm.folderId = folderId;
        vm.hostId = p.hostId();
        vm.datastoreId = p.datastoreId();
        vm.diskBytes = p.diskBytes();
        if (src != null) {
            vm.cpus = src.cpus;
            vm.memoryMiB = src.memoryMiB;
            vm.guestOs = src.guestOs;
        }
        vm.instanceUuid = uuid();
        vm.ip = nextIp();
        vm.created = time.now();
        vms.put(vm.id, vm);
        if (body.path("power_on").asBoolean(false)) {
            vm.power = "POWERED_ON";
            vm.poweredOnAt = time.nanoTime();
        }
        return vm.id;
    }

    synchronized Pending prepareTemplate(JsonNode body) throws VapiError {
        String sourceVm = text(body, "source_vm");
        String name = text(body, "name");
        String libraryId = text(body, "library");
        if (sourceVm == null || name == null || libraryId == null) {
            throw VapiError.invalid("A VM template library item needs 'source_vm', 'name' and 'library'.");
        }
        Vm src = vm(sourceVm);
        Library library = libraries.get(libraryId);
        if (library == null) {
            throw VapiError.notFound("Library", libraryId);
        }
        checkItemNameFree(library, name);
        JsonNode placement = body.path("placement");
        String folderId = opt(placement, "folder", src.folderId);
        if (!folders.containsKey(folderId)) {
            throw VapiError.notFound("Folder", folderId);
        }
        Host host = placementHost(placement, src.hostId);
        Datastore ds = datastore(opt(body.path("vm_home_storage"), "datastore", library.datastoreId));
        reserve(ds, src.diskBytes, name);
        return new Pending("template", host.id, host.name, ds.id, ds.name, src.diskBytes, body, src.id);
    }

    private void checkItemNameFree(Library library, String name) throws VapiError {
        for (Item item : items.values()) {
            if (item.libraryId.equals(library.id) && item.name.equals(name)) {
                throw new VapiError(Type.ALREADY_EXISTS, "com.vmware.vdcs.cls-main.duplicate_item_name",
                        "An item with name '" + name + "' already exists in library '" + library.name + "'.", name);
            }
        }
    }

    synchronized String completeTemplate(Pending p) throws VapiError {
        abandon(p);
        JsonNode body = p.spec();
        Library library = libraries.get(text(body, "library"));
        if (library == null) {
            throw VapiError.notFound("Library", text(body, "library"));
        }
        String name = text(body, "name");
        checkItemNameFree(library, name);
        Vm src = vms.get(p.sourceVmId());
        Vm template = new Vm();
        template.id = "vm-" + (++nextMoRef);
        template.name = name;
        template.folderId = opt(body.path("placement"), "folder", src == null ? rootFolderId : src.folderId);
        template.hostId = p.hostId();
        template.datastoreId = p.datastoreId();
        template.diskBytes = p.diskBytes();
        template.template = true;
        template.instanceUuid = uuid();
        template.created = time.now();
        if (src != null) {
            template.cpus = src.cpus;
            template.memoryMiB = src.memoryMiB;
            template.guestOs = src.guestOs;
        }
        vms.put(template.id, template);
        Item item = new Item();
        item.id = uuid();
        item.libraryId = library.id;
        item.name = name;
        item.description = text(body, "description") == null ? "" : text(body, "description");
        item.type = "vm-template";
        item.vmId = template.id;
        item.created = time.now();
        items.put(item.id, item);
        return item.id;
    }

    synchronized ObjectNode getTemplateItem(String itemId) throws VapiError {
        Item item = items.get(itemId);
        if (item == null) {
            throw VapiError.notFound("Library item", itemId);
        }
        if (!"vm-template".equals(item.type)) {
            throw VapiError.invalid("Library item '" + item.name + "' does not contain a virtual machine template.");
        }
        Vm vm = vms.get(item.vmId);
        ObjectNode out = JSON.createObjectNode().put("guest_OS", vm.guestOs).put("vm_template", vm.id);
        out.putObject("cpu").put("count", vm.cpus).put("cores_per_socket", 1);
        out.putObject("memory").put("size_MiB", vm.memoryMiB);
        out.putObject("vm_home_storage").put("datastore", vm.datastoreId);
        out.putObject("disks").putObject("2000").put("capacity", vm.diskBytes).putObject("disk_storage")
                .put("datastore", vm.datastoreId);
        out.putObject("nics");
        return out;
    }

    // ------------------------------------------------------------------ hosts, datastores, folders

    synchronized ArrayNode listDatastores(Map<String, List<String>> q) {
        Set<String> ids = set(q, "datastores");
        Set<String> names = set(q, "names");
        Set<String> types = set(q, "types");
        ArrayNode out = JSON.createArrayNode();
        for (Datastore d : datastores.values()) {
            if (matches(ids, d.id) && matches(names, d.name) && matches(types, "VMFS")) {
                out.addObject().put("datastore", d.id).put("name", d.name).put("type", "VMFS")
                        .put("free_space", free(d)).put("capacity", d.capacity);
            }
        }
        return out;
    }

    synchronized ObjectNode getDatastore(String id) throws VapiError {
        Datastore d = datastore(id);
        return JSON.createObjectNode().put("name", d.name).put("type", "VMFS").put("accessible", true)
                .put("free_space", free(d)).put("multiple_host_access", true).put("thin_provisioning_supported", true);
    }

    synchronized ArrayNode listHosts(Map<String, List<String>> q) {
        Set<String> ids = set(q, "hosts");
        Set<String> names = set(q, "names");
        Set<String> inClusters = set(q, "clusters");
        ArrayNode out = JSON.createArrayNode();
        for (Host h : hosts.values()) {
            if (matches(ids, h.id) && matches(names, h.name) && matches(inClusters, h.clusterId)) {
                out.addObject().put("host", h.id).put("name", h.name).put("connection_state", "CONNECTED")
                        .put("power_state", "POWERED_ON");
            }
        }
        return out;
    }

    synchronized ArrayNode listClusters(Map<String, List<String>> q) {
        Set<String> ids = set(q, "clusters");
        Set<String> names = set(q, "names");
        ArrayNode out = JSON.createArrayNode();
        for (Cluster c : clusters.values()) {
            if (matches(ids, c.id) && matches(names, c.name)) {
                out.addObject().put("cluster", c.id).put("name", c.name).put("ha_enabled", true)
                        .put("drs_enabled", true);
            }
        }
        return out;
    }

    synchronized ArrayNode listFolders(Map<String, List<String>> q) {
        Set<String> ids = set(q, "folders");
        Set<String> names = set(q, "names");
        Set<String> type = set(q, "type");
        ArrayNode out = JSON.createArrayNode();
        for (Folder f : folders.values()) {
            if (matches(ids, f.id) && matches(names, f.name) && matches(type, f.type)) {
                out.addObject().put("folder", f.id).put("name", f.name).put("type", f.type);
            }
        }
        return out;
    }

    synchronized ArrayNode listDatacenters(Map<String, List<String>> q) {
        ArrayNode out = JSON.createArrayNode();
        if (matches(set(q, "datacenters"), datacenterId) && matches(set(q, "names"), "Datacenter")) {
            out.addObject().put("datacenter", datacenterId).put("name", "Datacenter");
        }
        return out;
    }

    // ------------------------------------------------------------------ tagging

    synchronized ArrayNode listCategories() {
        ArrayNode out = JSON.createArrayNode();
        categories.keySet().forEach(out::add);
        return out;
    }

    synchronized ObjectNode getCategory(String id) throws VapiError {
        Category c = categories.get(id);
        if (c == null) {
            throw VapiError.notFound("Category", id);
        }
        ObjectNode out = JSON.createObjectNode().put("id", c.id).put("name", c.name)
                .put("description", c.description).put("cardinality", c.cardinality);
        ArrayNode types = out.putArray("associable_types");
        c.associableTypes.forEach(types::add);
        out.putArray("used_by");
        return out;
    }

    synchronized String createCategory(JsonNode spec) throws VapiError {
        String name = text(spec, "name");
        String cardinality = text(spec, "cardinality");
        if (name == null || name.isBlank()) {
            throw VapiError.invalid("A category needs a 'name'.");
        }
        if (cardinality == null || !(cardinality.equals("SINGLE") || cardinality.equals("MULTIPLE"))) {
            throw VapiError.invalid("A category's 'cardinality' is SINGLE or MULTIPLE, got " + cardinality + ".");
        }
        for (Category c : categories.values()) {
            if (c.name.equalsIgnoreCase(name)) {
                throw new VapiError(Type.ALREADY_EXISTS, "com.vmware.cis.tagging.category.duplicate_name",
                        "A category named '" + name + "' already exists.", name);
            }
        }
        Category c = new Category();
        c.id = "urn:vmomi:InventoryServiceCategory:" + uuid() + ":GLOBAL";
        c.name = name;
        c.description = spec.path("description").asText("");
        c.cardinality = cardinality;
        List<String> types = new ArrayList<>();
        spec.path("associable_types").forEach(t -> types.add(t.asText()));
        c.associableTypes = List.copyOf(types);
        categories.put(c.id, c);
        return c.id;
    }

    synchronized void deleteCategory(String id) throws VapiError {
        if (categories.remove(id) == null) {
            throw VapiError.notFound("Category", id);
        }
        for (Iterator<Tag> it = tags.values().iterator(); it.hasNext();) {
            Tag t = it.next();
            if (t.categoryId.equals(id)) {
                it.remove();
                associations.remove(t.id);
            }
        }
    }

    synchronized ArrayNode listTags() {
        ArrayNode out = JSON.createArrayNode();
        tags.keySet().forEach(out::add);
        return out;
    }

    synchronized ArrayNode tagsForCategory(String categoryId) throws VapiError {
        if (categoryId == null || !categories.containsKey(categoryId)) {
            throw VapiError.notFound("Category", String.valueOf(categoryId));
        }
        ArrayNode out = JSON.createArrayNode();
        for (Tag t : tags.values()) {
            if (t.categoryId.equals(categoryId)) {
                out.add(t.id);
            }
        }
        return out;
    }

    synchronized ObjectNode getTag(String id) throws VapiError {
        Tag t = tags.get(id);
        if (t == null) {
            throw VapiError.notFound("Tag", id);
        }
        ObjectNode out = JSON.createObjectNode().put("id", t.id).put("category_id", t.categoryId).put("name", t.name)
                .put("description", t.description);
        out.putArray("used_by");
        return out;
    }

    synchronized String createTag(JsonNode spec) throws VapiError {
        String name = text(spec, "name");
        String categoryId = text(spec, "category_id");
        if (name == null || name.isBlank() || categoryId == null) {
            throw VapiError.invalid("A tag needs a 'name' and a 'category_id'.");
        }
        if (!categories.containsKey(categoryId)) {
            throw VapiError.notFound("Category", categoryId);
        }
        for (Tag t : tags.values()) {
            if (t.categoryId.equals(categoryId) && t.name.equalsIgnoreCase(name)) {
                throw new VapiError(Type.ALREADY_EXISTS, "com.vmware.cis.tagging.tag.duplicate_name",
                        "A tag named '" + name + "' already exists in this category.", name);
            }
        }
        Tag t = new Tag();
        t.id = "urn:vmomi:InventoryServiceTag:" + uuid() + ":GLOBAL";
        t.categoryId = categoryId;
        t.name = name;
        t.description = spec.path("description").asText("");
        tags.put(t.id, t);
        associations.put(t.id, new LinkedHashSet<>());
        return t.id;
    }

    synchronized void deleteTag(String id) throws VapiError {
        if (tags.remove(id) == null) {
            throw VapiError.notFound("Tag", id);
        }
        associations.remove(id);
    }

    private ObjRef objectId(JsonNode body) throws VapiError {
        JsonNode obj = body.path("object_id");
        String type = text(obj, "type");
        String id = text(obj, "id");
        if (type == null || id == null) {
            throw VapiError.invalid("Give the object as \"object_id\": {\"type\": ..., \"id\": ...}.");
        }
        boolean exists = switch (type) {
            case VM_TYPE -> vms.containsKey(id);
            case ITEM_TYPE -> items.containsKey(id);
            default -> false;
        };
        if (!exists) {
            throw VapiError.notFound(type, id);
        }
        return new ObjRef(type, id);
    }

    synchronized void attach(String tagId, JsonNode body) throws VapiError {
        Tag tag = tags.get(tagId);
        if (tag == null) {
            throw VapiError.notFound("Tag", tagId);
        }
        ObjRef ref = objectId(body);
        Category category = categories.get(tag.categoryId);
        if (!category.associableTypes.isEmpty() && !category.associableTypes.contains(ref.type())) {
            throw VapiError.invalid("Tags of category '" + category.name + "' cannot be attached to " + ref.type()
                    + " objects; allowed: " + category.associableTypes + ".");
        }
        if ("SINGLE".equals(category.cardinality)) {
            for (Tag other : tags.values()) {
                if (other.categoryId.equals(category.id) && !other.id.equals(tagId)
                        && associations.getOrDefault(other.id, Set.of()).contains(ref)) {
                    throw VapiError.invalid("Object " + ref.id() + " already has tag '" + other.name
                            + "' of single-cardinality category '" + category.name + "'.");
                }
            }
        }
        associations.computeIfAbsent(tagId, k -> new LinkedHashSet<>()).add(ref);
    }

    synchronized void detach(String tagId, JsonNode body) throws VapiError {
        if (!tags.containsKey(tagId)) {
            throw VapiError.notFound("Tag", tagId);
        }
        ObjRef ref = objectId(body);
        associations.getOrDefault(tagId, new LinkedHashSet<>()).remove(ref);
    }

    synchronized ArrayNode attachedObjects(String tagId) throws VapiError {
        if (!tags.containsKey(tagId)) {
            throw VapiError.notFound("Tag", tagId);
        }
        ArrayNode out = JSON.createArrayNode();
        for (ObjRef ref : associations.getOrDefault(tagId, Set.of())) {
            out.addObject().put("type", ref.type()).put("id", ref.id());
        }
        return out;
    }

    synchronized ArrayNode attachedTags(JsonNode body) throws VapiError {
        ObjRef ref = objectId(body);
        ArrayNode out = JSON.createArrayNode();
        associations.forEach((tag, refs) -> {
            if (refs.contains(ref)) {
                out.add(tag);
            }
        });
        return out;
    }

    // ------------------------------------------------------------------ content library

    synchronized ArrayNode listLibraries() {
        ArrayNode out = JSON.createArrayNode();
        libraries.keySet().forEach(out::add);
        return out;
    }

    synchronized ArrayNode findLibraries(JsonNode spec) {
        String name = text(spec, "name");
        String type = text(spec, "type");
        ArrayNode out = JSON.createArrayNode();
        for (Library l : libraries.values()) {
            if ((name == null || l.name.equals(name)) && (type == null || "LOCAL".equals(type))) {
                out.add(l.id);
            }
        }
        return out;
    }

    synchronized ObjectNode getLibrary(String id) throws VapiError {
        Library l = libraries.get(id);
        if (l == null) {
            throw VapiError.notFound("Library", id);
        }
        ObjectNode out = JSON.createObjectNode().put("id", l.id).put("name", l.name).put("type", "LOCAL")
                .put("description", "").put("creation_time", l.created.toString())
                .put("last_modified_time", l.created.toString()).put("version", "1");
        out.putArray("storage_backings").addObject().put("type", "DATASTORE").put("datastore_id", l.datastoreId);
        return out;
    }

    synchronized ArrayNode listItems(String libraryId) throws VapiError {
        if (libraryId == null || !libraries.containsKey(libraryId)) {
            throw VapiError.notFound("Library", String.valueOf(libraryId));
        }
        ArrayNode out = JSON.createArrayNode();
        for (Item i : items.values()) {
            if (i.libraryId.equals(libraryId)) {
                out.add(i.id);
            }
        }
        return out;
    }

    synchronized ArrayNode findItems(JsonNode spec) {
        String name = text(spec, "name");
        String libraryId = text(spec, "library_id");
        String type = text(spec, "type");
        ArrayNode out = JSON.createArrayNode();
        for (Item i : items.values()) {
            if ((name == null || i.name.equals(name)) && (libraryId == null || i.libraryId.equals(libraryId))
                    && (type == null || i.type.equals(type))) {
                out.add(i.id);
            }
        }
        return out;
    }

    synchronized ObjectNode getItem(String id) throws VapiError {
        Item i = items.get(id);
        if (i == null) {
            throw VapiError.notFound("Library item", id);
        }
        Vm vm = vms.get(i.vmId);
        return JSON.createObjectNode().put("id", i.id).put("library_id", i.libraryId).put("name", i.name)
                .put("type", i.type).put("description", i.description).put("size", vm == null ? 0 : vm.diskBytes)
                .put("cached", true).put("creation_time", i.created.toString())
                .put("last_modified_time", i.created.toString()).put("version", "1").put("content_version", "1")
                .put("metadata_version", "1");
    }

    synchronized void deleteItem(String id) throws VapiError {
        Item i = items.remove(id);
        if (i == null) {
            throw VapiError.notFound("Library item", id);
        }
        Vm vm = vms.get(i.vmId);
        if (vm != null) {
            removeVm(vm);
        }
        forget(new ObjRef(ITEM_TYPE, id));
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

    private static Set<String> set(Map<String, List<String>> q, String key) {
        List<String> values = q.get(key);
        return values == null ? Set.of() : new LinkedHashSet<>(values);
    }

    private static boolean matches(Set<String> wanted, String value) {
        return wanted.isEmpty() || (value != null && wanted.contains(value));
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    private static String opt(JsonNode node, String field, String fallback) {
        String v = text(node, field);
        return v == null ? fallback : v;
    }
}
