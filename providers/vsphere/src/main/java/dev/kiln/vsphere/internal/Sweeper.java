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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what builds left on a vCenter. A build's leftovers are found by the marks its template
 * put on them ({@link BuildMarks}: the notes of its VMs and templates, read through vim25, and the
 * description of library items in the target's library) and by the tag Kiln puts on verified
 * images; VMs and templates are powered off and destroyed through vim25 (the REST API cannot touch
 * templates), library items deleted, then the tag. Before it looks, a build's sweep waits, bounded,
 * for the clone and create tasks vCenter is still running ({@link InFlightClones}): one may be the
 * dead build's, making a VM that carries its notes. An expiry sweep takes the VMs whose
 * {@code kiln-expires-at} mark or expiry tag has passed; templates and library items are finished
 * images and stay.
 */
public final class Sweeper {

    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

    private final Vcenters vcenters;
    private final Tags tags;
    private final VsphereSettings settings;
    private final InFlightClones inFlight;

    public Sweeper(Vcenters vcenters, Tags tags, VsphereSettings settings) {
        this.vcenters = vcenters;
        this.tags = tags;
        this.settings = settings;
        this.inFlight = new InFlightClones(vcenters);
    }

    public SweepReport sweep(Target target, String buildId) {
        List<String> deleted = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        try {
            failed.addAll(inFlight.await(target, buildId));
        } catch (VsphereException e) {
            failed.add("TaskManager.recentTask: " + e.getMessage() + "; a VM that a clone still running makes for"
                    + " build " + buildId + " may be left until the next sweep");
        }
        // The target's library, or every library when it names none: a template may export anywhere.
        String library = target.options().get(Options.LIBRARY);
        for (JsonNode libraryId : library == null ? vcenters.call(target, Call.libraries())
                : vcenters.call(target, Call.librariesNamed(library))) {
            for (JsonNode id : vcenters.call(target, Call.items(libraryId.asText()))) {
                try {
                    JsonNode item = vcenters.call(target, Call.item(id.asText()));
                    if (BuildMarks.marks(item.path("description").asText(""), buildId)) {
                        ignoreNotFound(() -> vcenters.call(target, Call.deleteItem(id.asText())));
                        deleted.add("LibraryItem/" + id.asText());
                    }
                } catch (VsphereException e) {
                    if (!e.notFound()) {
                        failed.add("LibraryItem/" + id.asText() + ": " + e.getMessage());
                    }
                }
            }
        }
        for (VimClient.Vm vm : vcenters.vms(target)) {
            if (BuildMarks.marks(vm.annotation(), buildId)) {
                destroy(target, vm, deleted, failed);
            }
        }
        Optional<String> tag = tags.tagOf(target, settings.tagCategory(), buildId);
        if (tag.isPresent()) {
            sweepTagged(target, tag.get(), settings.tagCategory() + "=" + buildId, true, deleted, failed);
        }
        return deleted.isEmpty() && failed.isEmpty() ? SweepReport.NOTHING : new SweepReport(deleted, failed);
    }

    private void destroy(Target target, VimClient.Vm vm, List<String> deleted, List<String> failed) {
        try {
            if (vcenters.destroy(target, vm.id())) {
                deleted.add(VM_TYPE + "/" + vm.id());
            }
        } catch (VsphereException e) {
            failed.add(VM_TYPE + "/" + vm.id() + " (" + vm.name() + "): " + e.getMessage());
        }
    }

    /**
     * Sweeps as {@link #sweep} does a build, every object tagged in category {@value Tags#EXPIRY_CATEGORY}
     * with a tag whose name (epoch seconds) is before {@code now}, then that tag; library items are
     * kept, and so is the tag they hold. The objects of a tag whose name is not epoch seconds are
     * reported and left in place.
     */
    public SweepReport sweepExpired(Target target, Instant now) {
        List<String> deleted = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (VimClient.Vm vm : vcenters.vms(target)) {
            Optional<String> expiry = BuildMarks.expiresAt(vm.annotation());
            if (vm.template() || expiry.isEmpty() || expiry.get().isEmpty()) {
                continue;
            }
            switch (Expiry.judge(expiry.get(), now)) {
                case EXPIRED -> destroy(target, vm, deleted, failed);
                case NOT_YET -> {
                }
                case NOT_AN_EXPIRY -> failed.add(Expiry.notAnExpiry(VM_TYPE + "/" + vm.id() + " (" + vm.name() + ")",
                        BuildMarks.EXPIRES_AT, expiry.get()));
            }
        }
        Optional<String> category = tags.categoryOf(target, EXPIRY_CATEGORY);
        if (category.isEmpty()) {
            return report(target, now, deleted, failed);
        }
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
        return report(target, now, deleted, failed);
    }

    private static SweepReport report(Target target, Instant now, List<String> deleted, List<String> failed) {
        if (!deleted.isEmpty() || !failed.isEmpty()) {
            LOG.info("swept objects expired before {} on vCenter {}: deleted {}{}", now, target.account(), deleted,
                    failed.isEmpty() ? "" : ", could not delete " + failed);
        }
        return deleted.isEmpty() && failed.isEmpty() ? SweepReport.NOTHING : new SweepReport(deleted, failed);
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
     * VMs first (a library template's VM goes with its item), then, for a build's sweep
     * ({@code build}), templates and library items, which an expiry sweep keeps; then the tag,
     * once nothing failed and nothing was kept.
     */
    private void sweepTagged(Target target, String tagId, String tagText, boolean build, List<String> deleted,
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
        Map<String, VimClient.Vm> vms = new LinkedHashMap<>();
        for (JsonNode o : ordered) {
            String type = o.path("type").asText();
            String id = o.path("id").asText();
            try {
                if (VM_TYPE.equals(type)) {
                    VimClient.Vm vm = vms(target, vms).get(id);
                    if (vm == null || deleted.contains(VM_TYPE + "/" + id)) {
                        continue;
                    }
                    if (vm.template() && !build) {
                        kept.add(VM_TYPE + "/" + id + " (a template)");
                    } else if (vcenters.destroy(target, id)) {
                        deleted.add(VM_TYPE + "/" + id);
                    }
                } else if (ITEM_TYPE.equals(type) && build) {
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
            LOG.info("kept {} tagged {}: an expiry sweep never deletes templates or content library items", kept,
                    tagText);
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

    /** The vCenter's VMs and templates by id, read once per sweep of a tag. */
    private Map<String, VimClient.Vm> vms(Target target, Map<String, VimClient.Vm> read) {
        if (read.isEmpty()) {
            vcenters.vms(target).forEach(v -> read.put(v.id(), v));
        }
        return read;
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
