package dev.kiln.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * One vCenter REST operation in both of its forms: the /api form (vSphere 7.0 U2+) and the legacy
 * /rest form (6.5–7.0), whose bodies wrap specs ({@code {"spec": ...}}) and whose answers come
 * wrapped in {@code {"value": ...}}. The client picks the form the vCenter speaks.
 *
 * @param method     HTTP method
 * @param api        path and query of the /api form
 * @param apiBody    body of the /api form, or null
 * @param legacy     path and query of the /rest form
 * @param legacyBody body of the /rest form, or null
 */
record Call(String method, String api, JsonNode apiBody, String legacy, JsonNode legacyBody) {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static Call get(String api, String legacy) {
        return new Call("GET", api, null, legacy, null);
    }

    static Call vmsInFolder(String folderId) {
        return get("/api/vcenter/vm?folders=" + q(folderId), "/rest/vcenter/vm?filter.folders.1=" + q(folderId));
    }

    static Call hostsNamed(String name) {
        return get("/api/vcenter/host?names=" + q(name), "/rest/vcenter/host?filter.names.1=" + q(name));
    }

    static Call hosts() {
        return get("/api/vcenter/host", "/rest/vcenter/host");
    }

    static Call clustersNamed(String name) {
        return get("/api/vcenter/cluster?names=" + q(name), "/rest/vcenter/cluster?filter.names.1=" + q(name));
    }

    static Call clusters() {
        return get("/api/vcenter/cluster", "/rest/vcenter/cluster");
    }

    static Call datastoresNamed(String name) {
        return get("/api/vcenter/datastore?names=" + q(name), "/rest/vcenter/datastore?filter.names.1=" + q(name));
    }

    static Call datastores() {
        return get("/api/vcenter/datastore", "/rest/vcenter/datastore");
    }

    static Call vmFoldersNamed(String name) {
        return get("/api/vcenter/folder?type=VIRTUAL_MACHINE&names=" + q(name),
                "/rest/vcenter/folder?filter.type=VIRTUAL_MACHINE&filter.names.1=" + q(name));
    }

    static Call librariesNamed(String name) {
        ObjectNode spec = NODES.objectNode().put("name", name);
        return new Call("POST", "/api/content/library?action=find", spec,
                "/rest/com/vmware/content/library?~action=find", wrap("spec", spec));
    }

    static Call libraries() {
        return get("/api/content/library", "/rest/com/vmware/content/library");
    }

    static Call library(String id) {
        return get("/api/content/library/" + p(id), "/rest/com/vmware/content/library/id:" + p(id));
    }

    static Call itemsNamed(String name) {
        ObjectNode spec = NODES.objectNode().put("name", name);
        return new Call("POST", "/api/content/library/item?action=find", spec,
                "/rest/com/vmware/content/library/item?~action=find", wrap("spec", spec));
    }

    static Call items(String libraryId) {
        return get("/api/content/library/item?library_id=" + q(libraryId),
                "/rest/com/vmware/content/library/item?library_id=" + q(libraryId));
    }

    static Call item(String id) {
        return get("/api/content/library/item/" + p(id), "/rest/com/vmware/content/library/item/id:" + p(id));
    }

    static Call datacenters() {
        return get("/api/vcenter/datacenter", "/rest/vcenter/datacenter");
    }

    static Call networks() {
        return get("/api/vcenter/network", "/rest/vcenter/network");
    }

    static Call resourcePools() {
        return get("/api/vcenter/resource-pool", "/rest/vcenter/resource-pool");
    }

    static Call vmFolders() {
        return get("/api/vcenter/folder?type=VIRTUAL_MACHINE", "/rest/vcenter/folder?filter.type=VIRTUAL_MACHINE");
    }

    static Call createCategory(String name, String description) {
        ObjectNode spec = NODES.objectNode().put("name", name).put("description", description)
                .put("cardinality", "MULTIPLE");
        spec.putArray("associable_types");
        return new Call("POST", "/api/cis/tagging/category", spec, "/rest/com/vmware/cis/tagging/category",
                wrap("create_spec", spec));
    }

    static Call createTag(String categoryId, String name, String description) {
        ObjectNode spec = NODES.objectNode().put("category_id", categoryId).put("name", name)
                .put("description", description);
        return new Call("POST", "/api/cis/tagging/tag", spec, "/rest/com/vmware/cis/tagging/tag",
                wrap("create_spec", spec));
    }

    static Call attach(String tagId, String type, String id) {
        ObjectNode object = NODES.objectNode();
        object.putObject("object_id").put("type", type).put("id", id);
        return new Call("POST", "/api/cis/tagging/tag-association/" + p(tagId) + "?action=attach", object,
                "/rest/com/vmware/cis/tagging/tag-association/id:" + p(tagId) + "?~action=attach", object);
    }

    static Call deleteItem(String id) {
        return new Call("DELETE", "/api/content/library/item/" + p(id), null,
                "/rest/com/vmware/content/library/item/id:" + p(id), null);
    }

    static Call categories() {
        return get("/api/cis/tagging/category", "/rest/com/vmware/cis/tagging/category");
    }

    static Call category(String id) {
        return get("/api/cis/tagging/category/" + p(id), "/rest/com/vmware/cis/tagging/category/id:" + p(id));
    }

    static Call tagsForCategory(String categoryId) {
        return new Call("POST", "/api/cis/tagging/tag?action=list-tags-for-category",
                NODES.objectNode().put("category_id", categoryId),
                "/rest/com/vmware/cis/tagging/tag/id:" + p(categoryId) + "?~action=list-tags-for-category", null);
    }

    static Call tag(String id) {
        return get("/api/cis/tagging/tag/" + p(id), "/rest/com/vmware/cis/tagging/tag/id:" + p(id));
    }

    static Call deleteTag(String id) {
        return new Call("DELETE", "/api/cis/tagging/tag/" + p(id), null,
                "/rest/com/vmware/cis/tagging/tag/id:" + p(id), null);
    }

    static Call attachedObjects(String tagId) {
        return new Call("POST", "/api/cis/tagging/tag-association/" + p(tagId) + "?action=list-attached-objects",
                null, "/rest/com/vmware/cis/tagging/tag-association/id:" + p(tagId)
                        + "?~action=list-attached-objects", null);
    }

    /** The operation as error messages name it: method and the path of the form used, without the query. */
    String describe(boolean legacyForm) {
        String path = legacyForm ? legacy : api;
        int query = path.indexOf('?');
        return method + " " + (query < 0 ? path : path.substring(0, query));
    }

    private static ObjectNode wrap(String key, JsonNode inner) {
        ObjectNode out = NODES.objectNode();
        out.set(key, inner);
        return out;
    }

    /** A query value. */
    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A path segment (ids such as {@code urn:vmomi:InventoryServiceTag:...:GLOBAL} keep their colons). */
    static String p(String s) {
        return q(s).replace("%3A", ":");
    }
}
