package dev.kiln.emulators.vsphere;

import static dev.kiln.emulators.vsphere.Inventory.GIB;
import static dev.kiln.emulators.vsphere.Inventory.JSON;
import static dev.kiln.emulators.vsphere.Inventory.VM_TYPE;
import static dev.kiln.emulators.vsphere.Inventory.opt;
import static dev.kiln.emulators.vsphere.Inventory.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.ApiCounters;
import dev.kiln.emulators.vsphere.Inventory.Compute;
import dev.kiln.emulators.vsphere.Inventory.Datastore;
import dev.kiln.emulators.vsphere.Inventory.Folder;
import dev.kiln.emulators.vsphere.Inventory.Host;
import dev.kiln.emulators.vsphere.Inventory.Item;
import dev.kiln.emulators.vsphere.Inventory.Library;
import dev.kiln.emulators.vsphere.Inventory.Vm;
import dev.kiln.emulators.vsphere.VapiError.Type;
import dev.kiln.time.TimeSource;
import dev.kiln.time.Wakeup;
import java.util.function.Function;

/**
 * Provisioning: clones of VMs and exports of VMs as content library VM templates. Each is checked
 * and reserves its disk space first, then waits, outside the inventory's lock, for its slot under
 * the host and datastore cost limits and runs for its duration, like vCenter's queue; then it
 * completes. {@link #cloneVm} and {@link #template} take the lock themselves; the rest is called
 * under it.
 */
final class Clones {

    /** A provisioning operation validated and holding its disk space, to be completed after its slot. */
    record Pending(String kind, String hostId, String hostName, String datastoreId, String datastoreName,
            long diskBytes, JsonNode spec, String sourceVmId) {
    }

    private final Inventory inv;
    private final Provisioning provisioning;
    private final ApiCounters counters;
    private final TimeSource time;

    /** {@code counters} counts the operations that had to wait for a slot. */
    Clones(Inventory inv, Provisioning provisioning, ApiCounters counters) {
        this.inv = inv;
        this.provisioning = provisioning;
        this.counters = counters;
        this.time = inv.time;
    }

    /** {@code POST /vcenter/vm?action=clone}: the new VM's id, once the clone has had its slot and its time. */
    String cloneVm(JsonNode body) throws InterruptedException {
        return provision("vcenter.vm.clone", inv.config.cloneTime().toNanos(), body, this::prepareClone,
                this::completeClone);
    }

    /** {@code POST /vcenter/vm-template/library-items}: the new item's id, once the export is done. */
    String template(JsonNode body) throws InterruptedException {
        return provision("vcenter.vm_template.library_items.create", inv.config.templateTime().toNanos(), body,
                this::prepareTemplate, this::completeTemplate);
    }

    private String provision(String action, long durationNanos, JsonNode body, Function<JsonNode, Pending> prepare,
            Function<Pending, String> complete) throws InterruptedException {
        Pending p = inv.locked(() -> prepare.apply(body));
        waitForSlot(action, p, durationNanos);
        return inv.locked(() -> complete.apply(p));
    }

    /** Holds the operation's cost from its slot's start to its end; waits for both, like vCenter's queue. */
    private void waitForSlot(String action, Pending p, long durationNanos) throws InterruptedException {
        Provisioning.Slot slot = provisioning.admit(p.hostName(), p.datastoreName(), inv.config.cloneCost(),
                time.nanoTime(), durationNanos);
        if (slot.queued()) {
            counters.recordQueued(action);
        }
        try {
            Wakeup never = new Wakeup();
            while (time.nanoTime() < slot.endNanos()) {
                time.await(never, slot.endNanos());
            }
        } catch (InterruptedException e) {
            inv.locked(() -> {
                abandon(p);
                return null;
            });
            throw e;
        }
    }

    private Pending prepareClone(JsonNode body) {
        String source = text(body, "source");
        String name = text(body, "name");
        if (source == null || name == null) {
            throw VapiError.invalid("A clone needs 'source' (a virtual machine) and 'name'.");
        }
        Vm src = inv.vm(source);
        JsonNode placement = body.path("placement");
        String folderId = opt(placement, "folder", src.folderId);
        if (!inv.folders.containsKey(folderId)) {
            throw VapiError.notFound("Folder", folderId);
        }
        Host host = placementHost(placement, src.hostId);
        Datastore ds = inv.datastore(opt(placement, "datastore", src.datastoreId));
        checkNameFree(folderId, name);
        reserve(ds, src.diskBytes, name);
        return new Pending("clone", host.id, host.name, ds.id, ds.name, src.diskBytes, body, src.id);
    }

    private Host placementHost(JsonNode placement, String fallbackHostId) {
        String hostId = text(placement, "host");
        if (hostId != null) {
            Host h = inv.hosts.get(hostId);
            if (h == null) {
                throw VapiError.notFound("Host", hostId);
            }
            return h;
        }
        String clusterId = text(placement, "cluster");
        if (clusterId != null) {
            Compute cluster = inv.cluster(clusterId);
            if (cluster == null) {
                throw VapiError.notFound("Cluster", clusterId);
            }
            Host best = inv.hostFor(inv.pools.get(cluster.poolId));
            if (best == null) {
                throw VapiError.state("Cluster " + clusterId + " has no host to place the virtual machine on.");
            }
            return best;
        }
        Host h = inv.hosts.get(fallbackHostId);
        if (h == null) {
            throw VapiError.notFound("Host", fallbackHostId);
        }
        return h;
    }

    private void checkNameFree(String folderId, String name) {
        for (Vm vm : inv.vms.values()) {
            if (vm.name.equals(name) && vm.folderId.equals(folderId)) {
                throw new VapiError(Type.ALREADY_EXISTS, "com.vmware.api.vcenter.vm.duplicate_name",
                        "The name '" + name + "' already exists.", name);
            }
        }
    }

    private void reserve(Datastore ds, long bytes, String what) {
        if (inv.free(ds) < bytes) {
            throw new VapiError(Type.UNABLE_TO_ALLOCATE_RESOURCE, "com.vmware.vim.InsufficientDiskSpace",
                    "Insufficient disk space on datastore '" + ds.name + "' for '" + what + "': "
                            + bytes / GIB + " GiB needed, " + inv.free(ds) / GIB + " GiB free.", ds.id);
        }
        ds.reserved += bytes;
    }

    /** Gives back the space of an operation that will not complete. */
    private void abandon(Pending p) {
        Datastore ds = inv.datastores.get(p.datastoreId());
        if (ds != null) {
            ds.reserved = Math.max(0, ds.reserved - p.diskBytes());
        }
    }

    private String completeClone(Pending p) {
        abandon(p);
        Vm src = inv.vms.get(p.sourceVmId());
        JsonNode body = p.spec();
        String name = text(body, "name");
        String folderId = opt(body.path("placement"), "folder", src == null ? inv.vmFolderId : src.folderId);
        checkNameFree(folderId, name);
        Vm vm = inv.newVm(name, folderId, inv.hosts.get(p.hostId()), inv.datastores.get(p.datastoreId()));
        if (src != null) {
            vm.devices = Devices.cloneOf(src, vm, inv.datastores.get(p.datastoreId()));
            vm.cpus = src.cpus;
            vm.memoryMiB = src.memoryMiB;
            vm.guestOs = src.guestOs;
            vm.guestId = src.guestId;
            vm.annotation = src.annotation;
        }
        Devices.refresh(vm);
        if (body.path("power_on").asBoolean(false)) {
            vm.power = "POWERED_ON";
            vm.poweredOnAt = inv.time.nanoTime();
        }
        return vm.id;
    }

    private Pending prepareTemplate(JsonNode body) {
        String sourceVm = text(body, "source_vm");
        String name = text(body, "name");
        String libraryId = text(body, "library");
        if (sourceVm == null || name == null || libraryId == null) {
            throw VapiError.invalid("A VM template library item needs 'source_vm', 'name' and 'library'.");
        }
        Vm src = inv.anyVm(sourceVm);
        Library library = inv.libraries.get(libraryId);
        if (library == null) {
            throw VapiError.notFound("Library", libraryId);
        }
        checkItemNameFree(library, name);
        JsonNode placement = body.path("placement");
        String folderId = opt(placement, "folder", src.folderId);
        if (!inv.folders.containsKey(folderId)) {
            throw VapiError.notFound("Folder", folderId);
        }
        Host host = placementHost(placement, src.hostId);
        Datastore ds = inv.datastore(opt(body.path("vm_home_storage"), "datastore", library.datastoreId));
        reserve(ds, src.diskBytes, name);
        return new Pending("template", host.id, host.name, ds.id, ds.name, src.diskBytes, body, src.id);
    }

    private void checkItemNameFree(Library library, String name) {
        for (Item item : inv.items.values()) {
            if (item.libraryId.equals(library.id) && item.name.equals(name)) {
                throw new VapiError(Type.ALREADY_EXISTS, "com.vmware.vdcs.cls-main.duplicate_item_name",
                        "An item with name '" + name + "' already exists in library '" + library.name + "'.", name);
            }
        }
    }

    private String completeTemplate(Pending p) {
        abandon(p);
        JsonNode body = p.spec();
        Library library = inv.libraries.get(text(body, "library"));
        if (library == null) {
            throw VapiError.notFound("Library", text(body, "library"));
        }
        String name = text(body, "name");
        checkItemNameFree(library, name);
        Vm src = inv.vms.get(p.sourceVmId());
        String folderId = opt(body.path("placement"), "folder", src == null ? inv.vmFolderId : src.folderId);
        Datastore ds = inv.datastores.get(p.datastoreId());
        Vm template = inv.newVm(name, folderId, inv.hosts.get(p.hostId()), ds);
        template.template = true;
        if (src != null) {
            template.devices = Devices.cloneOf(src, template, ds);
            template.cpus = src.cpus;
            template.memoryMiB = src.memoryMiB;
            template.guestOs = src.guestOs;
            template.guestId = src.guestId;
        }
        template.annotation = text(body, "description") == null ? "" : text(body, "description");
        Devices.refresh(template);
        Item item = new Item();
        item.id = inv.uuid();
        item.libraryId = library.id;
        item.name = name;
        item.description = text(body, "description") == null ? "" : text(body, "description");
        item.type = "vm-template";
        item.vmId = template.id;
        item.created = inv.time.now();
        inv.items.put(item.id, item);
        return item.id;
    }

    /** {@code POST /vcenter/ovf/library-item}: an OVF item exported from a VM or template, once the export is done. */
    ObjectNode ovf(JsonNode body) throws InterruptedException {
        String id = provision("vcenter.ovf.library_item.create", inv.config.templateTime().toNanos(), body,
                this::prepareOvf, this::completeOvf);
        return JSON.createObjectNode().put("succeeded", true).put("ovf_library_item_id", id);
    }

    private Pending prepareOvf(JsonNode body) {
        String name = text(body.path("create_spec"), "name");
        String sourceType = text(body.path("source"), "type");
        String sourceId = text(body.path("source"), "id");
        String libraryId = text(body.path("target"), "library_id");
        if (name == null || sourceId == null || libraryId == null) {
            throw VapiError.invalid("An OVF export needs 'create_spec.name', 'source.id' and 'target.library_id'.");
        }
        if (sourceType != null && !VM_TYPE.equals(sourceType)) {
            throw VapiError.invalid("OVF exports take a VirtualMachine source, got " + sourceType + ".");
        }
        Vm src = inv.anyVm(sourceId);
        Library library = inv.libraries.get(libraryId);
        if (library == null) {
            throw VapiError.notFound("Library", libraryId);
        }
        checkItemNameFree(library, name);
        Host host = inv.hosts.get(src.hostId);
        Datastore ds = inv.datastore(library.datastoreId);
        reserve(ds, src.diskBytes, name);
        return new Pending("ovf", host.id, host.name, ds.id, ds.name, src.diskBytes, body, src.id);
    }

    private String completeOvf(Pending p) {
        abandon(p);
        JsonNode body = p.spec();
        Library library = inv.libraries.get(text(body.path("target"), "library_id"));
        if (library == null) {
            throw VapiError.notFound("Library", text(body.path("target"), "library_id"));
        }
        String name = text(body.path("create_spec"), "name");
        checkItemNameFree(library, name);
        Item item = new Item();
        item.id = inv.uuid();
        item.libraryId = library.id;
        item.name = name;
        item.description = opt(body.path("create_spec"), "description", "");
        item.type = "ovf";
        item.size = p.diskBytes();
        item.created = inv.time.now();
        inv.items.put(item.id, item);
        return item.id;
    }

    ObjectNode getTemplateItem(String itemId) {
        Item item = inv.items.get(itemId);
        if (item == null) {
            throw VapiError.notFound("Library item", itemId);
        }
        if (!"vm-template".equals(item.type)) {
            throw VapiError.invalid("Library item '" + item.name + "' does not contain a virtual machine template.");
        }
        Vm vm = inv.vms.get(item.vmId);
        ObjectNode out = JSON.createObjectNode().put("guest_OS", vm.guestOs).put("vm_template", vm.id);
        out.putObject("cpu").put("count", vm.cpus).put("cores_per_socket", 1);
        out.putObject("memory").put("size_MiB", vm.memoryMiB);
        out.putObject("vm_home_storage").put("datastore", vm.datastoreId);
        out.putObject("disks").putObject("2000").put("capacity", vm.diskBytes).putObject("disk_storage")
                .put("datastore", vm.datastoreId);
        out.putObject("nics");
        return out;
    }
}
