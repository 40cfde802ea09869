package dev.kiln.internal.plan;

import dev.kiln.plan.Connection.Role;
import dev.kiln.plan.Problem;
import dev.kiln.plan.SourceLocation;
import dev.kiln.template.TemplatePosition;
import dev.kiln.template.TemplateProblem;

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
}
