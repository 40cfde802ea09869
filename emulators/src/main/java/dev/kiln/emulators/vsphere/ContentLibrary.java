package dev.kiln.emulators.vsphere;

import static dev.kiln.emulators.vsphere.Inventory.ITEM_TYPE;
import static dev.kiln.emulators.vsphere.Inventory.JSON;
import static dev.kiln.emulators.vsphere.Inventory.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.vsphere.Inventory.Item;
import dev.kiln.emulators.vsphere.Inventory.Library;
import dev.kiln.emulators.vsphere.Inventory.ObjRef;
import dev.kiln.emulators.vsphere.Inventory.Vm;

/**
 * Local content libraries and their items (a VM template item deleted takes its template VM with
 * it). Called under the inventory's lock.
 */
final class ContentLibrary {

    private final Inventory inv;

    ContentLibrary(Inventory inv) {
        this.inv = inv;
    }

    ArrayNode listLibraries() {
        ArrayNode out = JSON.createArrayNode();
        inv.libraries.keySet().forEach(out::add);
        return out;
    }

    ArrayNode findLibraries(JsonNode spec) {
        String name = text(spec, "name");
        String type = text(spec, "type");
        ArrayNode out = JSON.createArrayNode();
        for (Library l : inv.libraries.values()) {
            if ((name == null || l.name.equals(name)) && (type == null || "LOCAL".equals(type))) {
                out.add(l.id);
            }
        }
        return out;
    }

    ObjectNode getLibrary(String id) {
        Library l = inv.libraries.get(id);
        if (l == null) {
            throw VapiError.notFound("Library", id);
        }
        ObjectNode out = JSON.createObjectNode().put("id", l.id).put("name", l.name).put("type", "LOCAL")
                .put("description", "").put("creation_time", l.created.toString())
                .put("last_modified_time", l.created.toString()).put("version", "1");
        out.putArray("storage_backings").addObject().put("type", "DATASTORE").put("datastore_id", l.datastoreId);
        return out;
    }

    ArrayNode listItems(String libraryId) {
        if (libraryId == null || !inv.libraries.containsKey(libraryId)) {
            throw VapiError.notFound("Library", String.valueOf(libraryId));
        }
        ArrayNode out = JSON.createArrayNode();
        for (Item i : inv.items.values()) {
            if (i.libraryId.equals(libraryId)) {
                out.add(i.id);
            }
        }
        return out;
    }

    ArrayNode findItems(JsonNode spec) {
        String name = text(spec, "name");
        String libraryId = text(spec, "library_id");
        String type = text(spec, "type");
        ArrayNode out = JSON.createArrayNode();
        for (Item i : inv.items.values()) {
            if ((name == null || i.name.equals(name)) && (libraryId == null || i.libraryId.equals(libraryId))
                    && (type == null || i.type.equals(type))) {
                out.add(i.id);
            }
        }
        return out;
    }

    ObjectNode getItem(String id) {
        Item i = inv.items.get(id);
        if (i == null) {
            throw VapiError.notFound("Library item", id);
        }
        Vm vm = inv.vms.get(i.vmId);
        return JSON.createObjectNode().put("id", i.id).put("library_id", i.libraryId).put("name", i.name)
                .put("type", i.type).put("description", i.description).put("size", vm == null ? i.size : vm.diskBytes)
                .put("cached", true).put("creation_time", i.created.toString())
                .put("last_modified_time", i.created.toString()).put("version", "1").put("content_version", "1")
                .put("metadata_version", "1");
    }

    void deleteItem(String id) {
        Item i = inv.items.remove(id);
        if (i == null) {
            throw VapiError.notFound("Library item", id);
        }
        Vm vm = inv.vms.get(i.vmId);
        if (vm != null) {
            inv.removeVm(vm);
        }
        inv.forget(new ObjRef(ITEM_TYPE, id));
    }
}
