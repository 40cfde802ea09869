package dev.kiln.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.plan.Target;
import dev.kiln.vsphere.VsphereException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * vCenter's tags by category and name: how Kiln finds what a build made. Category ids are
 * remembered per vCenter; a category deleted since is looked up again.
 */
public final class Tags {

    /** The tag category of expiries: each tag is named by epoch seconds ({@code kiln_expires_at}). */
    public static final String EXPIRY_CATEGORY = "kiln-expires-at";

    /** The object types a tag's attached objects name. */
    static final String VM_TYPE = "VirtualMachine";
    static final String ITEM_TYPE = "com.vmware.content.library.Item";

    private final Vcenters vcenters;
    private final Map<String, String> categoryIds = new ConcurrentHashMap<>();

    public Tags(Vcenters vcenters) {
        this.vcenters = vcenters;
    }

    /** The id of the tag {@code categoryName=name}, if there is one. */
    Optional<String> tagOf(Target target, String categoryName, String name) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Optional<String> category = categoryOf(target, categoryName);
            if (category.isEmpty()) {
                return Optional.empty();
            }
            try {
                for (JsonNode id : vcenters.call(target, Call.tagsForCategory(category.get()))) {
                    if (name.equals(vcenters.call(target, Call.tag(id.asText())).path("name").asText())) {
                        return Optional.of(id.asText());
                    }
                }
                return Optional.empty();
            } catch (VsphereException e) {
                if (!e.notFound()) {
                    throw e;
                }
                // The category was deleted since it was looked up: look again.
                forget(target, categoryName);
            }
        }
        return Optional.empty();
    }

    Optional<String> categoryOf(Target target, String name) {
        String key = target.account() + "/" + name;
        String cached = categoryIds.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        for (JsonNode id : vcenters.call(target, Call.categories())) {
            if (name.equals(vcenters.call(target, Call.category(id.asText())).path("name").asText())) {
                categoryIds.put(key, id.asText());
                return Optional.of(id.asText());
            }
        }
        return Optional.empty();
    }

    /**
     * The id of the tag {@code categoryName=name}, made (with its category) when missing; another
     * Kiln making the same at once is no error.
     */
    String ensure(Target target, String categoryName, String name) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<String> tag = tagOf(target, categoryName, name);
            if (tag.isPresent()) {
                return tag.get();
            }
            try {
                Optional<String> category = categoryOf(target, categoryName);
                String categoryId = category.isPresent() ? category.get() : vcenters.call(target,
                        Call.createCategory(categoryName, "Kiln: what each build made, by build id")).asText();
                return vcenters.call(target, Call.createTag(categoryId, name, "made by Kiln build " + name)).asText();
            } catch (VsphereException e) {
                if (!"ALREADY_EXISTS".equals(e.errorType()) && !e.notFound()) {
                    throw e;
                }
                // Made by someone else meanwhile, or the category went: look again.
                forget(target, categoryName);
            }
        }
        throw new VsphereException(vcenters.base(target), "tag " + categoryName + "=" + name, 0, null,
                "could not make the tag " + categoryName + "=" + name + " on vCenter " + vcenters.base(target)
                        + ": it kept changing under Kiln", null);
    }

    void attach(Target target, String tagId, String type, String id) {
        vcenters.call(target, Call.attach(tagId, type, id));
    }

    /** Drops what is remembered of the category: vCenter said it is gone. */
    void forget(Target target, String categoryName) {
        categoryIds.remove(target.account() + "/" + categoryName);
    }
}
