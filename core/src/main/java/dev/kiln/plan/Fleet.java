package dev.kiln.plan;

import dev.kiln.internal.plan.PlanDraft;
import dev.kiln.internal.plan.Planner;
import dev.kiln.internal.plan.Sites;
import dev.kiln.job.RetryPolicy;
import dev.kiln.limits.LimitSpec;
import dev.kiln.naming.NameTemplate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A fleet in code: the same matrix a plan file describes (images by targets by environments),
 * expanded and validated by the same planner, so a fleet built here is refused for exactly the
 * reasons its plan file would be.
 *
 * <pre>{@code
 * BuildPlan plan = Fleet.builder("base-images")
 *         .environments("dev", "prod")
 *         .target(Target.of("aws", "123456789012", "us-east-1"))
 *         .image(ImageSpec.builder("ubuntu-base", template, "amazon-ebs").build())
 *         .build(PlanContext.of(TimeSource.system()));
 * }</pre>
 *
 * <p>Problems are named by field path, e.g. {@code images[0].naming}, counted in the order
 * images and targets were added.
 */
public final class Fleet {

    private Fleet() {
    }

    /** Starts a fleet named {@code name} (lowercase letters, digits and '-'). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Collects a fleet; {@link #build(PlanContext)} expands a copy, so the builder can be reused. */
    public static final class Builder {
        private final String name;
        private final List<ImageSpec> images = new ArrayList<>();
        private final List<List<String>> imageEnvironments = new ArrayList<>();
        private final List<Target> targets = new ArrayList<>();
        private final List<String> environments = new ArrayList<>();
        private String naming;
        private PackerPins pins = PackerPins.NONE;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private final Map<String, Map<String, LimitSpec>> limitOverrides = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * Adds an image, built in {@code environments} only, or in every environment of the fleet
         * when none is given. An image without providers builds on the providers its builder type
         * implies ({@code amazon-*} on aws, {@code azure-*} on azure, {@code googlecompute} on gcp,
         * {@code vsphere-*} on vsphere), any other builder on every target. An image whose name
         * template is the default takes the fleet's {@link #naming(String)}.
         */
        public Builder image(ImageSpec image, String... environments) {
            images.add(Objects.requireNonNull(image, "image"));
            imageEnvironments.add(List.of(environments));
            return this;
        }

        /** Adds a target: one provider account in one region. */
        public Builder target(Target target) {
            targets.add(Objects.requireNonNull(target, "target"));
            return this;
        }

        /** Adds environments every image is built in unless it names its own. */
        public Builder environments(String... names) {
            environments.addAll(List.of(names));
            return this;
        }

        /** The name template of images that have none of their own; see {@link NameTemplate}. */
        public Builder naming(String template) {
            this.naming = Objects.requireNonNull(template, "template");
            return this;
        }

        /** The packer and plugin versions the fleet was written for; preflight checks them. */
        public Builder pins(PackerPins pins) {
            this.pins = Objects.requireNonNull(pins, "pins");
            return this;
        }

        /** How failed builds are retried; {@link RetryPolicy#defaults()} unless set. */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Overrides a limit for a scope key: {@code aws}, {@code aws/123456789012} or
         * {@code aws/123456789012/us-east-1}; the most specific key wins.
         */
        public Builder limitOverride(String scopeKey, String limit, LimitSpec spec) {
            limitOverrides.computeIfAbsent(Objects.requireNonNull(scopeKey, "scopeKey"), k -> new LinkedHashMap<>())
                    .put(Objects.requireNonNull(limit, "limit"), Objects.requireNonNull(spec, "spec"));
            return this;
        }

        /**
         * Validates and expands the fleet against {@code ctx}: one job per image, matching target
         * and environment, named and checked against the providers' naming rules.
         *
         * @throws PlanException listing every problem found
         */
        public BuildPlan build(PlanContext ctx) {
            Objects.requireNonNull(ctx, "ctx");
            NameTemplate defaultNaming = NameTemplate.parse(NameTemplate.DEFAULT);
            List<PlanDraft.TargetDraft> targetDrafts = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                targetDrafts.add(new PlanDraft.TargetDraft(t.provider(), t.account(), List.of(t.region()),
                        t.options(), Map.of(), Sites.inCode("targets[" + i + "]")));
            }
            List<PlanDraft.ImageDraft> imageDrafts = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                ImageSpec image = images.get(i);
                String ownNaming = image.nameTemplate().equals(defaultNaming) ? null : image.nameTemplate().source();
                imageDrafts.add(new PlanDraft.ImageDraft(image, ownNaming, imageEnvironments.get(i),
                        image.template().toString(), Sites.inCode("images[" + i + "]")));
            }
            PlanDraft draft = new PlanDraft(name, null, null, pins, retryPolicy, naming, environments, targetDrafts,
                    imageDrafts, limitOverrides, Sites.inCode(""), false, false);
            return Planner.expand(draft, ctx);
        }
    }
}
