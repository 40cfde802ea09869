package dev.kiln.internal.plan;

import dev.kiln.plan.Connection.Role;
import dev.kiln.plan.ImageSpec;
import dev.kiln.template.PackerTemplate;
import dev.kiln.template.TemplateException;
import dev.kiln.template.TemplateProblem;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The templates of one plan as the planner uses them: each read once (a template Kiln cannot read is
 * reported at its own file:line), each image's build selected in it, and every build connected, its
 * gaps reported once per image and role with the count of builds they concern.
 */
final class PlanTemplates {

    private final Problems problems;
    private final Map<Path, Optional<PackerTemplate>> read = new HashMap<>();
    private final Map<String, Reported> gaps = new LinkedHashMap<>();

    PlanTemplates(Problems problems) {
        this.problems = problems;
    }

    /** An image's template and the build of it the image runs. */
    record Use(PackerTemplate template, Selection selection, Connector connector) {
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

    /** The template at {@code path}, read once; empty when it cannot be read (reported, for the image at {@code site}). */
    Optional<PackerTemplate> template(Path path, Site site) {
        return read.computeIfAbsent(path.toAbsolutePath().normalize(), p -> {
            try {
                return Optional.of(PackerTemplate.read(p));
            } catch (TemplateException e) {
                for (TemplateProblem problem : e.problems()) {
                    problems.add(TemplateMessages.unreadable(problem, site));
                }
                return Optional.empty();
            }
        });
    }

    /** How {@code spec} uses its template: empty when the template cannot be read or lacks the build (reported). */
    Optional<Use> use(PlanDraft.ImageDraft d) {
        ImageSpec spec = d.spec();
        Optional<PackerTemplate> template = template(spec.template(), d.sites().at("template"));
        if (template.isEmpty()) {
            return Optional.empty();
        }
        PackerTemplate t = template.get();
        List<Selection> all = Selection.all(t);
        List<Selection> named = all.stream().filter(s -> s.name().equals(spec.only())).toList();
        Selection chosen = named.size() == 1 ? named.get(0) : null;
        if (chosen == null && spec.only().equals(spec.builderType())) {
            List<Selection> ofType = all.stream().filter(s -> s.type().equals(spec.builderType())).toList();
            chosen = ofType.size() == 1 ? ofType.get(0) : null;
        }
        if (chosen == null) {
            problems.add(Messages.badFormat(d.sites().at(d.sites().written("only") ? "only" : "builder"),
                    spec.only(), "a build of " + d.templateAsWritten() + " ("
                            + (all.isEmpty() ? "it has none" : "it has " + String.join(", ", all.stream()
                            .map(s -> s.name() + " (" + s.type() + ")").toList())) + ")"));
            return Optional.empty();
        }
        return Optional.of(new Use(t, chosen, new Connector(t, chosen, spec.variablesMap(), spec.setFields(),
                spec.instanceSize(), spec.vcpus())));
    }

    /** Connects one build of an image; its gaps are kept for {@link #report()}. */
    Connector.Result connect(Use use, PlanDraft.ImageDraft d, Connector.Build build, Map<String, Object> planValues,
                             Set<String> sensitive) {
        Connector.Result result = use.connector().connect(build, planValues, sensitive);
        for (Connector.Gap gap : result.gaps()) {
            String key = d.spec().name() + "\n" + gap.role();
            Reported r = gaps.get(key);
            if (r == null) {
                gaps.put(key, new Reported(gap, d.spec().name(), d.sites().self(), use.selection().name(),
                        build.target().key() + " " + build.environment()));
            } else {
                r.more++;
            }
        }
        return result;
    }

    /** Adds one problem per image and role that did not connect. */
    void report() {
        for (Reported r : gaps.values()) {
            problems.add(TemplateMessages.gap(r.gap, r.image, r.site, r.build, r.target, r.more));
        }
    }

    /** Whether a role of any build did not connect. */
    boolean anyGap(Role role) {
        return gaps.values().stream().anyMatch(r -> r.gap.role() == role);
    }
}
