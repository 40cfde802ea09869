package dev.kiln.emulators.vsphere;

import static dev.kiln.emulators.vsphere.Inventory.JSON;
import static dev.kiln.emulators.vsphere.Inventory.matches;
import static dev.kiln.emulators.vsphere.Inventory.set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.vsphere.Inventory.Datastore;
import dev.kiln.emulators.vsphere.Inventory.Host;
import dev.kiln.emulators.vsphere.Inventory.Vm;
import dev.kiln.emulators.vsphere.VapiError.Type;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The VM service ({@code /vcenter/vm}): lists with vCenter's filters, reads, deletes powered-off
 * VMs, powers them and their guests; VMware Tools runs once the boot time has passed. Templates
 * are not VMs here, as on vCenter 7+. Called under the inventory's lock.
 */
final class VmService {

    private static final int MAX_VMS_LISTED = 4000;

    private final Inventory inv;

    VmService(Inventory inv) {
        this.inv = inv;
    }

    ArrayNode list(Map<String, List<String>> q) {
        Set<String> ids = set(q, "vms");
        Set<String> names = set(q, "names");
        Set<String> inFolders = set(q, "folders");
        Set<String> onHosts = set(q, "hosts");
        Set<String> inClusters = set(q, "clusters");
        Set<String> states = set(q, "power_states");
        Set<String> dcs = set(q, "datacenters");
        ArrayNode out = JSON.createArrayNode();
        for (Vm vm : inv.vms.values()) {
            if (vm.template) {
                continue;
            }
            inv.tick(vm);
            Host host = inv.hosts.get(vm.hostId);
            if (matches(ids, vm.id) && matches(names, vm.name) && matches(inFolders, vm.folderId)
                    && matches(onHosts, vm.hostId) && matches(inClusters, host == null ? null : host.clusterId)
                    && matches(states, vm.power) && matches(dcs, inv.datacenterId)) {
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

    ObjectNode get(String id) {
        Vm vm = inv.vm(id);
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
        Datastore ds = inv.datastores.get(vm.datastoreId);
        disk.putObject("backing").put("type", "VMDK_FILE")
                .put("vmdk_file", "[" + (ds == null ? "" : ds.name) + "] " + vm.name + "/" + vm.name + ".vmdk");
        out.putObject("nics");
        out.putObject("cdroms");
        return out;
    }

    void delete(String id) {
        Vm vm = inv.vm(id);
        if (!"POWERED_OFF".equals(vm.power)) {
            throw VapiError.state("Virtual machine '" + vm.name + "' (" + id + ") is " + vm.power
                    + "; power it off before deleting it.");
        }
        inv.removeVm(vm);
    }

    ObjectNode powerGet(String id) {
        Vm vm = inv.vm(id);
        ObjectNode out = JSON.createObjectNode().put("state", vm.power);
        if ("POWERED_OFF".equals(vm.power)) {
            out.put("clean_power_off", true);
        }
        return out;
    }

    void power(String id, String action) {
        Vm vm = inv.vm(id);
        switch (action) {
            case "start" -> {
                if ("POWERED_ON".equals(vm.power)) {
                    throw desired(vm, "powered on");
                }
                vm.power = "POWERED_ON";
                vm.poweredOnAt = inv.time.nanoTime();
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
                vm.poweredOnAt = inv.time.nanoTime();
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
                && inv.time.nanoTime() - vm.poweredOnAt >= inv.config.bootTime().toNanos();
    }

    ObjectNode guestIdentity(String id) {
        Vm vm = inv.vm(id);
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

    ObjectNode guestPowerGet(String id) {
        Vm vm = inv.vm(id);
        boolean running = toolsRunning(vm);
        return JSON.createObjectNode().put("state", "POWERED_ON".equals(vm.power)
                ? (running ? "RUNNING" : "NOT_RUNNING") : "NOT_RUNNING").put("operations_ready", running);
    }

    void guestPower(String id, String action) {
        Vm vm = inv.vm(id);
        if (!"POWERED_ON".equals(vm.power)) {
            throw VapiError.state("Virtual machine '" + vm.name + "' is " + vm.power + ".");
        }
        if (!toolsRunning(vm)) {
            throw toolsNotRunning(vm);
        }
        switch (action) {
            case "shutdown" -> vm.offAt = Math.addExact(inv.time.nanoTime(), inv.config.shutdownTime().toNanos());
            case "reboot" -> vm.poweredOnAt = inv.time.nanoTime();
            case "standby" -> vm.power = "SUSPENDED";
            default -> throw VapiError.invalid("Unknown guest power operation '" + action
                    + "'; use shutdown, reboot or standby.");
        }
    }
}
