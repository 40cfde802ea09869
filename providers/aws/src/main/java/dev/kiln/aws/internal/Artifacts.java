package dev.kiln.aws.internal;

import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Target;
import dev.kiln.spi.ArtifactCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * Checks what packer reported: each AMI (packer's artifact id is {@code region:ami-id}, several
 * comma-separated when copied to more regions) exists, is {@code available} and carries the job's
 * build id. When packer reported no AMI, the image is looked up by the job's image name.
 */
public final class Artifacts {

    private static final Pattern REGION_AMI = Pattern.compile("([a-z]{2}(?:-[a-z]+)+-\\d+):(ami-[0-9a-f]+)");

    private final Api api;

    public Artifacts(Api api) {
        this.api = api;
    }

    public ArtifactCheck verify(BuildJob job, List<Artifact> artifacts) {
        Map<String, Set<String>> byRegion = new LinkedHashMap<>();
        for (Artifact a : artifacts) {
            if (a.id() == null) {
                continue;
            }
            Matcher m = REGION_AMI.matcher(a.id());
            while (m.find()) {
                byRegion.computeIfAbsent(m.group(1), r -> new LinkedHashSet<>()).add(m.group(2));
            }
        }
        Target home = job.target();
        List<String> verified = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (byRegion.isEmpty()) {
            List<Image> named = api.ec2(home, "DescribeImages", ec2 -> ec2.describeImages(r -> r.owners("self")
                    .filters(Tags.filter("name", job.imageName())))).images();
            if (named.isEmpty()) {
                return ArtifactCheck.failed("packer reported no AMI and " + home.key() + " has no AMI named '"
                        + job.imageName() + "'");
            }
            for (Image img : named) {
                check(job, home.region(), img, verified, problems);
            }
            return new ArtifactCheck(verified, problems);
        }
        for (var e : byRegion.entrySet()) {
            String region = e.getKey();
            Target where = new Target(home.provider(), home.account(), region, home.options());
            List<String> ids = List.copyOf(e.getValue());
            // By filter, not ImageIds: a missing id is then a missing row, not an error for all of them.
            List<Image> found = api.ec2(where, "DescribeImages", ec2 -> ec2.describeImages(r -> r.owners("self")
                    .filters(Tags.filter("image-id", ids)))).images();
            for (String id : ids) {
                Image img = found.stream().filter(i -> id.equals(i.imageId())).findFirst().orElse(null);
                if (img == null) {
                    problems.add(region + ":" + id + " was reported by packer but " + where.key()
                            + " has no such AMI of the account");
                } else {
                    check(job, region, img, verified, problems);
                }
            }
        }
        return new ArtifactCheck(verified, problems);
    }

    private static void check(BuildJob job, String region, Image img, List<String> verified, List<String> problems) {
        String id = region + ":" + img.imageId();
        boolean ok = true;
        if (!"available".equals(img.stateAsString())) {
            ok = false;
            String reason = img.stateReason() == null ? "" : " (" + img.stateReason().message() + ")";
            problems.add(id + " is " + img.stateAsString() + ", not available" + reason);
        }
        if (!Tags.carriesBuildId(img.tags(), job.buildId())) {
            ok = false;
            problems.add(id + " is not tagged " + Tags.BUILD_ID + "=" + job.buildId() + " (it has "
                    + Tags.buildIdTags(img.tags()) + "); tag it in the template, e.g. \"tags\": {\""
                    + Tags.BUILD_ID + "\": \"{{user `kiln_build_id`}}\"}");
        }
        if (ok) {
            verified.add(id);
        }
    }
}
