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
 * @param environmentInputs per environment that has them, its variables and var files
 */
public record PlanDraft(String name, Path source, Path baseDir, PackerPins pins, RetryPolicy retryPolicy,
                        String naming, List<String> environments, List<TargetDraft> targets, List<ImageDraft> images,
                        Map<String, Map<String, LimitSpec>> limitOverrides, Sites sites, boolean imagesIncomplete,
                        boolean targetsIncomplete, Map<String, Inputs> environmentInputs) {

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
        environmentInputs = environmentInputs == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(environmentInputs));
    }

    /** A draft whose environments have no variables or var files of their own. */
    public PlanDraft(String name, Path source, Path baseDir, PackerPins pins, RetryPolicy retryPolicy, String naming,
                     List<String> environments, List<TargetDraft> targets, List<ImageDraft> images,
                     Map<String, Map<String, LimitSpec>> limitOverrides, Sites sites, boolean imagesIncomplete,
                     boolean targetsIncomplete) {
        this(name, source, baseDir, pins, retryPolicy, naming, environments, targets, images, limitOverrides, sites,
                imagesIncomplete, targetsIncomplete, Map.of());
    }

    /**
     * Template variables and variable files a part of the plan (an environment, a target entry) gives
     * every build in it.
     *
     * @param variables values, typed as {@link Values} keeps them, placeholders unrendered
     * @param varFiles  variable files, absolute, placeholders unrendered
     * @param sites     where they were written: {@code variables.<name>}, {@code var_files[<i>]}
     */
    public record Inputs(Map<String, Object> variables, List<Path> varFiles, Sites sites) {

        /** None. */
        public static Inputs none(Sites sites) {
            return new Inputs(Map.of(), List.of(), sites);
        }

        public Inputs {
            variables = Values.copy(variables);
            varFiles = List.copyOf(varFiles);
            Objects.requireNonNull(sites, "sites");
        }
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
     * @param inputs   the variables and variable files every build on this entry's targets gets
     */
    public record TargetDraft(String provider, String account, List<String> regions, Map<String, String> options,
                              Map<String, LimitSpec> limits, Sites sites, List<String> customRegions,
                              Inputs inputs) {
        public TargetDraft {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(account, "account");
            regions = regions == null ? null : List.copyOf(regions);
            options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
            limits = Collections.unmodifiableMap(new LinkedHashMap<>(limits));
            customRegions = customRegions == null ? List.of() : List.copyOf(customRegions);
            inputs = inputs == null ? Inputs.none(sites) : inputs;
        }

        /** An entry that declares no custom regions, variables or var files. */
        public TargetDraft(String provider, String account, List<String> regions, Map<String, String> options,
                           Map<String, LimitSpec> limits, Sites sites) {
            this(provider, account, regions, options, limits, sites, List.of(), null);
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
