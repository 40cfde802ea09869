package dev.kiln.vsphere.internal;

import static dev.kiln.vsphere.internal.Tags.ITEM_TYPE;
import static dev.kiln.vsphere.internal.Tags.VM_TYPE;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Target;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.vsphere.VsphereException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks what a build must leave, named like the image: a template when its template asked for one
 * ({@code convert_to_template}, and not destroyed by a library export), a content library item when
 * it exported to a library ({@code content_library_destination}); a VM left powered off is never
 * an image. Templates are read through vim25, as the REST API does not list them. What passes is
 * tagged {@code <tag category>=<build id>} through REST, so vSphere users find Kiln's images by tag.
 */
public final class Artifacts {

    private static final Logger LOG = LoggerFactory.getLogger(Artifacts.class);

    /** What a template says its build leaves; {@code null} flags are not known before packer runs. */
    record Leaves(Boolean template, Boolean libraryItem) {

        static Leaves of(BuildTemplate t) {
            boolean library = t.has("content_library_destination");
            Boolean destroy = library ? t.flag("content_library_destination.destroy") : Boolean.FALSE;
            Boolean convert = t.flag("convert_to_template");
            Boolean template = convert == null || destroy == null ? null : convert && !destroy;
            return new Leaves(template, library);
        }

        /** Neither: a template (from the REST API alone there is no knowing) or an item will do. */
        static final Leaves EITHER = new Leaves(null, null);
    }

    private final Vcenters vcenters;
    private final Tags tags;
    private final VsphereSettings settings;
    private final Limits limits;

    public Artifacts(Vcenters vcenters, Tags tags, VsphereSettings settings, Limits limits) {
        this.vcenters = vcenters;
        this.tags = tags;
        this.settings = settings;
        this.limits = limits;
    }

    public ArtifactCheck verify(BuildJob job, List<Artifact> artifacts) {
        Target target = job.target();
        String name = job.imageName();
        URI vcenter = vcenters.base(target);
        Leaves leaves = BuildTemplate.of(job, limits.environment(target)).map(Leaves::of).orElse(Leaves.EITHER);
        try {
            List<String> verified = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            List<String[]> toTag = new ArrayList<>();
            boolean templateFound = false;
            for (VimClient.Vm vm : vcenters.vmsNamed(target, name)) {
                Optional<String> builtBy = BuildMarks.buildId(vm.annotation());
                String what = (vm.template() ? "template" : "VM") + " '" + name + "' (" + vm.id() + ") on vCenter "
                        + vcenter;
                if (builtBy.isPresent() && !builtBy.get().equals(job.buildId())) {
                    problems.add(what + " was made by build " + builtBy.get() + ", not by this build ("
                            + job.buildId() + ")");
                } else if (!vm.template()) {
                    problems.add(what + " is " + vm.powerState() + " but not a template: a template build must"
                            + " leave a template (convert_to_template: true) or a content library item, never a VM");
                } else {
                    // Also what backs a VM template library item: vCenter keeps it as a template of the item's name.
                    templateFound = true;
                    verified.add(VM_TYPE + ":" + vm.id());
                    toTag.add(new String[] {VM_TYPE, vm.id()});
                }
            }
            boolean itemFound = false;
            for (JsonNode id : vcenters.call(target, Call.itemsNamed(name))) {
                JsonNode item = vcenters.call(target, Call.item(id.asText()));
                Optional<String> builtBy = BuildMarks.buildId(item.path("description").asText(""));
                if (builtBy.isPresent() && !builtBy.get().equals(job.buildId())) {
                    problems.add("content library item '" + name + "' (" + id.asText() + ") on vCenter " + vcenter
                            + " was made by build " + builtBy.get() + ", not by this build (" + job.buildId() + ")");
                } else {
                    itemFound = true;
                    verified.add("LibraryItem:" + id.asText());
                    toTag.add(new String[] {ITEM_TYPE, id.asText()});
                }
            }
            if (Boolean.TRUE.equals(leaves.template()) && !templateFound) {
                problems.add("no template named '" + name + "' on vCenter " + vcenter + " after the build, which"
                        + " asked for one (convert_to_template)" + reported(artifacts));
            }
            if (Boolean.TRUE.equals(leaves.libraryItem()) && !itemFound) {
                problems.add("no content library item named '" + name + "' on vCenter " + vcenter + " after the"
                        + " build, which exported to a library (content_library_destination)" + reported(artifacts));
            }
            if (verified.isEmpty() && problems.isEmpty()) {
                problems.add("no template or content library item named '" + name + "' on vCenter " + vcenter
                        + " after the build" + reported(artifacts));
            }
            if (problems.isEmpty()) {
                tag(target, job.buildId(), toTag);
            }
            return new ArtifactCheck(verified, problems);
        } catch (VsphereException e) {
            return ArtifactCheck.failed("could not check '" + name + "': " + e.getMessage());
        }
    }

    private static String reported(List<Artifact> artifacts) {
        return artifacts.isEmpty() ? "" : " (packer reported " + artifacts.stream().map(Artifact::id).toList() + ")";
    }

    /** Tags the verified objects with the build id; a failure is logged, the images are sound either way. */
    private void tag(Target target, String buildId, List<String[]> objects) {
        try {
            String tag = tags.ensure(target, settings.tagCategory(), buildId);
            for (String[] o : objects) {
                tags.attach(target, tag, o[0], o[1]);
            }
        } catch (VsphereException e) {
            LOG.warn("could not tag build {}'s images {}={} on {}: {}", buildId, settings.tagCategory(), buildId,
                    target.key(), e.getMessage());
        }
    }
}
