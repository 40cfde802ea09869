package dev.kiln.gcp.internal;

import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.compute.v1.GetImageRequest;
import com.google.cloud.compute.v1.Image;
import dev.kiln.KilnException;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Target;
import dev.kiln.spi.ArtifactCheck;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the images a build reported (googlecompute artifacts name them), or the job's image name
 * when none did: each exists in the project, is {@code READY} and labelled with the build id.
 */
public final class Artifacts {

    /** The packer builder id of googlecompute artifacts, whose id is the image name. */
    public static final String GOOGLECOMPUTE_BUILDER_ID = "packer.googlecompute";

    private final ComputeClients clients;
    private final Calls calls;

    public Artifacts(ComputeClients clients, Calls calls) {
        this.clients = clients;
        this.calls = calls;
    }

    public ArtifactCheck verify(BuildJob job, List<Artifact> artifacts) {
        Target target = job.target();
        Set<String> names = new LinkedHashSet<>();
        for (Artifact a : artifacts) {
            if (GOOGLECOMPUTE_BUILDER_ID.equals(a.builderId())) {
                for (String id : a.id().split(",")) {
                    if (!id.isBlank()) {
                        names.add(id.trim());
                    }
                }
            }
        }
        if (names.isEmpty()) {
            names.add(job.imageName());
        }
        List<String> verified = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String name : names) {
            String where = "projects/" + target.account() + "/global/images/" + name;
            Image image;
            try {
                image = calls.call(target, "read", "images.get", () -> clients.images().get(GetImageRequest
                        .newBuilder().setProject(target.account()).setImage(name).build()));
            } catch (NotFoundException e) {
                problems.add("no image " + name + " in project '" + target.account() + "'");
                continue;
            } catch (KilnException e) {
                problems.add("could not read image " + where + ": " + e.getMessage());
                continue;
            }
            String label = image.getLabelsMap().get(Labels.BUILD_ID);
            if (!image.getStatus().equals("READY")) {
                problems.add("image " + where + " is " + image.getStatus() + ", not READY");
            } else if (!job.buildId().equals(label)) {
                problems.add("image " + where + " is labelled " + Labels.BUILD_ID + "=" + (label == null ? "(none)"
                        : label) + ", not " + job.buildId() + ": it was not made by this build, or the template does"
                        + " not set image_labels");
            } else {
                verified.add(where);
            }
        }
        return new ArtifactCheck(verified, problems);
    }
}
