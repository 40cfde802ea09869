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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a build's template: the powered-off VM or content library item named like the image, tagged
 * with its build id.
 */
public final class Artifacts {

    private final Vcenters vcenters;
    private final Tags tags;
    private final VsphereSettings settings;

    public Artifacts(Vcenters vcenters, Tags tags, VsphereSettings settings) {
        this.vcenters = vcenters;
        this.tags = tags;
        this.settings = settings;
    }

    public ArtifactCheck verify(BuildJob job, List<Artifact> artifacts) {
        Target target = job.target();
        String name = job.imageName();
        URI vcenter = vcenters.base(target);
        try {
            Set<String> tagged = new LinkedHashSet<>();
            Optional<String> tag = tags.tagOf(target, settings.tagCategory(), job.buildId());
            if (tag.isPresent()) {
                for (JsonNode o : vcenters.call(target, Call.attachedObjects(tag.get()))) {
                    tagged.add(o.path("type").asText() + "/" + o.path("id").asText());
                }
            }
            List<String> verified = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            String tagText = settings.tagCategory() + "=" + job.buildId();
            for (JsonNode vm : vcenters.call(target, Call.vmsNamed(name))) {
                String id = vm.path("vm").asText();
                if (!tagged.contains(VM_TYPE + "/" + id)) {
                    problems.add("VM '" + name + "' (" + id + ") on vCenter " + vcenter + " is not tagged " + tagText
                            + ": it was not made by this build, or the build did not tag it");
                } else if (!"POWERED_OFF".equals(vm.path("power_state").asText())) {
                    problems.add("VM '" + name + "' (" + id + ") on vCenter " + vcenter + " is "
                            + vm.path("power_state").asText() + "; a finished template is powered off");
                } else {
                    verified.add(VM_TYPE + ":" + id);
                }
            }
            for (JsonNode item : vcenters.call(target, Call.itemsNamed(name))) {
                String id = item.asText();
                if (tagged.contains(ITEM_TYPE + "/" + id)) {
                    verified.add("LibraryItem:" + id);
                } else {
                    problems.add("content library item '" + name + "' (" + id + ") on vCenter " + vcenter
                            + " is not tagged " + tagText);
                }
            }
            if (verified.isEmpty() && problems.isEmpty()) {
                problems.add("no VM or content library item named '" + name + "' on vCenter " + vcenter
                        + " after the build" + (artifacts.isEmpty() ? "" : " (packer reported "
                        + artifacts.stream().map(Artifact::id).toList() + ")"));
            }
            return new ArtifactCheck(verified, problems);
        } catch (VsphereException e) {
            return ArtifactCheck.failed("could not check '" + name + "': " + e.getMessage());
        }
    }
}
