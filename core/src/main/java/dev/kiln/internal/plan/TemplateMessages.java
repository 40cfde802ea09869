package dev.kiln.internal.plan;

import dev.kiln.plan.Connection.Role;
import dev.kiln.plan.Problem;
import dev.kiln.plan.SourceLocation;
import dev.kiln.plan.ImageSpec;
import dev.kiln.template.BuilderCatalog;
import dev.kiln.template.BuilderProfile;
import dev.kiln.template.TemplatePosition;
import dev.kiln.template.TemplateProblem;
import dev.kiln.template.TemplateSource;
import java.util.List;
import java.util.Optional;

/**
 * The messages a plan is refused with when its templates do not fit it: a template Kiln cannot read,
 * a build the plan names that the template lacks, and a build whose region, name, build id or instance
 * size would not reach packer, each at the template's file:line with the fix. Tests assert these texts.
 */
final class TemplateMessages {

    private TemplateMessages() {
    }

    static SourceLocation location(TemplatePosition p) {
        return new SourceLocation(p.file(), p.line(), p.column());
    }

    /** A problem of the template itself, where it is written, for the image that uses it. */
    static Problem unreadable(TemplateProblem p, Site image) {
        return new Problem(location(p.position()), image.field(), null, p.found() + " — " + p.allowed());
    }

    /** A role of one image that would not reach the builder. */
    static Problem gap(Connector.Gap gap, String image, Site imageSite, String build, String target, int more) {
        String field = (gap.field().isEmpty() ? "builder" : gap.field()) + " of image '" + image + "' (" + build
                + ", " + imageSite.field() + " at " + imageSite.at() + ")";
        String builds = more == 0 ? "" : " (and " + more + " more build" + (more == 1 ? "" : "s") + " of the image)";
        return new Problem(location(gap.at()), field, gap.written(), "on " + target + builds + ": " + gap.problem()
                + ". Fix: " + gap.fix());
    }

    static String readKiln(boolean json, String field, String variable, Role role, boolean zone) {
        String value = zone ? (json ? "{{user `" + variable + "`}}-b" : "${var." + variable + "}-b")
                : (json ? "{{user `" + variable + "`}}" : null);
        String write = json ? "write \"" + field + "\": \"" + value + "\" in the builder"
                : "write " + field + " = " + (zone ? "\"" + value + "\"" : "var." + variable) + " in the source"
                        + " (and declare variable \"" + variable + "\" { type = string })";
        return write + (json && !zone ? ", or let Kiln write it: set_fields: [" + role.key() + "] in the plan's image"
                : "");
    }

    static String fix(boolean json, String field, String kilnVariable, Role role, String onlyVariable, boolean zone) {
        if (zone) {
            return (onlyVariable == null ? "" : "give " + onlyVariable + " a zone of each target's region in the"
                    + " plan, e.g. variables: { " + onlyVariable + ": \"{region}-b\" }, or ")
                    + readKiln(json, field, kilnVariable, role, true);
        }
        String map = onlyVariable == null ? "" : "map the template's variable in the plan's image: variables_map: { "
                + role.key() + ": " + onlyVariable + " }; or ";
        return map + readKiln(json, field, kilnVariable, role, false);
    }

    static String zoneFix(boolean json) {
        return "set zone from a variable the plan gives per target, e.g. variables: { zone: \"{region}-b\" }, or "
                + readKiln(json, "zone", "kiln_region", Role.REGION, true);
    }

    static String tagFix(boolean json, String tagField, String key) {
        String path = String.join(" and ", java.util.Arrays.stream(tagField.split(" and "))
                .map(f -> f.contains(".") ? f.substring(0, f.lastIndexOf('.')) + "[]." + f.substring(f.lastIndexOf('.') + 1)
                        : f).toList());
        return json ? "add \"" + key + "\": \"{{user `kiln_build_id`}}\" to " + path + ", or let Kiln add it:"
                + " set_fields: [build_id] in the plan's image"
                : "add \"" + key + "\" = var.kiln_build_id to " + path + " (and declare variable \"kiln_build_id\""
                        + " { type = string })";
    }

    static String instanceFix(boolean json, String field, String onlyVariable, String planned) {
        return (onlyVariable == null ? "" : "map it in the plan's image: variables_map: { instance: " + onlyVariable
                + " }; or ") + "remove instance: " + planned + " from the plan to build on the template's size; or "
                + readKiln(json, field, "kiln_instance", Role.INSTANCE, false);
    }

    static String vsphereTagFix(boolean json) {
        String id = json ? "{{user `kiln_build_id`}}" : "${var.kiln_build_id}";
        String name = json ? "{{user `kiln_image_name`}}" : "${var.kiln_image_name}";
        return "tag the VM from the template: a shell-local post-processor running govc tags.attach -c kiln-build-id "
                + id + " vm/<folder>/" + name + " (after govc tags.category.create and tags.create if missing; see"
                + " docs/providers/vsphere.md)";
    }

    /** A builder type packer 1.6.6 does not have, written in the template. */
    static Problem unknownBuilderInTemplate(TemplateSource source, String didYouMean, Site image) {
        return new Problem(location(source.position()), image.field(), source.type(), "unknown builder type"
                + (didYouMean == null ? "" : "; did you mean '" + didYouMean + "'?") + " packer has no builder"
                + " '" + source.type() + "' and refuses the whole template");
    }

    /** A builder type packer does not have, named by the plan. */
    static Problem unknownBuilder(Site site, String type, String didYouMean) {
        return new Problem(site.at(), site.field(), type, "unknown builder type" + (didYouMean == null ? ""
                : "; did you mean '" + didYouMean + "'?") + " Kiln runs " + String.join(", ",
                BuilderCatalog.supported().stream().map(BuilderProfile::type).toList()) + ", and null (packer's null"
                + " builder, on any target)");
    }

    /** A builder that does not build on a provider the image has targets of. */
    static Problem wrongProvider(Site site, String image, String type, String buildsOn, String provider,
                                 String target) {
        return new Problem(site.at(), site.field(), type, "image '" + image + "' cannot build on " + provider
                + " targets (" + target + "): " + type + " builds on " + buildsOn + "; choose a builder of "
                + provider + " (" + String.join(", ", BuilderCatalog.supported().stream()
                .filter(p -> p.providerId().equals(provider)).map(BuilderProfile::type).toList()) + "), or name"
                + " the image's providers: so it skips them");
    }

    /** The build only names is of another builder type than the plan's builder. */
    static Problem otherBuilderType(Site site, ImageSpec spec, Selection chosen) {
        return new Problem(site.at(), site.field(), spec.only(), "selects " + chosen.describe() + ", a "
                + chosen.type() + " build, but the image's builder is " + spec.builderType() + "; make them"
                + " agree");
    }

    /** {@code only} (or the builder type) names no build of the template. */
    static Problem noSuchBuild(Site site, String template, String only, List<Selection> all,
                               Optional<String> didYouMean) {
        String builds = all.isEmpty() ? "it has none" : "its builds: " + String.join(", ", all.stream()
                .map(Selection::describe).toList());
        return new Problem(site.at(), site.field(), only, "names no build of " + template
                + didYouMean.map(m -> "; did you mean '" + m + "'?").orElse("") + " (" + builds + "). packer's"
                + " -only= would build nothing and report no artifact; write only: with the build's name (HCL2:"
                + " type.name, or build.type.name for a named build block)");
    }

    /** No {@code only}, and the template has several builds of the type. */
    static Problem severalBuilds(Site site, String template, String type, List<Selection> ofType) {
        return new Problem(site.at(), site.field(), type, template + " has " + ofType.size() + " " + type
                + " builds (" + String.join(", ", ofType.stream().map(Selection::describe).toList()) + "); say"
                + " which with only:");
    }

    static Problem mappedVariableMissing(Site site, String variable, String template, Optional<String> didYouMean,
                                         List<String> declared) {
        return new Problem(site.at(), site.field(), variable, "is not a variable of " + template
                + didYouMean.map(m -> "; did you mean '" + m + "'?").orElse("") + " (it declares "
                + (declared.isEmpty() ? "none" : String.join(", ", declared)) + "); Kiln would set a variable no"
                + " field reads");
    }

    static Problem mappedVariableSet(Site site, String role, String variable) {
        return new Problem(site.at(), site.field(), variable, "variables_map has Kiln set " + variable + " to each"
                + " build's " + role + ", and the plan's variables set it too; remove it from variables");
    }
}
