package dev.kiln.emulators.vsphere;

import static dev.kiln.emulators.vsphere.Inventory.ITEM_TYPE;
import static dev.kiln.emulators.vsphere.Inventory.JSON;
import static dev.kiln.emulators.vsphere.Inventory.VM_TYPE;
import static dev.kiln.emulators.vsphere.Inventory.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.vsphere.Inventory.Category;
import dev.kiln.emulators.vsphere.Inventory.ObjRef;
import dev.kiln.emulators.vsphere.Inventory.Tag;
import dev.kiln.emulators.vsphere.VapiError.Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The tagging service: categories, tags, and their associations with VMs and library items.
 * Called under the inventory's lock.
 */
final class Tagging {

    private final Inventory inv;

    Tagging(Inventory inv) {
        this.inv = inv;
    }

    ArrayNode listCategories() {
        ArrayNode out = JSON.createArrayNode();
        inv.categories.keySet().forEach(out::add);
        return out;
    }

    ObjectNode getCategory(String id) {
        Category c = inv.categories.get(id);
        if (c == null) {
            throw VapiError.notFound("Category", id);
        }
        ObjectNode out = JSON.createObjectNode().put("id", c.id).put("name", c.name)
                .put("description", c.description).put("cardinality", c.cardinality);
        ArrayNode types = out.putArray("associable_types");
        c.associableTypes.forEach(types::add);
        out.putArray("used_by");
        return out;
    }

    String createCategory(JsonNode spec) {
        String name = text(spec, "name");
        String cardinality = text(spec, "cardinality");
        if (name == null || name.isBlank()) {
            throw VapiError.invalid("A category needs a 'name'.");
        }
        if (cardinality == null || !(cardinality.equals("SINGLE") || cardinality.equals("MULTIPLE"))) {
            throw VapiError.invalid("A category's 'cardinality' is SINGLE or MULTIPLE, got " + cardinality + ".");
        }
        for (Category c : inv.categories.values()) {
            if (c.name.equalsIgnoreCase(name)) {
                throw new VapiError(Type.ALREADY_EXISTS, "com.vmware.cis.tagging.category.duplicate_name",
                        "A category named '" + name + "' already exists.", name);
            }
        }
        Category c = new Category();
        c.id = "urn:vmomi:InventoryServiceCategory:" + inv.uuid() + ":GLOBAL";
        c.name = name;
        c.description = spec.path("description").asText("");
        c.cardinality = cardinality;
        List<String> types = new ArrayList<>();
        spec.path("associable_types").forEach(t -> types.add(t.asText()));
        c.associableTypes = List.copyOf(types);
        inv.categories.put(c.id, c);
        return c.id;
    }

    void deleteCategory(String id) {
        if (inv.categories.remove(id) == null) {
            throw VapiError.notFound("Category", id);
        }
        for (Iterator<Tag> it = inv.tags.values().iterator(); it.hasNext();) {
            Tag t = it.next();
            if (t.categoryId.equals(id)) {
                it.remove();
                inv.associations.remove(t.id);
            }
        }
    }

    ArrayNode listTags() {
        ArrayNode out = JSON.createArrayNode();
        inv.tags.keySet().forEach(out::add);
        return out;
    }

    ArrayNode tagsForCategory(String categoryId) {
        if (categoryId == null || !inv.categories.containsKey(categoryId)) {
            throw VapiError.notFound("Category", String.valueOf(categoryId));
        }
        ArrayNode out = JSON.createArrayNode();
        for (Tag t : inv.tags.values()) {
            if (t.categoryId.equals(categoryId)) {
                out.add(t.id);
            }
        }
        return out;
    }

    ObjectNode getTag(String id) {
        Tag t = inv.tags.get(id);
        if (t == null) {
            throw VapiError.notFound("Tag", id);
        }
        ObjectNode out = JSON.createObjectNode().put("id", t.id).put("category_id", t.categoryId).put("name", t.name)
                .put("description", t.description);
        out.putArray("used_by");
        return out;
    }

    String createTag(JsonNode spec) {
        String name = text(spec, "name");
        String categoryId = text(spec, "category_id");
        if (name == null || name.isBlank() || categoryId == null) {
            throw VapiError.invalid("A tag needs a 'name' and a 'category_id'.");
        }
        if (!inv.categories.containsKey(categoryId)) {
            throw VapiError.notFound("Category", categoryId);
        }
        for (Tag t : inv.tags.values()) {
            if (t.categoryId.equals(categoryId) && t.name.equalsIgnoreCase(name)) {
                throw new VapiError(Type.ALREADY_EXISTS, "com.vmware.cis.tagging.tag.duplicate_name",
                        "A tag named '" + name + "' already exists in this category.", name);
            }
        }
        Tag t = new Tag();
        t.id = "urn:vmomi:InventoryServiceTag:" + inv.uuid() + ":GLOBAL";
        t.categoryId = categoryId;
        t.name = name;
        t.description = spec.path("description").asText("");
        inv.tags.put(t.id, t);
        inv.associations.put(t.id, new LinkedHashSet<>());
        return t.id;
    }

    void deleteTag(String id) {
        if (inv.tags.remove(id) == null) {
            throw VapiError.notFound("Tag", id);
        }
        inv.associations.remove(id);
    }

    private ObjRef objectId(JsonNode body) {
        JsonNode obj = body.path("object_id");
        String type = text(obj, "type");
        String id = text(obj, "id");
        if (type == null || id == null) {
            throw VapiError.invalid("Give the object as \"object_id\": {\"type\": ..., \"id\": ...}.");
        }
        boolean exists = switch (type) {
            case VM_TYPE -> inv.vms.containsKey(id);
            case ITEM_TYPE -> inv.items.containsKey(id);
            default -> false;
        };
        if (!exists) {
            throw VapiError.notFound(type, id);
        }
        return new ObjRef(type, id);
    }

    void attach(String tagId, JsonNode body) {
        Tag tag = inv.tags.get(tagId);
        if (tag == null) {
            throw VapiError.notFound("Tag", tagId);
        }
        ObjRef ref = objectId(body);
        Category category = inv.categories.get(tag.categoryId);
        if (!category.associableTypes.isEmpty() && !category.associableTypes.contains(ref.type())) {
            throw VapiError.invalid("Tags of category '" + category.name + "' cannot be attached to " + ref.type()
                    + " objects; allowed: " + category.associableTypes + ".");
        }
        if ("SINGLE".equals(category.cardinality)) {
            for (Tag other : inv.tags.values()) {
                if (other.categoryId.equals(category.id) && !other.id.equals(tagId)
                        && inv.associations.getOrDefault(other.id, Set.of()).contains(ref)) {
                    throw VapiError.invalid("Object " + ref.id() + " already has tag '" + other.name
                            + "' of single-cardinality category '" + category.name + "'.");
                }
            }
        }
        inv.associations.computeIfAbsent(tagId, k -> new LinkedHashSet<>()).add(ref);
    }

    void detach(String tagId, JsonNode body) {
        if (!inv.tags.containsKey(tagId)) {
            throw VapiError.notFound("Tag", tagId);
        }
        ObjRef ref = objectId(body);
        inv.associations.getOrDefault(tagId, new LinkedHashSet<>()).remove(ref);
    }

    ArrayNode attachedObjects(String tagId) {
        if (!inv.tags.containsKey(tagId)) {
            throw VapiError.notFound("Tag", tagId);
        }
        ArrayNode out = JSON.createArrayNode();
        for (ObjRef ref : inv.associations.getOrDefault(tagId, Set.of())) {
            out.addObject().put("type", ref.type()).put("id", ref.id());
        }
        return out;
    }

    ArrayNode attachedTags(JsonNode body) {
        ObjRef ref = objectId(body);
        ArrayNode out = JSON.createArrayNode();
        inv.associations.forEach((tag, refs) -> {
            if (refs.contains(ref)) {
                out.add(tag);
            }
        });
        return out;
    }
}
