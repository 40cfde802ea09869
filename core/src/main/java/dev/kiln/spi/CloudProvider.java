package dev.kiln.spi;

import dev.kiln.job.FailureClass;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.naming.NameRule;
import dev.kiln.naming.NameRules;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.ProviderCatalog;
import dev.kiln.plan.Target;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One cloud (or vCenter) as Kiln sees it: its limits, its quotas, its images, and how to clean up
 * after a build. Kiln calls a provider from several threads; implementations must be thread-safe.
 *
 * <p>Every call a provider makes to its cloud goes through the {@link ApiGate} it is handed in
 * {@link #start(ProviderContext)}, so Kiln's own pre-checks, verification and sweeps share the
 * budget with the packer builds and never trip a throttle the builds then pay for.
 *
 * <p>Stability: evolving SPI (see the package documentation). Implementations must pass the
 * provider contract kit in {@code kiln-testkit}.
 */
public interface CloudProvider extends AutoCloseable {

    /** The id plans use in {@code provider:}, e.g. {@code aws}. */
    String id();

    /** Called once before any other call, with the gate the provider must call through. */
    default void start(ProviderContext context) {
    }

    /** Image-name rules and uniqueness scope; the built-in rules for {@link #id()} by default. */
    default NameRule nameRule() {
        return NameRules.forProvider(id());
    }

    /**
     * The regions and limit names plans may use with this provider, known without credentials or
     * calls; plans are checked against it when they are read. By default it accepts everything.
     * Must agree with {@link #apiLimits}: every limit that table has is one a plan may override.
     */
    default ProviderCatalog catalog() {
        return ProviderCatalog.open(id());
    }

    /** The provider's documented limits for {@code target}, before the plan's overrides. */
    LimitsTable apiLimits(Target target);

    /** What one build of {@code image} on {@code target} is expected to cost in time and API calls. */
    CostModel costModel(ImageSpec image, Target target);

    /**
     * What one running build of {@code job} holds of the target's quotas. The default keeps the
     * plan's estimate; providers refine it from the instance size (vCPUs, VM family). A provider
     * that finds the job's template at odds with its target throws a
     * {@link dev.kiln.template.TemplateException}: preflight refuses that job alone, as invalid input.
     */
    default Demand demandOf(BuildJob job) {
        return job.demand();
    }

    /** Live quota limits and usage for {@code target}; metric names match {@link #demandOf}. */
    QuotaSnapshot probeQuotas(Target target);

    /** Whether an image called {@code name} already exists where {@code target}'s names must be unique. */
    boolean imageExists(Target target, String name);

    /**
     * Confirms what packer reported: the image exists, is usable, and carries Kiln's tags.
     *
     * @return the verdict; never throws for an artifact that is merely missing
     */
    ArtifactCheck verifyArtifact(BuildJob job, List<Artifact> artifacts);

    /**
     * Deletes everything tagged with {@code buildId} on {@code target}, in dependency order.
     * Idempotent: sweeping twice, or sweeping a build that created nothing, is fine.
     */
    SweepReport sweep(Target target, String buildId);

    /**
     * Deletes, on {@code target}, everything a build tagged with an expiry ({@code kiln_expires_at},
     * epoch seconds, passed to every template) that has passed by {@code now}: what builds left when
     * no Kiln process survived to sweep them. The dead man's switch behind {@code kiln sweep --expired}.
     * Providers that cannot list by tag return {@link SweepReport#NOTHING}.
     *
     * <p>Implementations read expiries with {@link Expiry#judge}: a resource whose expiry is not epoch
     * seconds is reported as failed ({@link Expiry#notAnExpiry}) and left alone; one without the tag is
     * never looked at. They delete in the same order, through the same gate, as {@link #sweep}, and
     * are idempotent in the same way. A finished image is not a build's leftover: where the provider
     * can tell one (an AMI, a managed image, a GCE image, a content library item), it is kept even
     * when it carries an expired expiry.
     */
    default SweepReport sweepExpired(Target target, Instant now) {
        return SweepReport.NOTHING;
    }

    /**
     * Environment for the packer process of a build on {@code target}: endpoints, polling delays
     * tuned to {@code budget}, retry counts. Never credentials that are not already in Kiln's own
     * environment, and never anything for argv.
     */
    Map<String, String> packerEnv(Target target, Budget budget);

    /**
     * The hosts of this provider's APIs that packer's builders call and Kiln meters when a
     * {@link BuildNetwork} carries the builds: exact names or patterns where {@code *} is one DNS
     * label ({@code ec2.*.amazonaws.com}). Only these are opened and classified; calls to every other
     * host pass untouched. None by default: the provider's builds are not metered.
     */
    default List<String> apiHosts() {
        return List.of();
    }

    /**
     * The API class of one call a build's packer made, as {@link #apiLimits} names it (an EC2
     * action, {@code vm.put}, a GCE rate-quota group), so it passes Kiln's limits of that class; empty
     * for a call Kiln does not limit (a token request). Called on the network's threads for every
     * call to an {@link #apiHosts() API host}: fast, no I/O.
     */
    default Optional<String> classify(ApiRequest request) {
        return Optional.empty();
    }

    /**
     * Whether {@code response} is the cloud throttling {@code request}, which slows the limits of its
     * class at once. A 429 by default; EC2 answers 503 {@code RequestLimitExceeded}, Compute Engine
     * 403 {@code rateLimitExceeded}.
     */
    default boolean isThrottle(ApiRequest request, ApiResponse response) {
        return response.status() == 429;
    }

    /**
     * What {@code response} says remains of the provider's limits, by limit name (ARM's
     * {@code x-ms-ratelimit-remaining-*}): Kiln never assumes more than that. Empty by default.
     */
    default Map<String, Long> remaining(ApiResponse response) {
        return Map.of();
    }

    /** A human explanation of a failure from the provider's side (security groups, routes...), if it can tell. */
    default Optional<String> diagnose(BuildJob job, FailureClass failure) {
        return Optional.empty();
    }

    @Override
    default void close() {
    }
}
