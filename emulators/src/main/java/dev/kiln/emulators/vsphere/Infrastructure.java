package dev.kiln.emulators.vsphere;

import static dev.kiln.emulators.vsphere.Inventory.JSON;
import static dev.kiln.emulators.vsphere.Inventory.matches;
import static dev.kiln.emulators.vsphere.Inventory.set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.vsphere.Inventory.Cluster;
import dev.kiln.emulators.vsphere.Inventory.Datastore;
import dev.kiln.emulators.vsphere.Inventory.Folder;
import dev.kiln.emulators.vsphere.Inventory.Host;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The datacenter's hosts, clusters, datastores (with their free space) and VM folders, as the
 * vcenter services list them. Called under the inventory's lock.
 */
final class Infrastructure {

    private final Inventory inv;

    Infrastructure(Inventory inv) {
        this.inv = inv;
    }

    ArrayNode listDatastores(Map<String, List<String>> q) {
        Set<String> ids = set(q, "datastores");
        Set<String> names = set(q, "names");
        Set<String> types = set(q, "types");
        ArrayNode out = JSON.createArrayNode();
        for (Datastore d : inv.datastores.values()) {
            if (matches(ids, d.id) && matches(names, d.name) && matches(types, "VMFS")) {
                out.addObject().put("datastore", d.id).put("name", d.name).put("type", "VMFS")
                        .put("free_space", inv.free(d)).put("capacity", d.capacity);
            }
        }
        return out;
    }

    ObjectNode getDatastore(String id) {
        Datastore d = inv.datastore(id);
        return JSON.createObjectNode().put("name", d.name).put("type", "VMFS").put("accessible", true)
                .put("free_space", inv.free(d)).put("multiple_host_access", true).put("thin_provisioning_supported", true);
    }

    ArrayNode listHosts(Map<String, List<String>> q) {
        Set<String> ids = set(q, "hosts");
        Set<String> names = set(q, "names");
        Set<String> inClusters = set(q, "clusters");
        ArrayNode out = JSON.createArrayNode();
        for (Host h : inv.hosts.values()) {
            if (matches(ids, h.id) && matches(names, h.name) && matches(inClusters, h.clusterId)) {
                out.addObject().put("host", h.id).put("name", h.name).put("connection_state", "CONNECTED")
                        .put("power_state", "POWERED_ON");
            }
        }
        return out;
    }

    ArrayNode listClusters(Map<String, List<String>> q) {
        Set<String> ids = set(q, "clusters");
        Set<String> names = set(q, "names");
        ArrayNode out = JSON.createArrayNode();
        for (Cluster c : inv.clusters.values()) {
            if (matches(ids, c.id) && matches(names, c.name)) {
                out.addObject().put("cluster", c.id).put("name", c.name).put("ha_enabled", true)
                        .put("drs_enabled", true);
            }
        }
        return out;
    }

    ArrayNode listFolders(Map<String, List<String>> q) {
        Set<String> ids = set(q, "folders");
        Set<String> names = set(q, "names");
        Set<String> type = set(q, "type");
        ArrayNode out = JSON.createArrayNode();
        for (Folder f : inv.folders.values()) {
            if (matches(ids, f.id) && matches(names, f.name) && matches(type, f.type)) {
                out.addObject().put("folder", f.id).put("name", f.name).put("type", f.type);
            }
        }
        return out;
    }

    ArrayNode listDatacenters(Map<String, List<String>> q) {
        ArrayNode out = JSON.createArrayNode();
        if (matches(set(q, "datacenters"), inv.datacenterId) && matches(set(q, "names"), "Datacenter")) {
            out.addObject().put("datacenter", inv.datacenterId).put("name", "Datacenter");
        }
        return out;
    }
}
