package dev.kiln.internal.plan;

import dev.kiln.plan.ImageSpec;
import dev.kiln.template.BuilderCatalog;
import dev.kiln.template.BuilderLookup;
import dev.kiln.template.PackerTemplate;
import dev.kiln.template.StaticEvaluator;
import dev.kiln.template.TemplateException;
import dev.kiln.template.TemplateProblem;
import dev.kiln.template.TemplateSource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The templates of one plan as the planner uses them: each read once (a template Kiln cannot read is
 * reported at its own file:line, a builder type packer does not have at its source), each build's
 * {@code -only} selected in it with that build's variables (a JSON builder's name may be templated),
 * and every build connected. Problems are reported once per image (and role), with the count of
 * builds they concern.
 */
final class PlanTemplates {

    private final Problems problems;
    private final Map<Path, Optional<PackerTemplate>> read = new HashMap<>();
    private final Map<String, Connector> connectors = new HashMap<>();
    private final Map<String, Reported> gaps = new LinkedHashMap<>();
    private final Set<String> selectionsReported = new HashSet<>();
    private final Set<String> mappingsChecked = new HashSet<>();
    private final Set<String> badMappings = new HashSet<>();
    private final Set<String> valuesReported = new HashSet<>();

    PlanTemplates(Problems problems) {
        this.problems = problems;
    }

    /** A gap of one image and role: the first build's, and how many builds share it. */
    private static final class Reported {
        final Connector.Gap gap;
        final String image;
        final Site site;
        final String build;
        final String target;
        int more;

        Reported(Connector.Gap gap, String image, Site site, String build, String target) {
            this.gap = gap;
            this.image = image;
            this.site = site;
            this.build = build;
            this.target = target;
        }
    }

    /**
     * The template of an image, read once; empty when it cannot be read. Its problems, and builder
     * types packer does not have, are reported (once per template, for the first image using it).
     */
    Optional<PackerTemplate> template(PlanDraft.ImageDraft d) {
        Site site = d.sites().at("template");
        return read.computeIfAbsent(d.spec().template().toAbsolutePath().normalize(), p -> {
            PackerTemplate t;
            try {
                t = PackerTemplate.read(p);
            } catch (TemplateException e) {
                for (TemplateProblem problem : e.problems()) {
                    problems.add(TemplateMessages.unreadable(problem, site));
                }
                return Optional.empty();
            }
            boolean known = true;
            for (TemplateSource s : t.sources()) {
                if (BuilderCatalog.lookup(s.type()) instanceof BuilderLookup.Unknown u) {
                    problems.add(TemplateMessages.unknownBuilderInTemplate(s, u.didYouMean(), site));
                    known = false;
                }
            }
            return known ? Optional.of(t) : Optional.empty();
        });
    }

    /**
     * Connects one build of an image: selects the build its {@code only} names (JSON builder names
     * rendered with the build's variables), then its gaps are kept for {@link #report()}. Empty when
     * the template has no such build (reported once per image).
     */
    Optional<Connector.Result> connect(PackerTemplate template, PlanDraft.ImageDraft d, Connector.Build build,
                                       Map<String, Object> planValues, Set<String> inline, Set<String> sensitive) {
        ImageSpec spec = d.spec();
        if (mappingsChecked.add(spec.name())) {
            mappingOk(template, d, inline);
        }
        checkValues(template, d, planValues);
        if (badMappings.contains(spec.name())) {
            return Optional.empty();
        }
        Map<String, Object> given = new LinkedHashMap<>(planValues);
        given.putAll(Connector.kilnVariables(build, spec.instanceSize()));
        StaticEvaluator evaluator = template.evaluator(given);
        List<Selection> all = Selection.all(template, evaluator);
        Selection chosen = select(all, spec, d.sites().written("only"));
        if (chosen == null) {
            if (selectionsReported.add(spec.name())) {
                problems.add(noSuchBuild(d, all));
            }
            return Optional.empty();
        }
        if (!chosen.type().equals(spec.builderType()) && !chosen.type().equals("null")) {
            if (selectionsReported.add(spec.name())) {
                problems.add(TemplateMessages.otherBuilderType(d.sites().at(d.sites().written("only") ? "only"
                        : "builder"), spec, chosen));
            }
            return Optional.empty();
        }
        Connector connector = connectors.computeIfAbsent(spec.name() + "\n" + chosen.name(), k -> new Connector(
                template, chosen, spec.variablesMap(), spec.setFields(), spec.instanceSize(), spec.vcpus()));
        Connector.Result result = connector.connect(build, planValues, sensitive);
        for (Connector.Gap gap : result.gaps()) {
            String key = spec.name() + "\n" + gap.role();
            Reported r = gaps.get(key);
            if (r == null) {
                gaps.put(key, new Reported(gap, spec.name(), d.sites().self(), chosen.name(),
                        build.target().key() + " " + build.environment()));
            } else {
                r.more++;
            }
        }
        return Optional.of(result);
    }

    /**
     * Values a template cannot take: a list or map for a JSON template (whose variables are text), a
     * value that does not fit an HCL2 variable's type. Each reported once per image and variable.
     */
    private void checkValues(PackerTemplate template, PlanDraft.ImageDraft d, Map<String, Object> values) {
        boolean json = template.format() == dev.kiln.template.TemplateFormat.JSON;
        for (Map.Entry<String, Object> v : values.entrySet()) {
            String name = v.getKey();
            Optional<String> misfit;
            String declared = template.variable(name).map(t -> t.type()).orElse(null);
            if (json) {
                misfit = Values.isScalar(v.getValue()) ? Optional.empty()
                        : Optional.of((v.getValue() instanceof List<?> ? "a list" : "a map") + ", and a JSON"
                                + " template's variables are text; write it as text (e.g. comma-separated), or"
                                + " use an HCL2 template");
            } else {
                misfit = VariableTypes.misfit(v.getValue(), declared);
            }
            if (misfit.isPresent() && valuesReported.add(d.spec().name() + "\n" + name)) {
                Site site = d.sites().written(Node.child("variables", name))
                        ? d.sites().at(Node.child("variables", name)) : d.sites().at("variables");
                String where = template.variable(name).map(t -> " (declared " + (t.type() == null ? ""
                        : t.type() + " ") + "at " + t.position() + ")").orElse("");
                problems.add(Messages.badFormat(site, name, "the template's variable " + name + where
                        + " cannot take the plan's value: " + misfit.get() + (site.field().endsWith(".variables")
                        ? " (it comes from a var file or a target's or environment's variables)" : "")));
            }
        }
    }

    /**
     * Whether each variable {@code variables_map} names is a variable of the template that the plan does
     * not also set; reports each that is not. Checked once per image: later builds repeat the answer.
     */
    private boolean mappingOk(PackerTemplate template, PlanDraft.ImageDraft d, Set<String> planned) {
        boolean ok = true;
        List<String> declared = template.variables().stream().map(v -> v.name()).toList();
        for (Map.Entry<String, String> m : d.spec().variablesMap().entrySet()) {
            Site site = d.sites().at(Node.child("variables_map", m.getKey()));
            if (template.variable(m.getValue()).isEmpty()) {
                problems.add(TemplateMessages.mappedVariableMissing(site, m.getValue(), d.templateAsWritten(),
                        Suggest.closest(m.getValue(), declared), declared));
                ok = false;
            } else if (planned.contains(m.getValue())) {
                problems.add(TemplateMessages.mappedVariableSet(site, m.getKey(), m.getValue()));
                ok = false;
            }
        }
        if (!ok) {
            badMappings.add(d.spec().name());
        }
        return ok;
    }

    /**
     * The build {@code only} names; when the plan does not write {@code only} (it is the builder type by
     * default), the template's one build of that type.
     */
    private static Selection select(List<Selection> all, ImageSpec spec, boolean onlyWritten) {
        List<Selection> named = all.stream().filter(s -> spec.only().equals(s.name())).toList();
        if (named.size() == 1) {
            return named.get(0);
        }
        if (!onlyWritten && spec.only().equals(spec.builderType())) {
            List<Selection> ofType = all.stream().filter(s -> s.type().equals(spec.builderType())).toList();
            return ofType.size() == 1 ? ofType.get(0) : null;
        }
        return null;
    }

    private static dev.kiln.plan.Problem noSuchBuild(PlanDraft.ImageDraft d, List<Selection> all) {
        ImageSpec spec = d.spec();
        boolean onlyWritten = d.sites().written("only");
        List<Selection> ofType = all.stream().filter(s -> s.type().equals(spec.builderType())).toList();
        if (!onlyWritten && ofType.size() > 1) {
            return TemplateMessages.severalBuilds(d.sites().at("builder"), d.templateAsWritten(), spec.builderType(),
                    ofType);
        }
        Site site = d.sites().at(onlyWritten ? "only" : "builder");
        List<String> names = all.stream().filter(s -> s.name() != null).map(Selection::name).toList();
        return TemplateMessages.noSuchBuild(site, d.templateAsWritten(), spec.only(), all,
                Suggest.closest(spec.only(), names));
    }

    /** Adds one problem per image and role that did not connect. */
    void report() {
        for (Reported r : gaps.values()) {
            problems.add(TemplateMessages.gap(r.gap, r.image, r.site, r.build, r.target, r.more));
        }
    }
}
