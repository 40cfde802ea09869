package dev.kiln.vsphere.internal;

import static dev.kiln.vsphere.internal.Tags.EXPIRY_CATEGORY;
import static dev.kiln.vsphere.internal.Tags.ITEM_TYPE;
import static dev.kiln.vsphere.internal.Tags.VM_TYPE;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.plan.Target;
import dev.kiln.spi.Expiry;
import dev.kiln.spi.SweepReport;
import dev.kiln.vsphere.VsphereException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what builds left on a vCenter, found by tag: every VM (powered off first) and library item
 * tagged with a build id, then the tag; or the VMs whose expiry tag has passed, then that tag.
 */
public final class Sweeper {

    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

    private final Vcenters vcenters;
    private final Tags tags;
    private final VsphereSettings settings;

    public Sweeper(Vcenters vcenters, Tags tags, VsphereSettings settings) {
        this.vcenters = vcenters;
        this.tags = tags;
        this.settings = settings;
    }

    public SweepReport sweep(Target target, String buildId) {
        Optional<String> tag = tags.tagOf(target, settings.tagCategory(), buildId);
        if (tag.isEmpty()) {
            return SweepReport.NOTHING;
        }
        List<String> deleted = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        sweepTagged(target, tag.get(), settings.tagCategory() + "=" + buildId, true, deleted, failed);
        return new SweepReport(deleted, failed);
    }

    /**
     * Sweeps as {@link #sweep} does a build, every object tagged in category {@value Tags#EXPIRY_CATEGORY}
     * with a tag whose name (epoch seconds) is before {@code now}, then that tag; library items are
     * kept, and so is the tag they hold. The objects of a tag whose name is not epoch seconds are
     * reported and left in place.
     */
    public SweepReport sweepExpired(Target target, Instant now) {
        Optional<String> category = tags.categoryOf(target, EXPIRY_CATEGORY);
        if (category.isEmpty()) {
            return SweepReport.NOTHING;
        }
        List<String> deleted = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        JsonNode expiries;
        try {
            expiries = vcenters.call(target, Call.tagsForCategory(category.get()));
        } catch (VsphereException e) {
            if (e.notFound()) {
                tags.forget(target, EXPIRY_CATEGORY);
                return SweepReport.NOTHING;
            }
            throw e;
        }
        for (JsonNode id : expiries) {
            String tagId = id.asText();
            String name;
            try {
                name = vcenters.call(target, Call.tag(tagId)).path("name").asText();
            } catch (VsphereException e) {
                if (!e.notFound()) {
                    failed.add("Tag/" + tagId + ": " + e.getMessage());
                }
                continue;
            }
            switch (Expiry.judge(name, now)) {
                case EXPIRED -> sweepTagged(target, tagId, EXPIRY_CATEGORY + "=" + name, false, deleted, failed);
                case NOT_YET -> {
                }
                case NOT_AN_EXPIRY -> notAnExpiry(target, tagId, name).ifPresent(failed::add);
            }
        }
        if (!deleted.isEmpty() || !failed.isEmpty()) {
            LOG.info("swept objects expired before {} on vCenter {}: deleted {}{}", now, target.account(), deleted,
                    failed.isEmpty() ? "" : ", could not delete " + failed);
        }
        return new SweepReport(deleted, failed);
    }

    /** What to report of a tag whose name is no expiry: the objects it holds, if any; an empty tag is no leftover. */
    private Optional<String> notAnExpiry(Target target, String tagId, String name) {
        List<String> objects = new ArrayList<>();
        try {
            vcenters.call(target, Call.attachedObjects(tagId)).forEach(o -> objects.add(o.path("type").asText() + "/"
                    + o.path("id").asText()));
        } catch (VsphereException e) {
            if (!e.notFound()) {
                throw e;
            }
        }
        return objects.isEmpty() ? Optional.empty()
                : Optional.of(Expiry.notAnExpiry(String.join(", ", objects), EXPIRY_CATEGORY, name));
    }

    /**
     * Deletes what carries the tag {@code tagId} ({@code tagText} in messages) in dependency order,
     * VMs first (a library template's VM goes with its item), then library items unless
     * {@code deleteItems} is false; then the tag, once nothing failed and nothing was kept.
     */
    private void sweepTagged(Target target, String tagId, String tagText, boolean deleteItems, List<String> deleted,
            List<String> failed) {
        JsonNode attached;
        try {
            attached = vcenters.call(target, Call.attachedObjects(tagId));
        } catch (VsphereException e) {
            if (e.notFound()) {
                return;
            }
            throw e;
        }
        List<JsonNode> ordered = new ArrayList<>();
        attached.forEach(o -> {
            if (VM_TYPE.equals(o.path("type").asText())) {
                ordered.add(o);
            }
        });
        attached.forEach(o -> {
            if (!VM_TYPE.equals(o.path("type").asText())) {
                ordered.add(o);
            }
        });
        int failures = failed.size();
        List<String> kept = new ArrayList<>();
        for (JsonNode o : ordered) {
            String type = o.path("type").asText();
            String id = o.path("id").asText();
            try {
                if (VM_TYPE.equals(type)) {
                    if (deleteVm(target, id)) {
                        deleted.add(VM_TYPE + "/" + id);
                    }
                } else if (ITEM_TYPE.equals(type) && deleteItems) {
                    ignoreNotFound(() -> vcenters.call(target, Call.deleteItem(id)));
                    deleted.add("LibraryItem/" + id);
                } else if (ITEM_TYPE.equals(type)) {
                    kept.add("LibraryItem/" + id);
                } else {
                    failed.add(type + "/" + id + ": tagged " + tagText + ", but Kiln does not delete " + type
                            + " objects; remove it by hand");
                }
            } catch (VsphereException e) {
                failed.add(type + "/" + id + ": " + e.getMessage());
            }
        }
        if (!kept.isEmpty()) {
            LOG.info("kept {} tagged {}: an expiry sweep never deletes content library items", kept, tagText);
        }
        if (failed.size() == failures && kept.isEmpty()) {
            try {
                ignoreNotFound(() -> vcenters.call(target, Call.deleteTag(tagId)));
                deleted.add("Tag/" + tagText);
            } catch (VsphereException e) {
                failed.add("Tag/" + tagText + ": " + e.getMessage());
            }
        }
    }

    /**
     * Powers {@code id} off and deletes it; false when it was gone already. vCenter's VM service
     * does not see templates either, so a VM marked as a template is never deleted.
     */
    private boolean deleteVm(Target target, String id) {
        try {
            vcenters.call(target, Call.powerStop(id));
        } catch (VsphereException e) {
            // Already off, or already gone: both are where the sweep wants the VM.
            if (!e.notFound() && !"ALREADY_IN_DESIRED_STATE".equals(e.errorType())) {
                throw e;
            }
        }
        try {
            vcenters.call(target, Call.deleteVm(id));
            return true;
        } catch (VsphereException e) {
            if (e.notFound()) {
                return false;
            }
            throw e;
        }
    }

    private static void ignoreNotFound(Runnable r) {
        try {
            r.run();
        } catch (VsphereException e) {
            if (!e.notFound()) {
                throw e;
            }
        }
    }
}
