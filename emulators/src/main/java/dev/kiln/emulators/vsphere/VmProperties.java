package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.vsphere.Inventory.Datastore;
import dev.kiln.emulators.vsphere.Inventory.Network;
import dev.kiln.emulators.vsphere.Inventory.Snapshot;
import dev.kiln.emulators.vsphere.Inventory.Vm;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A VM's vim25 properties: {@code config} (with its devices), {@code summary}, {@code runtime},
 * {@code guest}, {@code layoutEx} (the .vmx first: packer takes the VM's directory from the first
 * file named like the VM), {@code snapshot}, {@code resourcePool} and the rest of what clients
 * read. Only elements of the 6.5–6.7 schema, which pyvmomi 6.7 reads strictly. Called under the
 * inventory's lock.
 */
final class VmProperties {

    private VmProperties() {
    }

    /** The top-level property {@code name} of {@code vm}; {@link VimObjects#NONE} when unset, null when unknown. */
    static Node of(VimObjects objects, Vm vm, String name) {
        Inventory inv = objects.inv;
        return switch (name) {
            case "name" -> Node.text(name, "xsd:string", vm.name);
            case "parent" -> Node.ref(name, new MoRef("Folder", vm.folderId));
            case "parentVApp", "declaredAlarmState", "triggeredAlarmState", "permission", "effectiveRole", "tag",
                    "recentTask", "disabledMethod", "customValue", "availableField", "value" -> VimObjects.NONE;
            case "rootSnapshot" -> vm.snapshots.isEmpty() ? VimObjects.NONE
                    : VimObjects.refs(name, List.of(snapshotRef(vm.snapshots.get(0))));
            case "overallStatus", "configStatus" -> Node.text(name, "ManagedEntityStatus", "green");
            case "guestHeartbeatStatus" -> Node.text(name, "ManagedEntityStatus", toolsRunning(inv, vm) ? "green"
                    : "gray");
            case "resourcePool" -> vm.template ? VimObjects.NONE : Node.ref(name, new MoRef("ResourcePool",
                    vm.poolId));
            case "runtime" -> runtime(inv, vm, name);
            case "summary" -> summary(objects, vm);
            case "config" -> config(inv, vm);
            case "guest" -> guest(inv, vm);
            case "layoutEx" -> layoutEx(inv, vm);
            case "snapshot" -> vm.snapshots.isEmpty() ? VimObjects.NONE : snapshot(vm);
            case "datastore" -> VimObjects.refs(name, List.of(new MoRef("Datastore", vm.datastoreId)));
            case "network" -> VimObjects.refs(name, networks(inv, vm).stream().map(objects::ref).toList());
            default -> null;
        };
    }

    private static boolean toolsRunning(Inventory inv, Vm vm) {
        return "POWERED_ON".equals(vm.power) && !vm.installPending
                && inv.time.nanoTime() - vm.poweredOnAt >= inv.config.bootTime().toNanos();
    }

    static String powerState(Vm vm) {
        return switch (vm.power) {
            case "POWERED_ON" -> "poweredOn";
            case "SUSPENDED" -> "suspended";
            default -> "poweredOff";
        };
    }

    private static Node runtime(Inventory inv, Vm vm, String name) {
        Node r = Node.object(name, "VirtualMachineRuntimeInfo");
        if (!vm.template) {
            r.addRef("host", new MoRef("HostSystem", vm.hostId));
        }
        r.field("connectionState", "connected", "VirtualMachineConnectionState");
        r.field("powerState", powerState(vm), "VirtualMachinePowerState");
        r.field("faultToleranceState", "notConfigured", "VirtualMachineFaultToleranceState");
        r.field("toolsInstallerMounted", false, "xsd:boolean");
        if ("POWERED_ON".equals(vm.power)) {
            r.field("bootTime", inv.time.now().minusNanos(inv.time.nanoTime() - vm.poweredOnAt), "xsd:dateTime");
        }
        r.field("onlineStandby", false, "xsd:boolean");
        r.field("consolidationNeeded", false, "xsd:boolean");
        return r;
    }

    private static Node summary(VimObjects objects, Vm vm) {
        Inventory inv = objects.inv;
        Node s = Node.object("summary", "VirtualMachineSummary");
        s.addRef("vm", objects.ref(vm));
        s.add(runtime(inv, vm, "runtime").untyped());
        Node guest = new Node("guest").field("guestId", vm.guestId, "xsd:string")
                .field("toolsRunningStatus", toolsRunning(inv, vm) ? "guestToolsRunning" : "guestToolsNotRunning",
                        "xsd:string");
        if (toolsRunning(inv, vm)) {
            guest.field("hostName", vm.name.toLowerCase(java.util.Locale.ROOT), "xsd:string")
                    .field("ipAddress", vm.ip, "xsd:string");
        }
        s.add(guest);
        Node config = new Node("config").field("name", vm.name, "xsd:string")
                .field("template", vm.template, "xsd:boolean").field("vmPathName", vmx(inv, vm), "xsd:string")
                .field("memorySizeMB", vm.memoryMiB, "xsd:int").field("numCpu", vm.cpus, "xsd:int")
                .field("numEthernetCards", vm.devices.stream().filter(d -> d.child("macAddress") != null).count(),
                        "xsd:int")
                .field("numVirtualDisks", vm.devices.stream().filter(d -> "VirtualDisk".equals(d.type)).count(),
                        "xsd:int")
                .field("uuid", vm.biosUuid, "xsd:string").field("instanceUuid", vm.instanceUuid, "xsd:string")
                .field("guestId", vm.guestId, "xsd:string").field("guestFullName", guestFullName(vm), "xsd:string")
                .field("annotation", vm.annotation, "xsd:string");
        s.add(config);
        s.add(new Node("storage").field("committed", vm.diskBytes, "xsd:long").field("uncommitted", 0, "xsd:long")
                .field("unshared", vm.diskBytes, "xsd:long").field("timestamp", inv.time.now(), "xsd:dateTime"));
        s.add(new Node("quickStats"));
        s.field("overallStatus", "green", "ManagedEntityStatus");
        return s;
    }

    private static String guestFullName(Vm vm) {
        return vm.guestId.startsWith("other") ? "Other Linux (64-bit)" : vm.guestId;
    }

    private static Node config(Inventory inv, Vm vm) {
        Node c = Node.object("config", "VirtualMachineConfigInfo");
        c.field("changeVersion", vm.created + "/" + vm.changeVersion, "xsd:string");
        c.field("modified", vm.created, "xsd:dateTime");
        c.field("name", vm.name, "xsd:string");
        c.field("guestFullName", guestFullName(vm), "xsd:string");
        c.field("version", "vmx-13", "xsd:string");
        c.field("uuid", vm.biosUuid, "xsd:string");
        c.field("instanceUuid", vm.instanceUuid, "xsd:string");
        c.field("template", vm.template, "xsd:boolean");
        c.field("guestId", vm.guestId, "xsd:string");
        c.field("alternateGuestName", "", "xsd:string");
        c.field("annotation", vm.annotation, "xsd:string");
        String vmx = vmx(inv, vm);
        String dir = vmx.substring(0, vmx.lastIndexOf('/') + 1);
        c.add(new Node("files").field("vmPathName", vmx, "xsd:string").field("snapshotDirectory", dir, "xsd:string")
                .field("suspendDirectory", dir, "xsd:string").field("logDirectory", dir, "xsd:string"));
        Node hardware = new Node("hardware").field("numCPU", vm.cpus, "xsd:int")
                .field("numCoresPerSocket", 1, "xsd:int").field("memoryMB", vm.memoryMiB, "xsd:int")
                .field("virtualICH7MPresent", false, "xsd:boolean").field("virtualSMCPresent", false, "xsd:boolean");
        vm.devices.forEach(d -> {
            Node copy = d.copy();
            copy.name = "device";
            hardware.add(copy);
        });
        c.add(hardware);
        vm.extraConfig.values().forEach(o -> {
            Node copy = o.copy();
            copy.name = "extraConfig";
            copy.type = "OptionValue";
            c.add(copy);
        });
        if (!vm.bootOrder.isEmpty()) {
            Node boot = new Node("bootOptions");
            vm.bootOrder.forEach(b -> {
                Node copy = b.copy();
                copy.name = "bootOrder";
                boot.add(copy);
            });
            c.add(boot);
        }
        c.field("firmware", vm.firmware, "xsd:string");
        return c;
    }

    private static Node guest(Inventory inv, Vm vm) {
        boolean running = toolsRunning(inv, vm);
        Node g = Node.object("guest", "GuestInfo");
        g.field("toolsStatus", running ? "toolsOk" : "toolsNotRunning", "VirtualMachineToolsStatus");
        g.field("toolsRunningStatus", running ? "guestToolsRunning" : "guestToolsNotRunning", "xsd:string");
        g.field("guestId", vm.guestId, "xsd:string");
        if (running) {
            g.field("hostName", vm.name.toLowerCase(java.util.Locale.ROOT), "xsd:string");
            g.field("ipAddress", vm.ip, "xsd:string");
        }
        g.field("guestState", running ? "running" : "notRunning", "xsd:string");
        return g;
    }

    static String vmx(Inventory inv, Vm vm) {
        Datastore ds = inv.datastores.get(vm.datastoreId);
        return "[" + (ds == null ? "" : ds.name) + "] " + vm.dir + "/" + vm.name + (vm.template ? ".vmtx" : ".vmx");
    }

    private static Node layoutEx(Inventory inv, Vm vm) {
        Datastore ds = inv.datastores.get(vm.datastoreId);
        String prefix = "[" + (ds == null ? "" : ds.name) + "] " + vm.dir + "/";
        List<Node> files = new ArrayList<>();
        files.add(file(files.size(), vmx(inv, vm), "config", 2048));
        files.add(file(files.size(), prefix + vm.name + ".vmsd", "snapshotList", 0));
        files.add(file(files.size(), prefix + vm.name + ".nvram", "nvram", 8684));
        for (Node d : vm.devices) {
            if ("VirtualDisk".equals(d.type) && d.child("backing") != null) {
                String vmdk = d.child("backing").text("fileName");
                files.add(file(files.size(), vmdk, "diskDescriptor", 512));
                files.add(file(files.size(), vmdk.replaceFirst("\\.vmdk$", "-flat.vmdk"), "diskExtent",
                        d.number("capacityInKB", 0) * 1024));
            }
        }
        Node l = Node.object("layoutEx", "VirtualMachineFileLayoutEx");
        files.forEach(f -> {
            f.name = "file";
            l.add(f);
        });
        l.field("timestamp", inv.time.now(), "xsd:dateTime");
        return l;
    }

    private static Node file(int key, String name, String type, long size) {
        return new Node("file").add("key", key).add("name", name).add("type", type).add("size", size)
                .add("uniqueSize", size);
    }

    private static MoRef snapshotRef(Snapshot s) {
        return new MoRef("VirtualMachineSnapshot", s.id());
    }

    private static Node snapshot(Vm vm) {
        Node info = Node.object("snapshot", "VirtualMachineSnapshotInfo");
        info.addRef("currentSnapshot", snapshotRef(vm.snapshots.get(vm.snapshots.size() - 1)));
        Node parent = info;
        String childName = "rootSnapshotList";
        for (Snapshot s : vm.snapshots) {
            Node tree = new Node(childName);
            tree.addRef("snapshot", snapshotRef(s));
            tree.addRef("vm", new MoRef("VirtualMachine", vm.id));
            tree.add("name", s.name()).add("description", s.description()).add("id", vm.snapshots.indexOf(s) + 1)
                    .add("createTime", s.created()).add("state", "poweredOff").add("quiesced", false);
            parent.add(tree);
            parent = tree;
            childName = "childSnapshotList";
        }
        return info;
    }

    /** The networks the VM's NICs are backed by, by name. */
    private static List<Network> networks(Inventory inv, Vm vm) {
        Set<String> names = new LinkedHashSet<>();
        for (Node d : vm.devices) {
            Node b = d.child("backing");
            if (b != null && "VirtualEthernetCardNetworkBackingInfo".equals(b.type) && b.text("deviceName") != null) {
                names.add(b.text("deviceName"));
            }
        }
        return inv.networks.values().stream().filter(n -> names.contains(n.name)).toList();
    }
}
