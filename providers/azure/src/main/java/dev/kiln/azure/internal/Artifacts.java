package dev.kiln.azure.internal;

import com.azure.resourcemanager.compute.fluent.models.GalleryImageVersionInner;
import com.azure.resourcemanager.compute.fluent.models.ImageInner;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Target;
import dev.kiln.spi.ArtifactCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a build's images: the job's image (a managed image in the target's resource group, or a
 * version of the target's gallery image) and any other managed image an artifact names by its ARM
 * id must exist, be provisioned and carry the build's id.
 */
public final class Artifacts {

    private static final String IMAGES_PATH = "/providers/microsoft.compute/images/";

    private final Arm arm;
    private final Names names;

    public Artifacts(Arm arm, Names names) {
        this.arm = arm;
        this.names = names;
    }

    public ArtifactCheck verify(BuildJob job, List<Artifact> artifacts) {
        List<String> verified = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> images = new ArrayList<>(List.of(job.imageName()));
        for (Artifact a : artifacts) {
            for (String id : a.id().split(",")) {
                String lower = id.trim().toLowerCase(Locale.ROOT);
                int at = lower.indexOf(IMAGES_PATH);
                if (at >= 0) {
                    String name = id.trim().substring(at + IMAGES_PATH.length());
                    if (!images.contains(name)) {
                        images.add(name);
                    }
                }
            }
        }
        for (String name : images) {
            ArtifactCheck c = verify(job.target(), name, job.buildId());
            verified.addAll(c.verified());
            problems.addAll(c.problems());
        }
        return new ArtifactCheck(verified, problems);
    }

    /** The image (or gallery version) named {@code name} exists, provisioned, tagged with {@code buildId}. */
    private ArtifactCheck verify(Target target, String name, String buildId) {
        ArmSession session = arm.session();
        AzureTarget t = AzureTarget.of(target);
        String where;
        String state;
        Map<String, String> tags;
        String id;
        if (t.usesGallery()) {
            where = "gallery image version " + name + " of " + t.gallery() + "/" + t.galleryImage()
                    + " in resource group " + t.resourceGroup();
            Optional<GalleryImageVersionInner> v = names.galleryVersion(session, target, t, name);
            if (v.isEmpty()) {
                return ArtifactCheck.failed(where + " does not exist");
            }
            state = v.get().provisioningState() == null ? null : v.get().provisioningState().toString();
            tags = v.get().tags();
            id = v.get().id();
        } else {
            where = "managed image " + name + " in resource group " + t.resourceGroup() + " of subscription "
                    + t.subscription();
            Optional<ImageInner> image = names.image(session, target, t, name);
            if (image.isEmpty()) {
                return ArtifactCheck.failed(where + " does not exist");
            }
            state = image.get().provisioningState();
            tags = image.get().tags();
            id = image.get().id();
        }
        List<String> problems = new ArrayList<>();
        if (!"Succeeded".equalsIgnoreCase(state)) {
            problems.add(where + " is in provisioning state " + state + ", not Succeeded");
        }
        String tag = tags == null ? null : tags.get(Tags.BUILD_ID);
        if (tag == null) {
            problems.add(where + " has no tag " + Tags.BUILD_ID + " (expected " + buildId + ")");
        } else if (!tag.equals(buildId)) {
            problems.add(where + " is tagged " + Tags.BUILD_ID + "=" + tag + ", expected " + buildId);
        }
        return problems.isEmpty() ? ArtifactCheck.ok(List.of(id)) : new ArtifactCheck(List.of(), problems);
    }
}
