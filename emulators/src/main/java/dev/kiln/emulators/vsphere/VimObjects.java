package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.vsphere.Inventory.Compute;
import dev.kiln.emulators.vsphere.Inventory.Datastore;
import dev.kiln.emulators.vsphere.Inventory.Folder;
import dev.kiln.emulators.vsphere.Inventory.Host;
import dev.kiln.emulators.vsphere.Inventory.Network;
import dev.kiln.emulators.vsphere.Inventory.Pool;
import dev.kiln.emulators.vsphere.Inventory.Vm;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The inventory as vim25 managed objects: which object a reference names, the type hierarchy a
 * property collector matches by ({@code ComputeResource} takes in {@code ClusterComputeResource}),
 * and each object's properties as nodes, down any dotted path ({@code summary.runtime.powerState}).
 * Also holds the container views clients create. Called under the inventory's lock.
 */
final class VimObjects {

    /** The API version the emulator says it speaks: vCenter 7.0 U3. */
    static final String API_VERSION = "7.0.3.0";

    /** A container view: the objects of some types in a container, recursively or not. */
    record View(String id, String session, MoRef container, List<String> types, boolean recursive) {
    }

    private static final Map<String, String> SUPERTYPE = Map.ofEntries(
            Map.entry("ManagedEntity", "ExtensibleManagedObject"),
            Map.entry("Folder", "ManagedEntity"), Map.entry("Datacenter", "ManagedEntity"),
            Map.entry("ComputeResource", "ManagedEntity"), Map.entry("ClusterComputeResource", "ComputeResource"),
            Map.entry("HostSystem", "ManagedEntity"), Map.entry("ResourcePool", "ManagedEntity"),
            Map.entry("VirtualApp", "ResourcePool"), Map.entry("Datastore", "ManagedEntity"),
            Map.entry("Network", "ManagedEntity"), Map.entry("DistributedVirtualPortgroup", "Network"),
            Map.entry("OpaqueNetwork", "Network"), Map.entry("DistributedVirtualSwitch", "ManagedEntity"),
            Map.entry("VmwareDistributedVirtualSwitch", "DistributedVirtualSwitch"),
            Map.entry("VirtualMachine", "ManagedEntity"), Map.entry("Task", "ExtensibleManagedObject"),
            Map.entry("ContainerView", "ManagedObjectView"), Map.entry("ListView", "ManagedObjectView"),
            Map.entry("ManagedObjectView", "View"));

    /** Fields that hold arrays, by name: their item type, for a value asked for by a path that ends there. */
    private static final Map<String, String> ARRAY_ITEMS = Map.of("device", "VirtualDevice",
            "file", "VirtualMachineFileLayoutExFileInfo", "extraConfig", "OptionValue",
            "bootOrder", "VirtualMachineBootOptionsBootableDevice", "rootSnapshotList", "VirtualMachineSnapshotTree",
            "childSnapshotList", "VirtualMachineSnapshotTree", "datastoreUrl", "VirtualMachineConfigInfoDatastoreUrlPair");

    /** The singletons of {@code ServiceContent}, by type. */
    static final Map<String, String> SINGLETONS = singletons();

    final Inventory inv;
    final Map<String, View> views = new LinkedHashMap<>();

    VimObjects(Inventory inv) {
        this.inv = inv;
    }

    private static Map<String, String> singletons() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ServiceInstance", "ServiceInstance");
        m.put("PropertyCollector", "propertyCollector");
        m.put("ViewManager", "ViewManager");
        m.put("OptionManager", "VpxSettings");
        m.put("UserDirectory", "UserDirectory");
        m.put("SessionManager", "SessionManager");
        m.put("AuthorizationManager", "AuthorizationManager");
        m.put("PerformanceManager", "PerfMgr");
        m.put("EventManager", "EventManager");
        m.put("TaskManager", "TaskManager");
        m.put("ExtensionManager", "ExtensionManager");
        m.put("CustomFieldsManager", "CustomFieldsManager");
        m.put("LicenseManager", "LicenseManager");
        m.put("SearchIndex", "SearchIndex");
        m.put("FileManager", "FileManager");
        m.put("VirtualDiskManager", "virtualDiskManager");
        m.put("OvfManager", "OvfManager");
        return Map.copyOf(m);
    }

    static boolean isA(String type, String wanted) {
        for (String t = type; t != null; t = SUPERTYPE.get(t)) {
            if (t.equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    /** {@code ServiceContent}: the root folder, the collector, the managers and what this vCenter is. */
    Node serviceContent(String name) {
        Node c = Node.object(name, "ServiceContent");
        c.addRef("rootFolder", new MoRef("Folder", inv.rootFolderId));
        c.addRef("propertyCollector", new MoRef("PropertyCollector", "propertyCollector"));
        c.addRef("viewManager", new MoRef("ViewManager", "ViewManager"));
        c.add(new Node("about").add("name", "VMware vCenter Server")
                .add("fullName", "VMware vCenter Server 7.0.3 build-20150588 (Kiln emulator)")
                .add("vendor", "VMware, Inc.").add("version", "7.0.3").add("build", "20150588")
                .add("localeVersion", "INTL").add("localeBuild", "000").add("osType", "linux-x64")
                .add("productLineId", "vpx").add("apiType", "VirtualCenter").add("apiVersion", API_VERSION)
                .add("instanceUuid", UUID.nameUUIDFromBytes(inv.config.name().getBytes(StandardCharsets.UTF_8))).add("licenseProductName", "VMware VirtualCenter Server")
                .add("licenseProductVersion", "7.0"));
        for (Map.Entry<String, String> e : Map.of("setting", "OptionManager", "userDirectory", "UserDirectory",
                "sessionManager", "SessionManager", "authorizationManager", "AuthorizationManager",
                "perfManager", "PerformanceManager", "eventManager", "EventManager", "taskManager", "TaskManager",
                "extensionManager", "ExtensionManager", "customFieldsManager", "CustomFieldsManager",
                "licenseManager", "LicenseManager").entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            c.addRef(e.getKey(), new MoRef(e.getValue(), VimObjects.SINGLETONS.get(e.getValue())));
        }
        c.addRef("searchIndex", new MoRef("SearchIndex", "SearchIndex"));
        c.addRef("fileManager", new MoRef("FileManager", "FileManager"));
        c.addRef("virtualDiskManager", new MoRef("VirtualDiskManager", "virtualDiskManager"));
        c.addRef("ovfManager", new MoRef("OvfManager", "OvfManager"));
        return c;
    }

    // ------------------------------------------------------------------ references

    MoRef root() {
        return new MoRef("Folder", inv.rootFolderId);
    }

    MoRef ref(Folder f) {
        return new MoRef("Folder", f.id);
    }

    MoRef ref(Vm vm) {
        return new MoRef("VirtualMachine", vm.id);
    }

    MoRef ref(Host h) {
        return new MoRef("HostSystem", h.id);
    }

    MoRef ref(Compute c) {
        return new MoRef(c.cluster ? "ClusterComputeResource" : "ComputeResource", c.id);
    }

    MoRef ref(Pool p) {
        return new MoRef("ResourcePool", p.id);
    }

    MoRef ref(Datastore d) {
        return new MoRef("Datastore", d.id);
    }

    MoRef ref(Network n) {
        return new MoRef("Network", n.id);
    }

    MoRef datacenter() {
        return new MoRef("Datacenter", inv.datacenterId);
    }

    MoRef browser(Datastore d) {
        return new MoRef("HostDatastoreBrowser", "datastoreBrowser-" + d.id);
    }

    /** The object {@code ref} names, or null when there is none (of that type). */
    Object resolve(MoRef ref) {
        String id = ref.value();
        return switch (ref.type()) {
            case "Folder" -> inv.folders.get(id);
            case "Datacenter" -> id.equals(inv.datacenterId) ? ref : null;
            case "ComputeResource" -> inv.computes.get(id);
            case "ClusterComputeResource" -> inv.cluster(id);
            case "HostSystem" -> inv.hosts.get(id);
            case "ResourcePool" -> inv.pools.get(id);
            case "Datastore" -> inv.datastores.get(id);
            case "Network" -> inv.networks.get(id);
            case "VirtualMachine" -> inv.vms.get(id);
            case "Task" -> inv.tasks.get(id);
            case "ContainerView" -> views.get(id);
            case "HostDatastoreBrowser" -> id.startsWith("datastoreBrowser-")
                    ? inv.datastores.get(id.substring("datastoreBrowser-".length())) : null;
            default -> id.equals(SINGLETONS.get(ref.type())) ? ref : null;
        };
    }

    /** {@link #resolve}, or the fault vCenter answers for a reference to nothing. */
    Object require(MoRef ref) {
        Object o = resolve(ref);
        if (o == null) {
            throw VimFault.notFound(ref);
        }
        return o;
    }

    Vm vm(MoRef ref) {
        if (!"VirtualMachine".equals(ref.type()) || !(resolve(ref) instanceof Vm vm)) {
            throw VimFault.notFound(ref);
        }
        inv.tick(vm);
        return vm;
    }

    // ------------------------------------------------------------------ properties

    /**
     * The value of property {@code path} of {@code ref}: a node, or null when it is unset.
     *
     * @throws VimFault InvalidProperty when the type has no such property
     */
    Node property(MoRef ref, String path) {
        Object o = require(ref);
        String[] parts = path.split("\\.");
        Node top = top(ref, o, parts[0]);
        if (top == null) {
            return null;
        }
        List<Node> at = List.of(top);
        for (int i = 1; i < parts.length; i++) {
            List<Node> next = new ArrayList<>();
            for (Node n : at) {
                next.addAll(n.all(parts[i]));
            }
            if (next.isEmpty()) {
                return null;
            }
            at = next;
        }
        String last = parts[parts.length - 1];
        if (parts.length > 1 && (at.size() > 1 || ARRAY_ITEMS.containsKey(last))) {
            return Node.array(last, ARRAY_ITEMS.getOrDefault(last, "anyType"), at);
        }
        Node value = at.get(0).copy();
        value.name = last;
        return value;
    }

    /** The objects property {@code path} of {@code ref} refers to (none when unset or not references). */
    List<MoRef> references(MoRef ref, String path) {
        Node n = property(ref, path);
        List<MoRef> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (n.attrs.containsKey("type")) {
            out.add(n.asRef());
        }
        for (Node c : n.children) {
            if (c.attrs.containsKey("type")) {
                out.add(c.asRef());
            }
        }
        return out;
    }

    private Node top(MoRef ref, Object o, String name) {
        Node value;
        if (o instanceof Folder f) {
            value = folder(f, name);
        } else if (o instanceof Vm vm) {
            inv.tick(vm);
            value = VmProperties.of(this, vm, name);
        } else if (o instanceof Host h) {
            value = host(h, name);
        } else if (o instanceof Compute c) {
            value = compute(c, name);
        } else if (o instanceof Pool p) {
            value = pool(p, name);
        } else if (o instanceof Datastore d) {
            value = "HostDatastoreBrowser".equals(ref.type()) ? browserProperty(d, name) : datastore(d, name);
        } else if (o instanceof Network n) {
            value = network(n, name);
        } else if (o instanceof Tasks.Task t) {
            value = "info".equals(name) ? inv.tasks.info(t, "info") : null;
        } else if (o instanceof View v) {
            value = view(v, name);
        } else if ("TaskManager".equals(ref.type())) {
            value = "recentTask".equals(name) ? refs(name, inv.tasks.recent().stream().map(Tasks.Task::ref)
                    .toList()) : null;
        } else if ("ServiceInstance".equals(ref.type())) {
            value = switch (name) {
                case "content" -> serviceContent(name);
                case "serverClock" -> Node.text(name, "xsd:dateTime", inv.time.now());
                default -> null;
            };
        } else {
            value = "Datacenter".equals(ref.type()) ? datacenter(name) : null;
        }
        if (value == NONE) {
            return null;
        }
        if (value == null) {
            throw VimFault.invalidProperty(name);
        }
        return value;
    }

    /** An unset property (as opposed to null: no such property). */
    static final Node NONE = new Node("none");

    private Node entity(String name, String entityName, MoRef parent) {
        return switch (name) {
            case "name" -> Node.text("name", "xsd:string", entityName);
            case "parent" -> parent == null ? NONE : Node.ref("parent", parent);
            case "overallStatus", "configStatus" -> Node.text(name, "ManagedEntityStatus", "green");
            case "alarmActionsEnabled" -> Node.text(name, "xsd:boolean", true);
            case "declaredAlarmState", "triggeredAlarmState", "permission", "effectiveRole", "tag", "recentTask",
                    "disabledMethod", "customValue", "availableField", "value" -> NONE;
            default -> null;
        };
    }

    MoRef parentOf(Folder f) {
        if (f.parentId == null) {
            return null;
        }
        return f.parentId.equals(inv.datacenterId) ? datacenter() : new MoRef("Folder", f.parentId);
    }

    private Node folder(Folder f, String name) {
        return switch (name) {
            case "childType" -> strings("childType", switch (f.type) {
                case "DATACENTER" -> List.of("Folder", "Datacenter");
                case "VIRTUAL_MACHINE" -> List.of("Folder", "VirtualMachine", "VirtualApp");
                case "HOST" -> List.of("Folder", "ComputeResource");
                case "DATASTORE" -> List.of("Folder", "Datastore", "StoragePod");
                default -> List.of("Folder", "Network", "DistributedVirtualSwitch");
            });
            case "childEntity" -> refs("childEntity", children(f));
            default -> entity(name, f.name, parentOf(f));
        };
    }

    /** What a folder holds: its folders, then what its kind holds. */
    List<MoRef> children(Folder f) {
        List<MoRef> out = new ArrayList<>();
        for (Folder c : inv.folders.values()) {
            if (f.id.equals(c.parentId)) {
                out.add(ref(c));
            }
        }
        if (f.id.equals(inv.rootFolderId)) {
            out.add(datacenter());
        } else if (f.type.equals("VIRTUAL_MACHINE")) {
            inv.vms.values().stream().filter(v -> f.id.equals(v.folderId)).forEach(v -> out.add(ref(v)));
        } else if (f.id.equals(inv.hostFolderId)) {
            inv.computes.values().forEach(c -> out.add(ref(c)));
        } else if (f.id.equals(inv.datastoreFolderId)) {
            inv.datastores.values().forEach(d -> out.add(ref(d)));
        } else if (f.id.equals(inv.networkFolderId)) {
            inv.networks.values().forEach(n -> out.add(ref(n)));
        }
        return out;
    }

    private Node datacenter(String name) {
        return switch (name) {
            case "vmFolder" -> Node.ref(name, new MoRef("Folder", inv.vmFolderId));
            case "hostFolder" -> Node.ref(name, new MoRef("Folder", inv.hostFolderId));
            case "datastoreFolder" -> Node.ref(name, new MoRef("Folder", inv.datastoreFolderId));
            case "networkFolder" -> Node.ref(name, new MoRef("Folder", inv.networkFolderId));
            case "datastore" -> refs(name, inv.datastores.values().stream().map(this::ref).toList());
            case "network" -> refs(name, inv.networks.values().stream().map(this::ref).toList());
            default -> entity(name, inv.config.datacenter(), root());
        };
    }

    private Node compute(Compute c, String name) {
        return switch (name) {
            case "resourcePool" -> Node.ref(name, new MoRef("ResourcePool", c.poolId));
            case "host" -> refs(name, hostsOf(c).stream().map(this::ref).toList());
            case "datastore" -> refs(name, inv.datastores.values().stream().map(this::ref).toList());
            case "network" -> refs(name, inv.networks.values().stream().map(this::ref).toList());
            default -> entity(name, c.name, new MoRef("Folder", inv.hostFolderId));
        };
    }

    List<Host> hostsOf(Compute c) {
        return inv.hosts.values().stream().filter(h -> h.computeId.equals(c.id)).toList();
    }

    private Node host(Host h, String name) {
        Node runtime = Node.object("runtime", "HostRuntimeInfo")
                .field("connectionState", "connected", "HostSystemConnectionState")
                .field("powerState", "poweredOn", "HostSystemPowerState")
                .field("inMaintenanceMode", false, "xsd:boolean");
        return switch (name) {
            case "datastore" -> refs(name, inv.datastores.values().stream().map(this::ref).toList());
            case "network" -> refs(name, inv.networks.values().stream().map(this::ref).toList());
            case "vm" -> refs(name, inv.vms.values().stream().filter(v -> h.id.equals(v.hostId)).map(this::ref)
                    .toList());
            case "runtime" -> runtime;
            default -> entity(name, h.name, ref(inv.computes.get(h.computeId)));
        };
    }

    private Node pool(Pool p, String name) {
        return switch (name) {
            case "resourcePool" -> refs(name, inv.pools.values().stream().filter(c -> p.id.equals(c.parentId))
                    .map(this::ref).toList());
            case "vm" -> refs(name, inv.vms.values().stream().filter(v -> p.id.equals(v.poolId)).map(this::ref)
                    .toList());
            case "owner" -> Node.ref(name, ref(inv.computes.get(p.computeId)));
            default -> entity(name, p.name, p.parentId == null ? ref(inv.computes.get(p.computeId))
                    : new MoRef("ResourcePool", p.parentId));
        };
    }

    private Node datastore(Datastore d, String name) {
        return switch (name) {
            case "browser" -> Node.ref(name, browser(d));
            case "summary" -> Node.object(name, "DatastoreSummary").addRef("datastore", ref(d))
                    .field("name", d.name, "xsd:string").field("url", "ds:///vmfs/volumes/" + d.id + "/", "xsd:string")
                    .field("capacity", d.capacity, "xsd:long").field("freeSpace", inv.free(d), "xsd:long")
                    .field("accessible", true, "xsd:boolean").field("multipleHostAccess", true, "xsd:boolean")
                    .field("type", "VMFS", "xsd:string");
            case "vm" -> refs(name, inv.vms.values().stream().filter(v -> d.id.equals(v.datastoreId))
                    .map(this::ref).toList());
            default -> entity(name, d.name, new MoRef("Folder", inv.datastoreFolderId));
        };
    }

    private Node browserProperty(Datastore d, String name) {
        return "datastore".equals(name) ? refs(name, List.of(ref(d))) : null;
    }

    private Node network(Network n, String name) {
        return switch (name) {
            case "summary" -> Node.object(name, "NetworkSummary").addRef("network", ref(n))
                    .field("name", n.name, "xsd:string").field("accessible", true, "xsd:boolean");
            case "host" -> refs(name, inv.hosts.values().stream().map(this::ref).toList());
            case "vm" -> refs(name, List.of());
            default -> entity(name, n.name, new MoRef("Folder", inv.networkFolderId));
        };
    }

    private Node view(View v, String name) {
        return switch (name) {
            case "view" -> refs(name, viewObjects(v));
            case "container" -> Node.ref(name, v.container());
            case "type" -> strings(name, v.types());
            case "recursive" -> Node.text(name, "xsd:boolean", v.recursive());
            default -> null;
        };
    }

    /** The entities a container view shows now: what its container holds (and further down when recursive), of its types. */
    List<MoRef> viewObjects(View v) {
        List<MoRef> out = new ArrayList<>();
        collect(v.container(), v, out);
        return out;
    }

    private void collect(MoRef container, View v, List<MoRef> out) {
        for (MoRef child : contents(container)) {
            if (v.types().isEmpty() || v.types().stream().anyMatch(t -> isA(child.type(), t))) {
                out.add(child);
            }
            if (v.recursive()) {
                collect(child, v, out);
            }
        }
    }

    /** What an entity holds, for container views: a folder's children, a datacenter's folders, a compute resource's hosts and pool. */
    List<MoRef> contents(MoRef container) {
        Object o = resolve(container);
        if (o instanceof Folder f) {
            return children(f);
        }
        if ("Datacenter".equals(container.type())) {
            return List.of(new MoRef("Folder", inv.vmFolderId), new MoRef("Folder", inv.hostFolderId),
                    new MoRef("Folder", inv.datastoreFolderId), new MoRef("Folder", inv.networkFolderId));
        }
        if (o instanceof Compute c) {
            List<MoRef> out = new ArrayList<>(hostsOf(c).stream().map(this::ref).toList());
            out.add(new MoRef("ResourcePool", c.poolId));
            return out;
        }
        return List.of();
    }

    static Node refs(String name, List<MoRef> refs) {
        return Node.array(name, "ManagedObjectReference", refs.stream().map(r -> Node.ref("r", r)).toList());
    }

    static Node strings(String name, List<String> values) {
        return Node.array(name, "string", values.stream().map(v -> Node.text("s", "xsd:string", v)).toList());
    }
}
