package dev.kiln.plan;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * One packer build of a plan: an image, on a target, for an environment, under a rendered name.
 *
 * @param id          stable id, {@code image/provider/account/region/env}
 * @param image       what to build
 * @param target      where
 * @param environment dev, staging, prod...
 * @param imageName   the rendered image name, valid for the provider
 * @param buildId     the id every resource the build creates is tagged with ({@code kiln-build-id})
 * @param dependsOn   jobs that must succeed first
 * @param demand      what the build holds of the target's quotas while running
 * @param connection  how the build reaches packer: the template's build it runs, its variables, and how
 *                    its region, name, build id and instance size reach the builder
 */
public record BuildJob(JobId id, ImageSpec image, Target target, String environment, String imageName,
                       String buildId, Set<JobId> dependsOn, Demand demand, Connection connection) {

    public BuildJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(imageName, "imageName");
        Objects.requireNonNull(buildId, "buildId");
        dependsOn = Set.copyOf(dependsOn);
        demand = demand == null ? Demand.NONE : demand;
        connection = connection == null ? Connection.unchecked(image) : connection;
    }

    /** A job made in code, without a template read: {@link Connection#unchecked(ImageSpec)}. */
    public BuildJob(JobId id, ImageSpec image, Target target, String environment, String imageName,
                    String buildId, Set<JobId> dependsOn, Demand demand) {
        this(id, image, target, environment, imageName, buildId, dependsOn, demand, null);
    }

    public int priority() {
        return image.priority();
    }

    public Duration timeout() {
        return image.timeout();
    }

    public BuildJob withDemand(Demand newDemand) {
        return new BuildJob(id, image, target, environment, imageName, buildId, dependsOn, newDemand, connection);
    }
}
