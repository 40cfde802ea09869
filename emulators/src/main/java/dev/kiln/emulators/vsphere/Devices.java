package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.vsphere.Inventory.Datastore;
import dev.kiln.emulators.vsphere.Inventory.Vm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A VM's virtual hardware as {@code config.hardware.device} shows it: the devices every VM has
 * (IDE, PS/2, PCI and SIO controllers, keyboard, mouse, video card), and what specs add, edit and
 * remove. Devices are kept as the nodes clients sent, so they read back what they wrote; the
 * emulator assigns keys, resolves a spec's temporary controller keys, places NICs on the PCI bus,
 * names new disks in the VM's directory, and keeps every controller's {@code device} list up to
 * date (govmomi picks the IDE controller with a free slot from it). Called under the inventory's lock.
 */
final class Devices {

    static final int PCI = 100;
    static final int IDE0 = 200;
    static final int IDE1 = 201;
    static final int PS2 = 300;
    static final int SIO = 400;

    private static final Set<String> ETHERNET = Set.of("VirtualE1000", "VirtualE1000e", "VirtualVmxnet",
            "VirtualVmxnet2", "VirtualVmxnet3", "VirtualVmxnet3Vrdma", "VirtualPCNet32", "VirtualSriovEthernetCard");

    private Devices() {
    }

    /** The devices of a VM made by CreateVM before its spec's own. */
    static List<Node> base() {
        List<Node> out = new ArrayList<>();
        out.add(controller("VirtualPCIController", PCI, "PCI controller 0", 0));
        out.add(controller("VirtualIDEController", IDE0, "IDE 0", 0));
        out.add(controller("VirtualIDEController", IDE1, "IDE 1", 1));
        out.add(controller("VirtualPS2Controller", PS2, "PS2 controller 0", 0));
        out.add(controller("VirtualSIOController", SIO, "SIO controller 0", 0));
        out.add(device("VirtualKeyboard", 600, "Keyboard", PS2, 0));
        out.add(device("VirtualPointingDevice", 700, "Pointing device", PS2, 1)
                .add(backing("VirtualPointingDeviceDeviceBackingInfo").add("deviceName", "")
                        .add("useAutoDetect", false).add("hostPointingDevice", "autodetect")));
        Node video = device("VirtualMachineVideoCard", 500, "Video card", PCI, 0);
        video.add("videoRamSizeInKB", 4096).add("numDisplays", 1).add("useAutoDetect", false).add("enable3DSupport",
                false);
        out.add(video);
        return out;
    }

    /** The devices of a VM builds clone from: the base, a SCSI disk of {@code diskBytes}, a NIC and a CD-ROM. */
    static List<Node> sourceVm(Vm vm, Datastore ds, long diskBytes, String network) {
        List<Node> out = base();
        Node scsi = controller("VirtualLsiLogicController", 1000, "SCSI controller 0", 0);
        scsi.add("hotAddRemove", true).add("sharedBus", "noSharing").add("scsiCtlrUnitNumber", 7);
        scsi.add("controllerKey", PCI).add("unitNumber", 3);
        out.add(scsi);
        Node disk = device("VirtualDisk", 2000, "Hard disk 1", 1000, 0);
        disk.children.add(2, diskBacking(vm, ds, vm.name + ".vmdk"));
        disk.add("capacityInKB", diskBytes / 1024).add("capacityInBytes", diskBytes);
        out.add(disk);
        if (network != null) {
            Node nic = device("VirtualVmxnet3", 4000, "Network adapter 1", PCI, 7);
            nic.children.add(2, backing("VirtualEthernetCardNetworkBackingInfo").add("deviceName", network));
            nic.children.add(3, connectable(true));
            nic.add("addressType", "generated").add("macAddress", mac(vm)).add("wakeOnLanEnabled", true);
            out.add(nic);
        }
        Node cdrom = device("VirtualCdrom", 3000, "CD/DVD drive 1", IDE0, 0);
        cdrom.children.add(2, backing("VirtualCdromRemotePassthroughBackingInfo").add("deviceName", "")
                .add("exclusive", false));
        cdrom.children.add(3, connectable(false));
        out.add(cdrom);
        return out;
    }

    /** The devices of a clone of {@code src} in {@code dst}: copies, its disks in the clone's directory. */
    static List<Node> cloneOf(Vm src, Vm dst, Datastore ds) {
        List<Node> out = new ArrayList<>();
        int disk = 0;
        for (Node d : src.devices) {
            Node copy = d.copy();
            if ("VirtualDisk".equals(copy.type)) {
                Node backing = copy.child("backing");
                if (backing != null) {
                    String file = dst.name + (disk == 0 ? "" : "_" + disk) + ".vmdk";
                    backing.set("fileName", "[" + ds.name + "] " + dst.dir + "/" + file);
                    backing.remove("datastore");
                    backing.addRef("datastore", new MoRef("Datastore", ds.id));
                }
                disk++;
            }
            out.add(copy);
        }
        return out;
    }

    /**
     * Applies {@code changes} ({@code VirtualDeviceConfigSpec}s) to {@code vm}'s devices, all or
     * nothing.
     *
     * @throws VimFault InvalidDeviceSpec for an edit or remove of a device the VM does not have
     */
    static void apply(Vm vm, Datastore ds, List<Node> changes) {
        List<Node> devices = new ArrayList<>();
        vm.devices.forEach(d -> devices.add(d.copy()));
        Map<Long, Long> temporary = new HashMap<>();
        for (Node change : changes) {
            String op = change.text("operation");
            Node device = change.child("device");
            if (op == null || device == null) {
                continue;
            }
            Node d = device.copy();
            d.name = "device";
            long key = d.number("key", 0);
            switch (op) {
                case "add" -> {
                    long real = freeKey(devices, base(d.type));
                    temporary.put(key, real);
                    d.set("key", real);
                    Long controller = d.text("controllerKey") == null ? null : d.number("controllerKey", 0);
                    if (controller != null && temporary.containsKey(controller)) {
                        d.set("controllerKey", temporary.get(controller));
                    }
                    place(devices, d);
                    if ("VirtualDisk".equals(d.type)) {
                        nameDisk(vm, ds, devices, d);
                    }
                    if (d.child("deviceInfo") == null) {
                        Node info = Node.object("deviceInfo", "Description").add("label", label(d.type, real))
                                .add("summary", label(d.type, real));
                        d.children.add(1, info);
                    }
                    if (ETHERNET.contains(d.type) && d.child("macAddress") == null) {
                        d.add("addressType", "generated").add("macAddress", mac(vm, real));
                    }
                    devices.add(d);
                }
                case "edit" -> devices.set(indexOf(devices, key), d);
                case "remove" -> devices.remove(indexOf(devices, key));
                default -> throw new VimFault("InvalidDeviceOperation", "Invalid operation for device '" + key
                        + "': " + op + "; use add, edit or remove.");
            }
        }
        vm.devices = devices;
        refresh(vm);
    }

    /** Brings controllers' device lists and the VM's disk size in line with its devices. */
    static void refresh(Vm vm) {
        long disk = 0;
        for (Node d : vm.devices) {
            if ("VirtualDisk".equals(d.type)) {
                disk += d.number("capacityInKB", 0) * 1024;
            }
            if (isController(d)) {
                long key = d.number("key", 0);
                d.remove("device");
                int at = d.children.indexOf(d.child("busNumber")) + 1;
                for (Node other : vm.devices) {
                    if (other != d && other.text("controllerKey") != null && other.number("controllerKey", -1) == key) {
                        d.children.add(at == 0 ? d.children.size() : at++, Node.text("device", null,
                                other.number("key", 0)));
                    }
                }
            }
        }
        vm.diskBytes = disk;
        vm.changeVersion++;
    }

    /** The first disk, or null. */
    static Node firstDisk(Vm vm) {
        return vm.devices.stream().filter(d -> "VirtualDisk".equals(d.type)).findFirst().orElse(null);
    }

    private static boolean isController(Node d) {
        return d.type != null && d.type.endsWith("Controller");
    }

    private static void place(List<Node> devices, Node d) {
        if (d.text("controllerKey") == null && (ETHERNET.contains(d.type) || isController(d))) {
            d.add("controllerKey", PCI);
        }
        if (d.text("unitNumber") == null && d.text("controllerKey") != null) {
            long controller = d.number("controllerKey", 0);
            long unit = ETHERNET.contains(d.type) ? 7 : 0;
            while (taken(devices, controller, unit) || (!ETHERNET.contains(d.type) && unit == 7 && controller != PCI)) {
                unit++;
            }
            d.add("unitNumber", unit);
        }
    }

    private static boolean taken(List<Node> devices, long controller, long unit) {
        for (Node o : devices) {
            if (o.text("controllerKey") != null && o.number("controllerKey", -1) == controller
                    && o.text("unitNumber") != null && o.number("unitNumber", -1) == unit) {
                return true;
            }
        }
        return false;
    }

    private static void nameDisk(Vm vm, Datastore ds, List<Node> devices, Node disk) {
        Node backing = disk.child("backing");
        if (backing == null) {
            backing = Node.object("backing", "VirtualDiskFlatVer2BackingInfo").add("diskMode", "persistent");
            disk.children.add(1, backing);
        }
        String file = backing.text("fileName");
        if (file == null || file.isBlank()) {
            long disks = devices.stream().filter(o -> "VirtualDisk".equals(o.type)).count();
            backing.set("fileName", "[" + ds.name + "] " + vm.dir + "/" + vm.name + (disks == 0 ? "" : "_" + disks)
                    + ".vmdk");
        }
        backing.remove("datastore");
        backing.children.add(1, Node.ref("datastore", new MoRef("Datastore", ds.id)).untyped());
    }

    private static int indexOf(List<Node> devices, long key) {
        for (int i = 0; i < devices.size(); i++) {
            if (devices.get(i).number("key", Long.MIN_VALUE) == key) {
                return i;
            }
        }
        throw new VimFault("InvalidDeviceSpec", "Invalid configuration for device '" + key + "': no such device.",
                Node.text("property", null, "virtualDeviceSpec.device.key"), Node.text("deviceIndex", null, 0));
    }

    private static long freeKey(List<Node> devices, long from) {
        long key = from;
        while (true) {
            long k = key;
            if (devices.stream().noneMatch(d -> d.number("key", Long.MIN_VALUE) == k)) {
                return key;
            }
            key++;
        }
    }

    private static long base(String type) {
        if (type == null) {
            return 13000;
        }
        if (ETHERNET.contains(type)) {
            return 4000;
        }
        return switch (type) {
            case "VirtualDisk" -> 2000;
            case "VirtualCdrom" -> 3000;
            case "VirtualFloppy" -> 8000;
            case "VirtualLsiLogicController", "ParaVirtualSCSIController", "VirtualLsiLogicSASController",
                    "VirtualBusLogicController" -> 1000;
            case "VirtualAHCIController", "VirtualSATAController" -> 15000;
            case "VirtualNVMEController" -> 31000;
            default -> 13000;
        };
    }

    private static String label(String type, long key) {
        String kind = type == null ? "device" : type.replaceFirst("^Virtual", "");
        return kind + "-" + key;
    }

    private static Node controller(String type, int key, String label, int bus) {
        Node c = device(type, key, label, null, null);
        c.add("busNumber", bus);
        return c;
    }

    private static Node device(String type, int key, String label, Integer controllerKey, Integer unit) {
        Node d = Node.object("device", type);
        d.add("key", key);
        d.add(Node.object("deviceInfo", "Description").add("label", label).add("summary", label));
        if (controllerKey != null) {
            d.add("controllerKey", controllerKey);
        }
        if (unit != null) {
            d.add("unitNumber", unit);
        }
        return d;
    }

    private static Node backing(String type) {
        return Node.object("backing", type);
    }

    private static Node connectable(boolean connected) {
        return new Node("connectable").add("startConnected", connected).add("allowGuestControl", true)
                .add("connected", connected).add("status", connected ? "ok" : "untried");
    }

    private static Node diskBacking(Vm vm, Datastore ds, String file) {
        Node b = backing("VirtualDiskFlatVer2BackingInfo").add("fileName", "[" + ds.name + "] " + vm.dir + "/" + file);
        b.addRef("datastore", new MoRef("Datastore", ds.id));
        b.add("diskMode", "persistent").add("thinProvisioned", true);
        return b;
    }

    private static String mac(Vm vm) {
        return mac(vm, 4000);
    }

    private static String mac(Vm vm, long key) {
        int h = (vm.id + "/" + key).hashCode();
        return String.format("00:50:56:%02x:%02x:%02x", (h >> 16) & 0x3f, (h >> 8) & 0xff, h & 0xff);
    }
}
