package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.ApiCounters;
import dev.kiln.emulators.vsphere.Inventory.Compute;
import dev.kiln.emulators.vsphere.Inventory.Datastore;
import dev.kiln.emulators.vsphere.Inventory.Folder;
import dev.kiln.emulators.vsphere.Inventory.Host;
import dev.kiln.emulators.vsphere.Inventory.Pool;
import dev.kiln.emulators.vsphere.Inventory.Snapshot;
import dev.kiln.emulators.vsphere.Inventory.Vm;
import dev.kiln.emulators.vsphere.Tasks.Task;
import dev.kiln.emulators.vsphere.VimProtocol.VimExchange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The vim25 methods on folders and VMs that packer's vsphere-clone and vsphere-iso builders call:
 * {@code CreateFolder}; {@code CloneVM_Task} and {@code CreateVM_Task}, which hold a provisioning
 * slot on their host and datastore as the REST clone does (queued beyond the limit, the task says
 * {@code queued}); {@code ReconfigVM_Task} (refused on templates, as vCenter refuses it), power,
 * guest shutdown, snapshots, {@code MarkAsTemplate}, {@code PutUsbScanCodes}, {@code Destroy_Task}
 * and {@code CancelTask}. A VM made by CreateVM has no guest OS yet: powered on from an installer
 * ISO, it installs one for the install time and powers itself off, as a kickstarted install that
 * ends in a power-off does; without one it stays on, finding nothing to boot. A CD-ROM or floppy
 * image must exist on its datastore to be attached, as vCenter checks.
 */
final class VimVms {

    private final Inventory inv;
    private final VimObjects objects;
    private final Provisioning provisioning;
    private final ApiCounters counters;
    private final VcenterConfig config;

    VimVms(VimObjects objects, Provisioning provisioning, ApiCounters counters) {
        this.inv = objects.inv;
        this.objects = objects;
        this.provisioning = provisioning;
        this.counters = counters;
        this.config = inv.config;
    }

    private static List<Node> task(Task t) {
        return List.of(Node.ref("returnval", t.ref()).untyped());
    }

    List<Node> createFolder(VimExchange x) {
        String name = x.text("name");
        return inv.locked(() -> {
            Folder parent = folder(x.self);
            if (name == null || name.isBlank() || name.contains("/")) {
                throw new VimFault("InvalidName", "The name '" + name + "' is not valid for a folder.",
                        Node.text("name", null, String.valueOf(name)));
            }
            for (MoRef c : objects.children(parent)) {
                Node n = objects.property(c, "name");
                if (n != null && n.text.equals(name)) {
                    throw VimFault.duplicateName(name, c);
                }
            }
            Folder f = new Folder();
            f.id = inv.nextId("group-v");
            f.name = name;
            f.type = parent.type;
            f.parentId = parent.id;
            inv.folders.put(f.id, f);
            return List.of(Node.ref("returnval", objects.ref(f)).untyped());
        });
    }

    private Folder folder(MoRef ref) {
        if (!(objects.resolve(ref) instanceof Folder f)) {
            throw VimFault.notFound(ref);
        }
        return f;
    }

    // ------------------------------------------------------------------ provisioning

    List<Node> cloneVm(VimExchange x) {
        Node spec = VimProtocol.require(x.arg("spec"), "spec");
        String name = x.text("name");
        MoRef folderRef = VimProtocol.require(x.arg("folder"), "folder").asRef();
        return inv.locked(() -> {
            Vm src = objects.vm(x.self);
            Folder folder = folder(folderRef);
            Node location = spec.child("location") == null ? new Node("location") : spec.child("location");
            Datastore ds = location.ref("datastore") == null ? inv.datastores.get(src.datastoreId)
                    : datastore(location.ref("datastore"));
            Pool pool = location.ref("pool") != null ? pool(location.ref("pool")) : null;
            Host host = location.ref("host") != null ? host(location.ref("host")) : null;
            if (pool == null) {
                Host h = host != null ? host : inv.hosts.get(src.hostId);
                pool = inv.pools.get(inv.computes.get(h.computeId).poolId);
            }
            Host placed = host != null ? host : inv.hostFor(pool);
            Pool target = pool;
            long disk = src.diskBytes;
            return task(provision("CloneVM_Task", x, objects.ref(src), src.name, name, folder, placed, ds, disk,
                    () -> {
                        Vm vm = inv.newVm(name, folder.id, placed, ds);
                        vm.poolId = target.id;
                        vm.devices = Devices.cloneOf(src, vm, ds);
                        vm.cpus = src.cpus;
                        vm.memoryMiB = src.memoryMiB;
                        vm.guestId = src.guestId;
                        vm.guestOs = src.guestOs;
                        vm.annotation = src.annotation;
                        vm.firmware = src.firmware;
                        src.extraConfig.forEach((k, v) -> vm.extraConfig.put(k, v.copy()));
                        Devices.refresh(vm);
                        Node cfg = spec.child("config");
                        if (cfg != null) {
                            configure(vm, cfg);
                        }
                        vm.template = spec.bool("template", false);
                        if (spec.bool("powerOn", false) && !vm.template) {
                            powerOn(vm);
                        }
                        return Node.ref("result", objects.ref(vm));
                    }));
        });
    }

    List<Node> createVm(VimExchange x) {
        Node cfg = VimProtocol.require(x.arg("config"), "config");
        MoRef poolRef = VimProtocol.require(x.arg("pool"), "pool").asRef();
        MoRef hostRef = x.ref("host");
        return inv.locked(() -> {
            Folder folder = folder(x.self);
            Pool pool = pool(poolRef);
            Host host = hostRef != null ? host(hostRef) : inv.hostFor(pool);
            String name = cfg.text("name");
            if (name == null || name.isBlank()) {
                throw VimFault.invalidArgument("config.name");
            }
            String path = cfg.child("files") == null ? null : cfg.child("files").text("vmPathName");
            Datastore ds = datastoreOfPath(path);
            long disk = 0;
            for (Node change : cfg.all("deviceChange")) {
                Node d = change.child("device");
                if (d != null && "VirtualDisk".equals(d.type) && "add".equals(change.text("operation"))) {
                    disk += d.number("capacityInKB", 0) * 1024;
                }
            }
            return task(provision("CreateVM_Task", x, objects.ref(folder), folder.name, name, folder, host, ds, disk,
                    () -> {
                        Vm vm = inv.newVm(name, folder.id, host, ds);
                        vm.poolId = pool.id;
                        vm.devices = Devices.base();
                        vm.installPending = true;
                        configure(vm, cfg);
                        return Node.ref("result", objects.ref(vm));
                    }));
        });
    }

    /**
     * A provisioning task: checked, its disk reserved, then queued for its slot under the host's
     * and datastore's cost limits; {@code work} makes the VM when its time is up.
     */
    private Task provision(String method, VimExchange x, MoRef entity, String entityName, String name, Folder folder,
            Host host, Datastore ds, long diskBytes, Tasks.Work work) {
        VimFault problem = null;
        if (name == null || name.isBlank()) {
            problem = VimFault.invalidArgument("name");
        } else if (taken(folder, name) != null) {
            problem = VimFault.duplicateName(name, taken(folder, name));
        } else if (inv.free(ds) < diskBytes) {
            problem = new VimFault("NoDiskSpace", "There is not enough space on the file system for the selected"
                    + " operation: datastore '" + ds.name + "' has " + inv.free(ds) / Inventory.GIB + " GiB free, '"
                    + name + "' needs " + (diskBytes + Inventory.GIB - 1) / Inventory.GIB + " GiB.",
                    Node.text("datastore", null, ds.name));
        }
        if (problem != null) {
            VimFault fault = problem;
            return inv.tasks.now(method, entity, entityName, x.user, () -> {
                throw fault;
            });
        }
        ds.reserved += diskBytes;
        Runnable release = () -> ds.reserved = Math.max(0, ds.reserved - diskBytes);
        Provisioning.Slot slot = provisioning.admit(host.name, ds.name, config.cloneCost(), inv.time.nanoTime(),
                config.cloneTime().toNanos());
        if (slot.queued()) {
            counters.recordQueued(method);
        }
        return inv.tasks.submit(method, entity, entityName, x.user, slot.startNanos(), slot.endNanos(), () -> {
            release.run();
            MoRef other = taken(folder, name);
            if (other != null) {
                throw VimFault.duplicateName(name, other);
            }
            return work.run();
        }, release);
    }

    private MoRef taken(Folder folder, String name) {
        for (Vm vm : inv.vms.values()) {
            if (vm.name.equals(name) && folder.id.equals(vm.folderId)) {
                return objects.ref(vm);
            }
        }
        return null;
    }

    private Datastore datastore(MoRef ref) {
        if (!(objects.resolve(ref) instanceof Datastore d) || !"Datastore".equals(ref.type())) {
            throw VimFault.notFound(ref);
        }
        return d;
    }

    private Datastore datastoreOfPath(String path) {
        String ds = VimFiles.datastoreName(path);
        for (Datastore d : inv.datastores.values()) {
            if (d.name.equals(ds)) {
                return d;
            }
        }
        throw new VimFault("InvalidDatastorePath", "Invalid datastore path '" + path + "'.",
                Node.text("datastore", null, String.valueOf(ds)), Node.text("name", null, String.valueOf(path)));
    }

    private Pool pool(MoRef ref) {
        if (!(objects.resolve(ref) instanceof Pool p)) {
            throw VimFault.notFound(ref);
        }
        return p;
    }

    private Host host(MoRef ref) {
        if (!(objects.resolve(ref) instanceof Host h)) {
            throw VimFault.notFound(ref);
        }
        return h;
    }

    // ------------------------------------------------------------------ configuration

    List<Node> reconfigure(VimExchange x) {
        Node spec = x.arg("spec") == null ? new Node("spec") : x.arg("spec");
        return inv.locked(() -> {
            Vm vm = objects.vm(x.self);
            return task(inv.tasks.now("ReconfigVM_Task", x.self, vm.name, x.user, () -> {
                if (vm.template) {
                    throw VimFault.notSupported("The operation is not supported on the object.");
                }
                configure(vm, spec);
                return null;
            }));
        });
    }

    /** Applies a {@code VirtualMachineConfigSpec}: what CreateVM, CloneVM and ReconfigVM change. */
    private void configure(Vm vm, Node spec) {
        if (spec.text("numCPUs") != null) {
            vm.cpus = (int) spec.number("numCPUs", vm.cpus);
        }
        if (spec.text("memoryMB") != null) {
            vm.memoryMiB = spec.number("memoryMB", vm.memoryMiB);
        }
        if (spec.text("annotation") != null) {
            vm.annotation = spec.text("annotation");
        }
        if (spec.text("guestId") != null) {
            vm.guestId = spec.text("guestId");
            vm.guestOs = vm.guestId.replaceFirst("Guest$", "").replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                    .toUpperCase(Locale.ROOT);
        }
        if (spec.text("firmware") != null) {
            vm.firmware = spec.text("firmware");
        }
        Node boot = spec.child("bootOptions");
        if (boot != null && !boot.all("bootOrder").isEmpty()) {
            List<Node> order = new ArrayList<>();
            for (Node b : boot.all("bootOrder")) {
                if (!"VirtualMachineBootOptionsBootableDevice".equals(b.type)) {
                    order.add(b.copy());
                }
            }
            vm.bootOrder = List.copyOf(order);
        }
        for (Node option : spec.all("extraConfig")) {
            String key = option.text("key");
            Node value = option.child("value");
            if (key == null) {
                continue;
            }
            if (value == null || value.text.isEmpty()) {
                vm.extraConfig.remove(key);
            } else {
                vm.extraConfig.put(key, option.copy());
            }
        }
        List<Node> changes = spec.all("deviceChange");
        for (Node change : changes) {
            Node backing = change.child("device") == null ? null : change.child("device").child("backing");
            if (backing != null && !"remove".equals(change.text("operation")) && ("VirtualCdromIsoBackingInfo".equals(
                    backing.type) || "VirtualFloppyImageBackingInfo".equals(backing.type))
                    && !fileExists(backing.text("fileName"))) {
                // vCenter checks a CD-ROM's or floppy's image before it attaches it.
                throw VimFault.fileNotFound(backing.text("fileName"));
            }
        }
        if (!changes.isEmpty()) {
            Devices.apply(vm, inv.datastores.get(vm.datastoreId), changes);
        }
        vm.changeVersion++;
    }

    private boolean fileExists(String path) {
        String ds = VimFiles.datastoreName(path);
        String rel = VimFiles.relative(path);
        return inv.datastores.values().stream().anyMatch(d -> d.name.equals(ds) && d.files.containsKey(rel));
    }

    /** Whether the VM boots from an installer: a connected CD-ROM whose ISO is on a datastore. */
    private boolean bootsInstaller(Vm vm) {
        for (Node d : vm.devices) {
            Node backing = d.child("backing");
            Node connectable = d.child("connectable");
            if ("VirtualCdrom".equals(d.type) && backing != null && "VirtualCdromIsoBackingInfo".equals(backing.type)
                    && connectable != null && (connectable.bool("startConnected", false)
                    || connectable.bool("connected", false)) && fileExists(backing.text("fileName"))) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ power, snapshots, templates

    List<Node> powerOn(VimExchange x) {
        return inv.locked(() -> {
            Vm vm = objects.vm(x.self);
            return task(inv.tasks.now("PowerOnVM_Task", x.self, vm.name, x.user, () -> {
                if (vm.template) {
                    throw VimFault.notSupported("The operation is not supported on the object.");
                }
                if ("POWERED_ON".equals(vm.power)) {
                    throw VimFault.invalidPowerState("poweredOn", "poweredOn");
                }
                powerOn(vm);
                return null;
            }));
        });
    }

    /**
     * Powers on; a VM without a guest OS that boots an installer ISO installs it and powers itself
     * off after the install time. Without an installer it finds no operating system and stays on.
     */
    private void powerOn(Vm vm) {
        vm.power = "POWERED_ON";
        vm.poweredOnAt = inv.time.nanoTime();
        vm.offAt = vm.installPending && bootsInstaller(vm)
                ? Math.addExact(vm.poweredOnAt, config.installTime().toNanos()) : Long.MAX_VALUE;
    }

    List<Node> powerOff(VimExchange x) {
        return inv.locked(() -> {
            Vm vm = objects.vm(x.self);
            return task(inv.tasks.now("PowerOffVM_Task", x.self, vm.name, x.user, () -> {
                if ("POWERED_OFF".equals(vm.power)) {
                    throw VimFault.invalidPowerState("poweredOff", "poweredOff");
                }
                vm.power = "POWERED_OFF";
                vm.offAt = Long.MAX_VALUE;
                return null;
            }));
        });
    }

    List<Node> shutdownGuest(VimExchange x) {
        return inv.locked(() -> {
            Vm vm = objects.vm(x.self);
            if (!"POWERED_ON".equals(vm.power)) {
                throw VimFault.invalidPowerState("poweredOn", VmProperties.powerState(vm));
            }
            if (vm.installPending || inv.time.nanoTime() - vm.poweredOnAt < config.bootTime().toNanos()) {
                throw new VimFault("ToolsUnavailable", "Cannot complete operation because VMware Tools is not"
                        + " running in this virtual machine.");
            }
            vm.offAt = Math.min(vm.offAt, Math.addExact(inv.time.nanoTime(), config.shutdownTime().toNanos()));
            return List.of();
        });
    }

    List<Node> createSnapshot(VimExchange x) {
        String name = x.text("name");
        String description = x.text("description");
        return inv.locked(() -> {
            Vm vm = objects.vm(x.self);
            return task(inv.tasks.now("CreateSnapshot_Task", x.self, vm.name, x.user, () -> {
                Snapshot s = new Snapshot(inv.nextId("snapshot-"), name == null ? "" : name,
                        description == null ? "" : description, inv.time.now());
                vm.snapshots.add(s);
                return Node.ref("result", new MoRef("VirtualMachineSnapshot", s.id()));
            }));
        });
    }

    List<Node> markAsTemplate(VimExchange x) {
        return inv.locked(() -> {
            Vm vm = objects.vm(x.self);
            if (vm.template) {
                throw VimFault.notSupported("The operation is not supported on the object: '" + vm.name
                        + "' is a template already.");
            }
            if (!"POWERED_OFF".equals(vm.power)) {
                throw VimFault.invalidPowerState("poweredOff", VmProperties.powerState(vm));
            }
            vm.template = true;
            vm.changeVersion++;
            return List.of();
        });
    }

    List<Node> markAsVirtualMachine(VimExchange x) {
        MoRef poolRef = VimProtocol.require(x.arg("pool"), "pool").asRef();
        return inv.locked(() -> {
            Vm vm = objects.vm(x.self);
            if (!vm.template) {
                throw VimFault.notSupported("The operation is not supported on the object: '" + vm.name
                        + "' is not a template.");
            }
            Pool pool = pool(poolRef);
            vm.template = false;
            vm.poolId = pool.id;
            Compute c = inv.computes.get(pool.computeId);
            if (x.ref("host") != null) {
                vm.hostId = host(x.ref("host")).id;
            } else if (!c.id.equals(inv.hosts.get(vm.hostId).computeId)) {
                vm.hostId = inv.hostFor(pool).id;
            }
            return List.of();
        });
    }

    List<Node> putUsbScanCodes(VimExchange x) {
        Node spec = VimProtocol.require(x.arg("spec"), "spec");
        return inv.locked(() -> {
            Vm vm = objects.vm(x.self);
            if (!"POWERED_ON".equals(vm.power)) {
                throw VimFault.invalidPowerState("poweredOn", VmProperties.powerState(vm));
            }
            return List.of(Node.text("returnval", null, spec.all("keyEvents").size()));
        });
    }

    List<Node> destroy(VimExchange x) {
        return inv.locked(() -> {
            Vm vm = objects.vm(x.self);
            return task(inv.tasks.now("Destroy_Task", x.self, vm.name, x.user, () -> {
                if (!"POWERED_OFF".equals(vm.power)) {
                    throw VimFault.invalidPowerState("poweredOff", VmProperties.powerState(vm));
                }
                inv.removeVm(vm);
                return null;
            }));
        });
    }

    List<Node> cancelTask(VimExchange x) {
        return inv.locked(() -> {
            Task t = inv.tasks.get(x.self.value());
            if (t == null) {
                throw VimFault.notFound(x.self);
            }
            inv.tasks.cancel(t);
            return List.of();
        });
    }
}
