package dev.kiln.emulators.vsphere;

import static dev.kiln.emulators.vsphere.Inventory.JSON;
import static dev.kiln.emulators.vsphere.Inventory.matches;
import static dev.kiln.emulators.vsphere.Inventory.set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.vsphere.Inventory.Compute;
import dev.kiln.emulators.vsphere.Inventory.Datastore;
import dev.kiln.emulators.vsphere.Inventory.Folder;
import dev.kiln.emulators.vsphere.Inventory.Host;
import dev.kiln.emulators.vsphere.Inventory.Network;
import dev.kiln.emulators.vsphere.Inventory.Pool;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The datacenter, its folders of every type, hosts, clusters, resource pools, networks and
 * datastores (with their free space), as the vcenter services list and get them. Called under the
 * inventory's lock.
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
        boolean inDatacenter = matches(set(q, "datacenters"), inv.datacenterId);
        boolean inFolder = matches(set(q, "folders"), inv.datastoreFolderId);
        ArrayNode out = JSON.createArrayNode();
        for (Datastore d : inv.datastores.values()) {
            if (inDatacenter && inFolder && matches(ids, d.id) && matches(names, d.name) && matches(types, "VMFS")) {
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
        boolean standalone = "true".equals(first(q, "standalone"));
        boolean inDatacenter = matches(set(q, "datacenters"), inv.datacenterId);
        ArrayNode out = JSON.createArrayNode();
        for (Host h : inv.hosts.values()) {
            if (inDatacenter && matches(ids, h.id) && matches(names, h.name) && matches(inClusters, h.clusterId)
                    && (!standalone || h.clusterId == null) && matches(set(q, "folders"), inv.hostFolderId)) {
                out.addObject().put("host", h.id).put("name", h.name).put("connection_state", "CONNECTED")
                        .put("power_state", "POWERED_ON");
            }
        }
        return out;
    }

    ArrayNode listClusters(Map<String, List<String>> q) {
        Set<String> ids = set(q, "clusters");
        Set<String> names = set(q, "names");
        boolean inDatacenter = matches(set(q, "datacenters"), inv.datacenterId);
        ArrayNode out = JSON.createArrayNode();
        for (Compute c : inv.clusters()) {
            if (inDatacenter && matches(ids, c.id) && matches(names, c.name)) {
                out.addObject().put("cluster", c.id).put("name", c.name).put("ha_enabled", true)
                        .put("drs_enabled", true);
            }
        }
        return out;
    }

    ObjectNode getCluster(String id) {
        Compute c = inv.cluster(id);
        if (c == null) {
            throw VapiError.notFound("Cluster", id);
        }
        return JSON.createObjectNode().put("name", c.name).put("resource_pool", c.poolId);
    }

    /** Every folder of the datacenter, of each type: the root's, the datacenter's own four, and those made in them. */
    ArrayNode listFolders(Map<String, List<String>> q) {
        Set<String> ids = set(q, "folders");
        Set<String> names = set(q, "names");
        Set<String> type = set(q, "type");
        Set<String> parents = set(q, "parent_folders");
        Set<String> dcs = set(q, "datacenters");
        ArrayNode out = JSON.createArrayNode();
        for (Folder f : inv.folders.values()) {
            boolean inDatacenter = f.parentId != null;
            if (matches(ids, f.id) && matches(names, f.name) && matches(type, f.type)
                    && matches(parents, f.parentId) && (dcs.isEmpty() || (inDatacenter && dcs.contains(
                            inv.datacenterId)))) {
                out.addObject().put("folder", f.id).put("name", f.name).put("type", f.type);
            }
        }
        return out;
    }

    ArrayNode listDatacenters(Map<String, List<String>> q) {
        ArrayNode out = JSON.createArrayNode();
        String name = inv.config.datacenter();
        if (matches(set(q, "datacenters"), inv.datacenterId) && matches(set(q, "names"), name)
                && matches(set(q, "folders"), inv.rootFolderId)) {
            out.addObject().put("datacenter", inv.datacenterId).put("name", name);
        }
        return out;
    }

    ObjectNode getDatacenter(String id) {
        if (!inv.datacenterId.equals(id)) {
            throw VapiError.notFound("Datacenter", id);
        }
        return JSON.createObjectNode().put("name", inv.config.datacenter()).put("datastore_folder",
                inv.datastoreFolderId).put("host_folder", inv.hostFolderId).put("network_folder",
                inv.networkFolderId).put("vm_folder", inv.vmFolderId);
    }

    /** Resource pools: each compute resource's root pool {@code Resources}. */
    ArrayNode listResourcePools(Map<String, List<String>> q) {
        Set<String> ids = set(q, "resource_pools");
        Set<String> names = set(q, "names");
        Set<String> parents = set(q, "parent_resource_pools");
        Set<String> onHosts = set(q, "hosts");
        Set<String> inClusters = set(q, "clusters");
        boolean inDatacenter = matches(set(q, "datacenters"), inv.datacenterId);
        ArrayNode out = JSON.createArrayNode();
        for (Pool p : inv.pools.values()) {
            Compute c = inv.computes.get(p.computeId);
            boolean onHost = onHosts.isEmpty() || inv.hosts.values().stream()
                    .anyMatch(h -> onHosts.contains(h.id) && h.computeId.equals(c.id));
            if (inDatacenter && matches(ids, p.id) && matches(names, p.name) && matches(parents, p.parentId)
                    && onHost && (inClusters.isEmpty() || (c.cluster && inClusters.contains(c.id)))) {
                out.addObject().put("resource_pool", p.id).put("name", p.name);
            }
        }
        return out;
    }

    ObjectNode getResourcePool(String id) {
        Pool p = inv.pools.get(id);
        if (p == null) {
            throw VapiError.notFound("Resource pool", id);
        }
        ObjectNode out = JSON.createObjectNode().put("name", p.name);
        ArrayNode children = out.putArray("resource_pools");
        inv.pools.values().stream().filter(c -> id.equals(c.parentId)).forEach(c -> children.add(c.id));
        return out;
    }

    /** Networks: the standard port groups every host has. */
    ArrayNode listNetworks(Map<String, List<String>> q) {
        Set<String> ids = set(q, "networks");
        Set<String> names = set(q, "names");
        Set<String> types = set(q, "types");
        boolean inDatacenter = matches(set(q, "datacenters"), inv.datacenterId);
        boolean inFolder = matches(set(q, "folders"), inv.networkFolderId);
        ArrayNode out = JSON.createArrayNode();
        for (Network n : inv.networks.values()) {
            if (inDatacenter && inFolder && matches(ids, n.id) && matches(names, n.name)
                    && matches(types, "STANDARD_PORTGROUP")) {
                out.addObject().put("network", n.id).put("name", n.name).put("type", "STANDARD_PORTGROUP");
            }
        }
        return out;
    }

    private static String first(Map<String, List<String>> q, String key) {
        List<String> v = q.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
