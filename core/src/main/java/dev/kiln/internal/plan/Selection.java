package dev.kiln.internal.plan;

import dev.kiln.template.BuildSource;
import dev.kiln.template.Expression;
import dev.kiln.template.PackerTemplate;
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
 */
record Selection(String name, TemplateSource source, BuildSource use, TemplateBuild build, int builderIndex) {

    /** Every build of {@code template}, in written order, named as packer names it (JSON names unrendered). */
    static List<Selection> all(PackerTemplate template) {
        List<Selection> out = new ArrayList<>();
        if (template.format() == TemplateFormat.JSON) {
            TemplateBuild build = template.builds().isEmpty() ? null : template.builds().get(0);
            for (int i = 0; i < template.sources().size(); i++) {
                TemplateSource s = template.sources().get(i);
                out.add(new Selection(s.buildName(), s, null, build, i));
            }
            return out;
        }
        for (TemplateBuild build : template.builds()) {
            for (BuildSource use : build.sources()) {
                template.sources().stream()
                        .filter(s -> s.type().equals(use.type()) && s.name().equals(use.name()))
                        .findFirst()
                        .ifPresent(s -> out.add(new Selection((build.name() == null ? "" : build.name() + ".")
                                + s.type() + "." + s.name(), s, use, build, -1)));
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

    /** Where the build is declared: the source block, or the JSON builder. */
    TemplatePosition position() {
        return source.position();
    }
}
