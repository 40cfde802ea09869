package dev.kiln.internal.plan;

import dev.kiln.limits.LimitSpec;
import dev.kiln.naming.NameRule;
import dev.kiln.naming.NameRules;
import dev.kiln.naming.NameTemplate;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Connection;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.PackerPins;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.ProviderCatalog;
import dev.kiln.plan.Target;
import dev.kiln.template.BuilderCatalog;
import dev.kiln.template.BuilderLookup;
import dev.kiln.template.PackerTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Expands a fleet into jobs: every image on every target it matches (each region), in every
 * environment it is built in. Validates values, renders and checks image names, finds name
 * collisions and wires dependencies. Plan files and {@link dev.kiln.plan.Fleet} both come here,
 * so a plan means the same and is refused the same way whichever way it was written.
 */
public final class Planner {

    private static final Pattern PLAN_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z][a-z0-9-]{0,15}");
    private static final Pattern IMAGE = Pattern.compile("[a-z][a-z0-9-]{0,40}");
    private static final Pattern PROVIDER = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Pattern BUILDER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    // One build name, in ASCII: packer reads -only= as a comma list of glob patterns, so '*', '?', '['
    // or ',' would select other builds; and a name a terminal shows differently from what it is
    // (a right-to-left override, a look-alike letter) has no place in an argument.
    private static final Pattern ONLY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,127}");
    private static final Pattern PLUGIN = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern PLUGIN_VERSION = Pattern.compile("v?\\d{1,6}\\.\\d{1,6}\\.\\d{1,6}([-+][0-9A-Za-z.+-]{1,64})?");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    /** How long after its timeout a build's resources count as abandoned (as the run tells templates). */
    private static final java.time.Duration EXPIRY_MARGIN = java.time.Duration.ofHours(1);

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** Placeholders whose values tell two jobs apart, in the order a collision suggests them. */
    private static final List<String> DISTINGUISHING = List.of("env", "region", "account", "provider", "image");

    private final PlanDraft draft;
    private final PlanContext ctx;
    private final Problems problems;
    private final ProviderChecks providerChecks;
    private final PlanTemplates templates;
    private final JobVariables variables;

    private Planner(PlanDraft draft, PlanContext ctx, Problems problems) {
        this.draft = draft;
        this.ctx = ctx;
        this.problems = problems;
        this.providerChecks = new ProviderChecks(ctx, problems);
        this.templates = new PlanTemplates(problems);
        this.variables = new JobVariables(draft.baseDir(), problems);
    }

    /**
     * Validates and expands {@code draft}.
     *
     * @throws dev.kiln.plan.PlanException with every problem found
     */
    public static BuildPlan expand(PlanDraft draft, PlanContext ctx) {
        return expand(draft, ctx, new Problems());
    }

    static BuildPlan expand(PlanDraft draft, PlanContext ctx, Problems earlier) {
        Objects.requireNonNull(draft, "draft");
        Objects.requireNonNull(ctx, "ctx");
        return new Planner(draft, ctx, earlier).run();
    }

    private BuildPlan run() {
        checkPlanName();
        checkPins();
        List<String> environments = environments();
        NameTemplate planNaming = draft.naming() == null ? null : naming(draft.naming(), draft.sites().at("naming"));
        List<Placed> targets = targets();
        providerChecks.scopedLimits(draft, targets.stream().map(Placed::target).toList());
        List<Image> images = images(environments, targets, planNaming);
        List<Job> jobs = expand(images, targets);
        templates.report();
        checkUniqueness(jobs);
        Map<String, List<String>> edges = imageDependencies(images);
        Map<JobId, Set<JobId>> dependsOn = jobDependencies(jobs, edges);
        problems.throwIfAny();

        BuildPlan.Builder plan = BuildPlan.builder(draft.name())
                .source(draft.source())
                .runId(ctx.runId())
                .createdAt(ctx.now())
                .gitSha(ctx.gitSha())
                .pins(draft.pins())
                .retryPolicy(draft.retryPolicy());
        for (Job j : jobs) {
            plan.job(new BuildJob(j.id, j.spec, j.placed.target, j.environment, j.imageName, j.buildId,
                    dependsOn.getOrDefault(j.id, Set.of()), j.demand, j.connection));
        }
        for (Placed p : targets) {
            p.from.limits().forEach((limit, spec) -> plan.limitOverride(p.target.key(), limit, spec));
        }
        for (var scope : draft.limitOverrides().entrySet()) {
            for (Map.Entry<String, LimitSpec> limit : scope.getValue().entrySet()) {
                plan.limitOverride(scope.getKey(), limit.getKey(), limit.getValue());
            }
        }
        return plan.build();
    }

    /** Whether {@code id} has the shape of a provider id; one that has not is reported as such, not as unknown. */
    static boolean isProviderId(String id) {
        return PROVIDER.matcher(id).matches();
    }

    // --- plan-wide values

    private void checkPlanName() {
        if (draft.name() != null && !PLAN_NAME.matcher(draft.name()).matches()) {
            problems.add(Messages.badFormat(draft.sites().at("name"), draft.name(), "a plan name: a lowercase"
                    + " letter or digit, then up to 62 lowercase letters, digits or '-'"));
        }
    }

    private void checkPins() {
        PackerPins pins = draft.pins();
        if (pins.version() != null && pins.version().isBlank()) {
            problems.add(Messages.badFormat(draft.sites().at("packer.version"), pins.version(),
                    "a packer version constraint such as \">= 1.6.0, < 2.0.0\""));
        }
        for (String plugin : new TreeSet<>(pins.plugins().keySet())) {
            PackerPins.PluginPin pin = pins.plugins().get(plugin);
            String at = Node.child("packer.plugins", plugin);
            if (!PLUGIN.matcher(plugin).matches()) {
                problems.add(Messages.badFormat(draft.sites().at(at), plugin, "a plugin name as in"
                        + " packer-plugin-NAME: lowercase letters, digits and '-'"));
            }
            if (pin.version() == null || !PLUGIN_VERSION.matcher(pin.version()).matches()) {
                problems.add(Messages.badFormat(draft.sites().at(Node.child(at, "version")), pin.version(),
                        "an exact plugin version such as \"1.2.8\""));
            }
            if (pin.sha256() != null && !SHA256.matcher(pin.sha256()).matches()) {
                problems.add(Messages.badFormat(draft.sites().at(Node.child(at, "sha256")), pin.sha256(),
                        "a SHA-256 checksum: 64 hexadecimal characters"));
            }
        }
    }

    private List<String> environments() {
        List<String> envs = draft.environments();
        if (envs == null) {
            return List.of();
        }
        if (envs.isEmpty()) {
            problems.add(Messages.atLeastOne(draft.sites().at("environments"),
                    "environment, e.g. environments: [dev, prod]"));
        }
        Map<String, Site> seen = new LinkedHashMap<>();
        for (int i = 0; i < envs.size(); i++) {
            String env = envs.get(i);
            Site site = draft.sites().at("environments[" + i + "]");
            if (!ENVIRONMENT.matcher(env).matches()) {
                problems.add(Messages.badFormat(site, env, "an environment name: a lowercase letter, then up to 15"
                        + " lowercase letters, digits or '-'"));
            }
            if (seen.containsKey(env)) {
                problems.add(Messages.duplicate(site, env, "environment", seen.get(env)));
            } else {
                seen.put(env, site);
            }
        }
        return List.copyOf(seen.keySet());
    }

    private NameTemplate naming(String template, Site site) {
        try {
            return NameTemplate.parse(template);
        } catch (IllegalArgumentException e) {
            problems.add(Messages.unknownPlaceholder(site, template, e.getMessage(), unknownPlaceholder(template),
                    NameTemplate.PLACEHOLDERS));
            return null;
        }
    }

    /** The first placeholder of {@code template} that is not a known one, for a "did you mean". */
    private static String unknownPlaceholder(String template) {
        int open = template.indexOf('{');
        while (open >= 0) {
            int close = template.indexOf('}', open);
            if (close < 0) {
                return null;
            }
            String name = template.substring(open + 1, close);
            if (!NameTemplate.PLACEHOLDERS.contains(name)) {
                return name;
            }
            open = template.indexOf('{', close);
        }
        return null;
    }

    // --- targets

    /** One target of the plan, with the entry it came from. */
    private record Placed(Target target, PlanDraft.TargetDraft from) {
    }

    private List<Placed> targets() {
        List<Placed> out = new ArrayList<>();
        List<PlanDraft.TargetDraft> entries = draft.targets();
        if (entries == null) {
            return out;
        }
        if (entries.isEmpty() && !draft.targetsIncomplete()) {
            problems.add(Messages.atLeastOne(draft.sites().at("targets"), "target, e.g. - { provider: aws,"
                    + " account: \"123456789012\", region: us-east-1 }"));
        }
        Map<String, Site> seen = new HashMap<>();
        for (PlanDraft.TargetDraft t : entries) {
            Sites s = t.sites();
            Formats.Format accountFormat = Formats.account(t.provider());
            if (!PROVIDER.matcher(t.provider()).matches()) {
                problems.add(Messages.badFormat(s.at("provider"), t.provider(), "a provider id: a lowercase letter,"
                        + " then lowercase letters, digits or '-' (aws, azure, gcp, vsphere or your own)"));
            }
            if (!accountFormat.matches(t.account())) {
                problems.add(Messages.badFormat(s.at("account"), t.account(), accountFormat.description()));
            }
            ProviderCatalog catalog = providerChecks.catalogOf(t);
            if (t.regions() == null) {
                continue;
            }
            if (t.regions().isEmpty()) {
                problems.add(Messages.atLeastOne(s.at("regions"), "region"));
            }
            Formats.Format regionFormat = Formats.region(t.provider());
            for (int i = 0; i < t.customRegions().size(); i++) {
                String custom = t.customRegions().get(i);
                if (!regionFormat.matches(custom)) {
                    problems.add(Messages.badFormat(s.at("custom_regions[" + i + "]"), custom,
                            regionFormat.description()));
                }
            }
            for (int i = 0; i < t.regions().size(); i++) {
                String region = t.regions().get(i);
                Site site = s.written("region") ? s.at("region") : s.at("regions[" + i + "]");
                if (!regionFormat.matches(region)) {
                    problems.add(Messages.badFormat(site, region, regionFormat.description()));
                } else if (catalog != null && !catalog.knowsRegion(region) && !t.customRegions().contains(region)) {
                    problems.add(ProviderChecks.unknownRegion(site, region, catalog));
                }
                Target target = new Target(t.provider(), t.account(), region, t.options());
                if (catalog != null && i == 0) {
                    providerChecks.limits(t.limits().keySet(), target, catalog,
                            name -> s.at(Node.child("limits", name)));
                }
                Site first = seen.putIfAbsent(target.key(), site);
                if (first != null) {
                    problems.add(Messages.duplicate(site, target.key(), "target", first));
                } else {
                    out.add(new Placed(target, t));
                }
            }
        }
        return out;
    }

    // --- images

    /**
     * One image as it will be built: its effective spec, name template and environments, and its
     * template (null when it could not be read; reported).
     */
    private record Image(int index, PlanDraft.ImageDraft draft, ImageSpec spec, NameTemplate naming,
                         Site namingSite, List<String> environments, List<Placed> targets, PackerTemplate template) {
        String name() {
            return spec.name();
        }
    }

    /** The images to expand; {@code planNaming} is null when the plan has none or it is broken (reported). */
    private List<Image> images(List<String> environments, List<Placed> targets, NameTemplate planNaming) {
        List<Image> out = new ArrayList<>();
        List<PlanDraft.ImageDraft> drafts = draft.images();
        if (drafts == null) {
            return out;
        }
        if (drafts.isEmpty() && !draft.imagesIncomplete()) {
            problems.add(Messages.atLeastOne(draft.sites().at("images"), "image, e.g. - { name: ubuntu-base,"
                    + " template: templates/ubuntu.pkr.json, builder: amazon-ebs }"));
        }
        // Providers as written, even of entries whose regions could not be read: those were
        // reported already, and their images should not be told that no target matches.
        Set<String> targetProviders = new LinkedHashSet<>();
        boolean providersKnown = !draft.targetsIncomplete() && draft.targets() != null;
        for (PlanDraft.TargetDraft t : draft.targets() == null ? List.<PlanDraft.TargetDraft>of() : draft.targets()) {
            targetProviders.add(t.provider());
            providersKnown &= t.regions() != null;
        }
        Map<String, Site> seen = new HashMap<>();
        for (int i = 0; i < drafts.size(); i++) {
            PlanDraft.ImageDraft d = drafts.get(i);
            ImageSpec spec = d.spec();
            Sites s = d.sites();
            collectSecrets(spec);
            checkImageValues(d);
            boolean templateFound = checkTemplate(d);
            SecretChecks.check(d, draft, problems);
            List<String> envs = imageEnvironments(d, environments);
            boolean providersOk = checkProviders(d, targetProviders, providersKnown);

            NameTemplate naming;
            Site namingSite;
            if (d.naming() != null) {
                namingSite = s.at("naming");
                naming = naming(d.naming(), namingSite);
            } else if (draft.naming() != null) {
                namingSite = draft.sites().at("naming");
                naming = planNaming;
            } else {
                namingSite = s.at("naming");
                naming = NameTemplate.parse(NameTemplate.DEFAULT);
            }

            Site nameSite = s.at("name");
            Site first = seen.putIfAbsent(spec.name(), nameSite);
            if (first != null) {
                problems.add(Messages.duplicate(nameSite, spec.name(), "image name", first));
                continue;
            }
            Set<String> providers = spec.providers().isEmpty() ? inferProviders(spec.builderType())
                    : spec.providers();
            List<Placed> matched = new ArrayList<>();
            for (Placed p : targets) {
                if (providers.isEmpty() || providers.contains(p.target.provider())) {
                    matched.add(p);
                }
            }
            BuilderLookup lookup = BuilderCatalog.lookup(spec.builderType());
            boolean builderKnown = !(lookup instanceof BuilderLookup.Unknown);
            if (lookup instanceof BuilderLookup.Unknown u && BUILDER.matcher(spec.builderType()).matches()) {
                problems.add(TemplateMessages.unknownBuilder(s.at("builder"), spec.builderType(), u.didYouMean()));
            }
            builderKnown &= checkBuilderProviders(d, lookup, matched);
            // Providers the image names itself and no target has were reported one by one.
            if (builderKnown && matched.isEmpty() && providersKnown && !targets.isEmpty() && providersOk
                    && spec.providers().isEmpty()) {
                problems.add(Messages.matchesNoTarget(s.at("builder"), spec.name(), spec.builderType(),
                        new TreeSet<>(providers)));
            }
            ImageSpec effective = new ImageSpec(spec.name(), spec.template(), spec.builderType(), spec.only(),
                    spec.instanceSize(), spec.variables(), spec.sensitive(), naming, providers, spec.priority(),
                    spec.timeout(), spec.expectedDuration(), spec.dependsOn(), spec.diskGb(), spec.vcpus(),
                    spec.varFiles(), spec.variablesMap(), spec.setFields(), spec.workingDirectory(), spec.location());
            PackerTemplate template = templateFound && builderKnown && !matched.isEmpty()
                    ? templates.template(d).orElse(null) : null;
            out.add(new Image(i, d, effective, naming, namingSite, envs, matched, template));
        }
        return out;
    }

    /**
     * Whether the image's builder builds on the providers of its targets: a builder Kiln runs builds on
     * its own provider only, and one of another kind (qemu, virtualbox-iso) on none of Kiln's (a custom
     * provider may take it). Packer's null builder builds anywhere. Reports each provider once.
     */
    private boolean checkBuilderProviders(PlanDraft.ImageDraft d, BuilderLookup lookup, List<Placed> matched) {
        Set<String> kilns = new LinkedHashSet<>();
        BuilderCatalog.supported().forEach(p -> kilns.add(p.providerId()));
        Set<String> reported = new HashSet<>();
        boolean ok = true;
        for (Placed p : matched) {
            String provider = p.target.provider();
            String buildsOn = null;
            if (lookup instanceof BuilderLookup.Supported s && !s.profile().providerId().equals(provider)
                    && kilns.contains(provider)) {
                buildsOn = s.profile().providerId();
            } else if (lookup instanceof BuilderLookup.Unsupported u && !u.type().equals("null")
                    && kilns.contains(provider)) {
                buildsOn = u.buildsOn();
            }
            if (buildsOn != null && reported.add(provider)) {
                problems.add(TemplateMessages.wrongProvider(d.sites().at("builder"), d.spec().name(),
                        d.spec().builderType(), buildsOn, provider, p.target.key()));
                ok = false;
            }
        }
        return ok;
    }

    private void collectSecrets(ImageSpec spec) {
        for (String name : spec.sensitive()) {
            if (spec.variables().get(name) instanceof String value) {
                problems.secret(value);
            }
        }
    }

    private void checkImageValues(PlanDraft.ImageDraft d) {
        ImageSpec spec = d.spec();
        Sites s = d.sites();
        if (!IMAGE.matcher(spec.name()).matches()) {
            problems.add(Messages.badFormat(s.at("name"), spec.name(), "an image name: a lowercase letter, then up"
                    + " to 40 lowercase letters, digits or '-'"));
        }
        if (!BUILDER.matcher(spec.builderType()).matches()) {
            problems.add(Messages.badFormat(s.at("builder"), spec.builderType(), "a packer builder type such as"
                    + " amazon-ebs, azure-arm, googlecompute, vsphere-iso or null"));
        }
        if (!ONLY.matcher(spec.only()).matches()) {
            problems.add(Messages.badFormat(s.at("only"), spec.only(), "one build name as packer -only= takes it:"
                    + " letters, digits, '.', '_' and '-', no glob characters, spaces or commas"));
        }
        if (spec.vcpus() != null && spec.vcpus() < 1) {
            problems.add(Messages.badFormat(s.at("vcpus"), String.valueOf(spec.vcpus()), "at least 1"));
        }
        if (spec.diskGb() < 1) {
            problems.add(Messages.badFormat(s.at("disk_gb"), String.valueOf(spec.diskGb()), "at least 1"));
        }
        if (spec.timeout().isNegative() || spec.timeout().isZero()) {
            problems.add(Messages.durationNotPositive(s.at("timeout"), Durations.format(spec.timeout())));
        }
        if (spec.expectedDuration() != null
                && (spec.expectedDuration().isNegative() || spec.expectedDuration().isZero())) {
            problems.add(Messages.durationNotPositive(s.at("expected"), Durations.format(spec.expectedDuration())));
        }
        for (String variable : spec.variables().keySet()) {
            if (!VARIABLE.matcher(variable).matches()) {
                problems.add(Messages.badFormat(s.at(Node.child("variables", variable)), variable, "a packer"
                        + " variable name: letters, digits, '_' and '-', not starting with a digit or '-'"));
            }
        }
        for (String name : new TreeSet<>(spec.sensitive())) {
            // A variable whose value could not be read was still declared: no second problem for it.
            boolean declared = spec.variables().containsKey(name) || s.written(Node.child("variables", name));
            if (!declared) {
                problems.add(Messages.unknownSensitive(s.item("sensitive", name), name, spec.variables().keySet()));
            }
        }
    }

    /** Whether the image's template is there to be read: a file, or a folder of {@code *.pkr.hcl}, inside the plan's directory. */
    private boolean checkTemplate(PlanDraft.ImageDraft d) {
        Site site = d.sites().at("template");
        String written = d.templateAsWritten();
        Path template = d.spec().template().toAbsolutePath().normalize();
        if (draft.baseDir() != null) {
            Path base = draft.baseDir().toAbsolutePath().normalize();
            if (!template.startsWith(base)) {
                problems.add(Messages.templateEscapes(site, written, base));
                return false;
            }
            if (!templateExists(site, written, template)) {
                return false;
            }
            try {
                Path real = template.toRealPath();
                if (!real.startsWith(base.toRealPath())) {
                    problems.add(Messages.templateLinkEscapes(site, written, real, base));
                    return false;
                }
            } catch (IOException e) {
                problems.add(Messages.templateMissing(site, written, template));
                return false;
            }
            return true;
        }
        return templateExists(site, written, template);
    }

    private boolean templateExists(Site site, String written, Path template) {
        if (!Files.exists(template)) {
            problems.add(Messages.templateMissing(site, written, template));
            return false;
        }
        if (!Files.isRegularFile(template) && !Files.isDirectory(template)) {
            problems.add(Messages.templateNotFile(site, written, template));
            return false;
        }
        return true;
    }

    private List<String> imageEnvironments(PlanDraft.ImageDraft d, List<String> planEnvironments) {
        if (d.environments().isEmpty()) {
            return planEnvironments;
        }
        Set<String> wanted = new HashSet<>();
        for (int i = 0; i < d.environments().size(); i++) {
            String env = d.environments().get(i);
            if (planEnvironments.contains(env)) {
                wanted.add(env);
            } else if (draft.environments() != null) {
                problems.add(Messages.unknownEnvironment(d.sites().at("environments[" + i + "]"), env,
                        planEnvironments));
            }
        }
        return planEnvironments.stream().filter(wanted::contains).toList();
    }

    /** Reports providers no target has; false when the image named any (its "no target" is said then). */
    private boolean checkProviders(PlanDraft.ImageDraft d, Set<String> targetProviders, boolean providersKnown) {
        boolean ok = true;
        for (String provider : new TreeSet<>(d.spec().providers())) {
            if (!targetProviders.contains(provider)) {
                ok = false;
                if (providersKnown && !targetProviders.isEmpty()) {
                    problems.add(Messages.unknownProvider(d.sites().item("providers", provider), provider,
                            targetProviders));
                }
            }
        }
        return ok;
    }

    /** What a builder type builds for, when the image does not say: nothing means every target. */
    static Set<String> inferProviders(String builderType) {
        if (builderType.startsWith("amazon-")) {
            return Set.of("aws");
        }
        if (builderType.startsWith("azure-")) {
            return Set.of("azure");
        }
        if (builderType.equals("googlecompute")) {
            return Set.of("gcp");
        }
        if (builderType.startsWith("vsphere-")) {
            return Set.of("vsphere");
        }
        return Set.of();
    }

    // --- jobs

    /** One job before its dependencies are known, with the spec and connection it builds with. */
    private record Job(JobId id, Image image, Placed placed, String environment, String imageName, String buildId,
                       ImageSpec spec, Demand demand, Connection connection) {
    }

    /** Invalid names of one image on one provider, reported once with a count. */
    private record InvalidName(Image image, String provider, List<String> rendered, List<JobId> jobs,
                               String reason) {
    }

    /** {@code runId-007}: at least three digits. Not String.format, a fifth of a 5,000-build plan's expansion. */
    static String buildId(String runId, int index) {
        String digits = Integer.toString(index);
        return runId + "-" + "000".substring(Math.min(3, digits.length())) + digits;
    }

    private List<Job> expand(List<Image> images, List<Placed> targets) {
        String timestamp = TIMESTAMP.format(ctx.now());
        List<Job> jobs = new ArrayList<>();
        Map<String, InvalidName> invalid = new LinkedHashMap<>();
        int index = 0;
        for (Image image : images) {
            for (Placed placed : image.targets) {
                Target t = placed.target;
                NameRule rule = ruleFor(t.provider());
                for (String env : image.environments) {
                    index++;
                    JobId id = JobId.of(image.name(), t, env);
                    String buildId = buildId(ctx.runId(), index);
                    String imageName = image.name();
                    if (image.naming != null) {
                        Map<String, String> values = Map.of("image", image.name(), "env", env,
                                "provider", t.provider(), "account", t.account(), "region", t.region(),
                                "git_sha", ctx.gitSha(), "timestamp", timestamp, "build_id", buildId);
                        imageName = rule.normalize(image.naming.render(values));
                        var wrong = rule.check(imageName);
                        if (wrong.isPresent()) {
                            InvalidName bad = invalid.computeIfAbsent(image.index + "/" + t.provider(),
                                    k -> new InvalidName(image, t.provider(), new ArrayList<>(), new ArrayList<>(),
                                            wrong.get()));
                            bad.rendered.add(imageName);
                            bad.jobs.add(id);
                        }
                    }
                    jobs.add(connected(new Job(id, image, placed, env, imageName, buildId, image.spec,
                            demandOf(image.spec), null)));
                }
            }
        }
        for (InvalidName bad : invalid.values()) {
            int more = bad.jobs.size() - 1;
            String reason = bad.reason + (more == 0 ? "" : "; " + more + " more job" + (more == 1 ? "" : "s")
                    + " of this image on " + bad.provider + " too");
            problems.add(Messages.invalidName(bad.image.namingSite, bad.rendered.get(0), bad.jobs.get(0).value(),
                    bad.provider, reason));
        }
        return jobs;
    }

    /**
     * The job with its connection: how its region, name, build id and instance size reach the template's
     * builder, and the spec it builds with (the template's instance size, when the plan gives none; the
     * build the template names for it). A job whose template could not be used keeps its spec as given.
     */
    private Job connected(Job j) {
        PackerTemplate template = j.image.template;
        if (template == null) {
            return j;
        }
        ImageSpec spec = j.image.spec;
        long expiresAt = ctx.now().plus(spec.timeout()).plus(EXPIRY_MARGIN).getEpochSecond();
        Connector.Build build = new Connector.Build(j.placed.target, j.environment, j.imageName, j.buildId,
                ctx.runId(), expiresAt);
        List<JobVariables.Part> parts = new ArrayList<>();
        parts.add(JobVariables.Part.of(draft.environmentInputs().get(j.environment)));
        parts.add(JobVariables.Part.of(j.placed.from.inputs()));
        parts.add(new JobVariables.Part(spec.variables(), spec.varFiles(), j.image.draft.sites()));
        Map<String, Object> values = variables.of(new JobVariables.Facts(spec, j.placed.target, j.environment,
                j.imageName, j.buildId), parts);
        Optional<Connector.Result> connected = templates.connect(template, j.image.draft, build, values,
                JobVariables.inlineNames(parts), spec.sensitive());
        if (connected.isEmpty()) {
            return j;
        }
        Connector.Result r = connected.get();
        boolean sameSize = Objects.equals(r.instance(), spec.instanceSize())
                && (r.vcpus() == null || r.vcpus().equals(spec.vcpus()));
        ImageSpec effective = spec;
        if (!sameSize || !spec.only().equals(r.connection().build())) {
            effective = new ImageSpec(spec.name(), spec.template(), spec.builderType(), r.connection().build(),
                    r.instance(), spec.variables(), spec.sensitive(), spec.nameTemplate(), spec.providers(),
                    spec.priority(), spec.timeout(), spec.expectedDuration(), spec.dependsOn(), spec.diskGb(),
                    r.vcpus() != null ? r.vcpus() : spec.vcpus(), spec.varFiles(), spec.variablesMap(),
                    spec.setFields(), spec.workingDirectory(), spec.location());
        }
        return new Job(j.id, j.image, j.placed, j.environment, j.imageName, j.buildId, effective,
                demandOf(effective), r.connection());
    }

    private NameRule ruleFor(String provider) {
        NameRule rule = ctx.nameRules().apply(provider);
        return rule != null ? rule : NameRules.forProvider(provider);
    }

    private static Demand demandOf(ImageSpec spec) {
        int vcpus = spec.vcpus() != null ? spec.vcpus() : InstanceSizes.vcpus(spec.instanceSize()).orElse(2);
        return Demand.of(Math.max(vcpus, 1), 1, Math.max(spec.diskGb(), 1), 0).with(Demand.IMAGES, 1);
    }

    private void checkUniqueness(List<Job> jobs) {
        Map<String, List<Job>> byName = new LinkedHashMap<>();
        for (Job j : jobs) {
            if (j.image.naming == null) {
                continue;
            }
            String scope = ruleFor(j.placed.target.provider()).uniquenessScope(j.placed.target);
            byName.computeIfAbsent(scope + "\n" + j.imageName, k -> new ArrayList<>()).add(j);
        }
        for (var e : byName.entrySet()) {
            List<Job> same = e.getValue();
            if (same.size() < 2) {
                continue;
            }
            Job first = same.get(0);
            Job second = same.get(1);
            String scope = e.getKey().substring(0, e.getKey().indexOf('\n'));
            int more = same.size() - 2;
            String otherJobs = first.id.value() + (more == 0 ? "" : " (and " + more + " more)");
            problems.add(Messages.nameCollision(second.image.namingSite, second.imageName, second.id.value(),
                    otherJobs, scope, suggestion(first, second)));
        }
    }

    /** The first placeholder that tells the two jobs apart and that the template does not use yet. */
    private static String suggestion(Job a, Job b) {
        Set<String> used = b.image.naming.placeholders();
        for (String placeholder : DISTINGUISHING) {
            if (!used.contains(placeholder) && !value(a, placeholder).equals(value(b, placeholder))) {
                return "{" + placeholder + "}";
            }
        }
        return "{build_id}";
    }

    private static String value(Job j, String placeholder) {
        return switch (placeholder) {
            case "env" -> j.environment;
            case "region" -> j.placed.target.region();
            case "account" -> j.placed.target.account();
            case "provider" -> j.placed.target.provider();
            default -> j.image.name();
        };
    }

    // --- dependencies

    /** Image name to the images it depends on, known ones only; reports unknown names and cycles. */
    private Map<String, List<String>> imageDependencies(List<Image> images) {
        Map<String, Image> byName = new LinkedHashMap<>();
        images.forEach(i -> byName.putIfAbsent(i.name(), i));
        Map<String, List<String>> edges = new LinkedHashMap<>();
        for (Image image : images) {
            List<String> known = new ArrayList<>();
            List<String> declared = image.spec.dependsOn();
            for (int i = 0; i < declared.size(); i++) {
                String dep = declared.get(i);
                if (byName.containsKey(dep)) {
                    if (!known.contains(dep)) {
                        known.add(dep);
                    }
                } else if (!draft.imagesIncomplete()) {
                    problems.add(Messages.unknownImage(image.draft.sites().at("depends_on[" + i + "]"), dep,
                            byName.keySet()));
                }
            }
            edges.put(image.name(), known);
        }
        reportCycles(byName, edges);
        return edges;
    }

    private void reportCycles(Map<String, Image> images, Map<String, List<String>> edges) {
        Map<String, Integer> state = new HashMap<>();
        Set<String> reported = new HashSet<>();
        for (String start : images.keySet()) {
            if (!state.containsKey(start)) {
                visit(start, new ArrayList<>(), state, edges, images, reported);
            }
        }
    }

    private static final int VISITING = 1;
    private static final int DONE = 2;

    private void visit(String image, List<String> path, Map<String, Integer> state, Map<String, List<String>> edges,
                       Map<String, Image> images, Set<String> reported) {
        state.put(image, VISITING);
        path.add(image);
        for (String dep : edges.getOrDefault(image, List.of())) {
            Integer s = state.get(dep);
            if (s == null) {
                visit(dep, path, state, edges, images, reported);
            } else if (s == VISITING) {
                List<String> cycle = new ArrayList<>(path.subList(path.indexOf(dep), path.size()));
                reportCycle(cycle, images, reported);
            }
        }
        path.remove(path.size() - 1);
        state.put(image, DONE);
    }

    /** Reports a cycle once, starting from the image declared first, at that image's depends_on entry. */
    private void reportCycle(List<String> cycle, Map<String, Image> images, Set<String> reported) {
        int start = 0;
        for (int i = 1; i < cycle.size(); i++) {
            if (images.get(cycle.get(i)).index < images.get(cycle.get(start)).index) {
                start = i;
            }
        }
        List<String> rotated = new ArrayList<>(cycle.subList(start, cycle.size()));
        rotated.addAll(cycle.subList(0, start));
        if (!reported.add(String.join(" ", rotated))) {
            return;
        }
        Image first = images.get(rotated.get(0));
        String next = rotated.size() > 1 ? rotated.get(1) : rotated.get(0);
        rotated.add(rotated.get(0));
        int entry = first.spec.dependsOn().indexOf(next);
        problems.add(Messages.cycle(first.draft.sites().at("depends_on[" + entry + "]"), rotated));
    }

    /**
     * A job waits for the dependency image's jobs on its own provider, account and environment:
     * the one in its own region when there is one, else all of them.
     */
    private Map<JobId, Set<JobId>> jobDependencies(List<Job> jobs, Map<String, List<String>> edges) {
        Map<String, List<Job>> byPlace = new HashMap<>();
        for (Job j : jobs) {
            byPlace.computeIfAbsent(placeKey(j.image.name(), j), k -> new ArrayList<>()).add(j);
        }
        Map<JobId, Set<JobId>> out = new HashMap<>();
        Set<String> reported = new HashSet<>();
        for (Job j : jobs) {
            Set<JobId> deps = new LinkedHashSet<>();
            for (String dep : edges.getOrDefault(j.image.name(), List.of())) {
                List<Job> candidates = byPlace.getOrDefault(placeKey(dep, j), List.of());
                List<Job> sameRegion = candidates.stream()
                        .filter(c -> c.placed.target.region().equals(j.placed.target.region())).toList();
                (sameRegion.isEmpty() ? candidates : sameRegion).forEach(c -> deps.add(c.id));
                boolean complete = !draft.imagesIncomplete() && !draft.targetsIncomplete();
                if (candidates.isEmpty() && complete && reported.add(j.image.name() + " " + dep)) {
                    int entry = j.image.spec.dependsOn().indexOf(dep);
                    problems.add(Messages.dependencyNotBuilt(j.image.draft.sites().at("depends_on[" + entry + "]"),
                            j.image.name(), dep, j.placed.target.accountKey(), j.environment));
                }
            }
            out.put(j.id, deps);
        }
        return out;
    }

    private static String placeKey(String image, Job j) {
        return image + "\n" + j.placed.target.accountKey() + "\n" + j.environment;
    }
}
