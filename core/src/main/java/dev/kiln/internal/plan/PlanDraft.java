package dev.kiln.internal.plan;

import dev.kiln.job.RetryPolicy;
import dev.kiln.limits.LimitSpec;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.PackerPins;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A fleet as written, before expansion: what a plan file reads into and what
 * {@link dev.kiln.plan.Fleet} builds, so {@link Planner} validates both the same way. A list that
 * is null was present but unreadable; the reader has already said why, and the planner stays
 * quiet about it instead of adding a second, confusing problem.
 *
 * @param name              plan name, null when unreadable
 * @param source            the plan file, or null in code
 * @param baseDir           directory templates must stay under, or null in code
 * @param pins              packer and plugin pins
 * @param retryPolicy       retry policy
 * @param naming            default name template as written, or null for the built-in default
 * @param environments      environment names
 * @param targets           target entries, each with one or more regions
 * @param images            images
 * @param limitOverrides    plan-wide overrides by scope key, beside the targets' own
 * @param sites             where the plan's top-level fields were written
 * @param imagesIncomplete  whether the reader dropped an image it could not read (no "unknown image"
 *                          for depends_on then: it may be the one dropped)
 * @param targetsIncomplete whether the reader dropped a target entry (no "matches no target" then)
 */
public record PlanDraft(String name, Path source, Path baseDir, PackerPins pins, RetryPolicy retryPolicy,
                        String naming, List<String> environments, List<TargetDraft> targets, List<ImageDraft> images,
                        Map<String, Map<String, LimitSpec>> limitOverrides, Sites sites, boolean imagesIncomplete,
                        boolean targetsIncomplete) {

    public PlanDraft {
        Objects.requireNonNull(pins, "pins");
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        Objects.requireNonNull(sites, "sites");
        environments = environments == null ? null : List.copyOf(environments);
        targets = targets == null ? null : List.copyOf(targets);
        images = images == null ? null : List.copyOf(images);
        Map<String, Map<String, LimitSpec>> lo = new LinkedHashMap<>();
        limitOverrides.forEach((k, v) -> lo.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        limitOverrides = Collections.unmodifiableMap(lo);
    }

    /**
     * One target entry: a provider account in one or more regions.
     *
     * @param provider provider id
     * @param account  account, subscription, project or vCenter
     * @param regions  regions (hosts or clusters for vSphere); null when unreadable
     * @param options  provider-specific options
     * @param limits   limit overrides for every region of this entry
     * @param sites    where its fields were written
     * @param customRegions regions the provider's catalog does not list that this entry may use anyway
     *                 (newer than the list, or private)
     */
    public record TargetDraft(String provider, String account, List<String> regions, Map<String, String> options,
                              Map<String, LimitSpec> limits, Sites sites, List<String> customRegions) {
        public TargetDraft {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(account, "account");
            regions = regions == null ? null : List.copyOf(regions);
            options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
            limits = Collections.unmodifiableMap(new LinkedHashMap<>(limits));
            customRegions = customRegions == null ? List.of() : List.copyOf(customRegions);
        }

        /** An entry that declares no custom regions. */
        public TargetDraft(String provider, String account, List<String> regions, Map<String, String> options,
                           Map<String, LimitSpec> limits, Sites sites) {
            this(provider, account, regions, options, limits, sites, List.of());
        }
    }

    /**
     * One image.
     *
     * @param spec             the image; its name template is replaced by {@code naming} or the plan's
     * @param naming           its own name template as written, or null to take the plan's
     * @param environments     the environments it is built in; empty for all
     * @param templateAsWritten the template path as the user wrote it, for messages
     * @param sites            where its fields were written
     */
    public record ImageDraft(ImageSpec spec, String naming, List<String> environments, String templateAsWritten,
                             Sites sites) {
        public ImageDraft {
            Objects.requireNonNull(spec, "spec");
            environments = List.copyOf(environments);
            Objects.requireNonNull(templateAsWritten, "templateAsWritten");
            Objects.requireNonNull(sites, "sites");
        }
    }
}
