package dev.kiln.internal.plan;

import dev.kiln.template.BuildSource;
import dev.kiln.template.Evaluation;
import dev.kiln.template.Expression;
import dev.kiln.template.PackerTemplate;
import dev.kiln.template.StaticEvaluator;
import dev.kiln.template.TemplateBuild;
import dev.kiln.template.TemplateFormat;
import dev.kiln.template.TemplatePosition;
import dev.kiln.template.TemplateSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One build of a template, as packer names it for {@code -only=}: a JSON builder (its name), or an
 * HCL2 source as a build block uses it ({@code type.name}, or {@code build.type.name} when the build
 * block has a name, as packer 1.6.6 names it), with the fields the build block overrides.
 *
 * @param name         the build name {@code -only=} selects
 * @param source       the source (builder)
 * @param use          how the build block uses it (its overrides), or null for a JSON builder
 * @param build        the build block (a JSON template's one implicit build)
 * @param builderIndex the builder's index in a JSON template's {@code builders}, -1 in HCL2
 * @param unknownName  why a JSON builder's templated name cannot be known before packer runs, or null
 */
record Selection(String name, TemplateSource source, BuildSource use, TemplateBuild build, int builderIndex,
                 String unknownName) {

    /**
     * Every build of {@code template}, in written order, named as packer names it: a JSON builder's
     * {@code name} rendered by {@code evaluator} (null when it cannot be known before packer runs;
     * {@link #unknownName} then says why).
     */
    static List<Selection> all(PackerTemplate template, StaticEvaluator evaluator) {
        List<Selection> out = new ArrayList<>();
        if (template.format() == TemplateFormat.JSON) {
            TemplateBuild build = template.builds().isEmpty() ? null : template.builds().get(0);
            for (int i = 0; i < template.sources().size(); i++) {
                TemplateSource s = template.sources().get(i);
                Optional<Expression> written = s.body().attribute("name").map(a -> a.value());
                String name = s.buildName();
                String unknown = null;
                if (written.isPresent() && !written.get().isLiteral()) {
                    Evaluation e = evaluator.evaluate(written.get());
                    if (e instanceof Evaluation.Known k && k.value() instanceof String rendered) {
                        name = rendered;
                    } else {
                        name = null;
                        unknown = e instanceof Evaluation.Unknown u ? u.explanation() : "is not text";
                    }
                }
                out.add(new Selection(name, s, null, build, i, unknown));
            }
            return out;
        }
        for (TemplateBuild build : template.builds()) {
            for (BuildSource use : build.sources()) {
                template.sources().stream()
                        .filter(s -> s.type().equals(use.type()) && s.name().equals(use.name()))
                        .findFirst()
                        .ifPresent(s -> out.add(new Selection((build.name() == null ? "" : build.name() + ".")
                                + s.type() + "." + s.name(), s, use, build, -1, null)));
            }
        }
        return out;
    }

    /** The builder's type. */
    String type() {
        return source.type();
    }

    /** The field at a dotted path as this build sees it: the build block's override, else the source's. */
    Optional<Expression> field(String path) {
        if (use != null) {
            Optional<Expression> overridden = use.overrides().field(path);
            if (overridden.isPresent()) {
                return overridden;
            }
        }
        return source.field(path);
    }

    /** Every value at a dotted path (see {@link dev.kiln.template.TemplateBody#fields}), override first. */
    List<Expression> fields(String path) {
        if (use != null) {
            List<Expression> overridden = use.overrides().fields(path);
            if (!overridden.isEmpty()) {
                return overridden;
            }
        }
        return source.body().fields(path);
    }

    /** How the build is written for a message: its name (or written name) and type. */
    String describe() {
        Optional<String> templated = builderIndex < 0 ? Optional.empty() : source.body().attribute("name")
                .filter(a -> !a.value().isLiteral()).map(a -> a.text().strip());
        String shown = name != null ? name + templated.map(t -> " (" + t + ")").orElse("")
                : templated.orElse(source.name()) + " (which Kiln cannot render: " + unknownName + ")";
        return shown + " [" + type() + "]";
    }

    /** Where the build is declared: the source block, or the JSON builder. */
    TemplatePosition position() {
        return source.position();
    }
}
