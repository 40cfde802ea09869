package dev.kiln.plan;

import dev.kiln.template.TemplatePosition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How one build reaches packer: the build of its template that {@code packer build -only=} selects,
 * the variables Kiln hands it, the builder fields Kiln writes into the build's own copy of a JSON
 * template, and how the target's region, the build's unique image name, its build id and the instance
 * size Kiln reserves quota for each reach the builder ({@link Link}s). The planner makes one per
 * job after reading the template; a build that would not receive its target's region, its name or
 * its build id is refused when the plan is read, so a connection of a planned job is complete.
 *
 * @param build        the build name {@code -only=} selects ({@code amazon-ebs.ubuntu}, {@code base.null.app},
 *                     the JSON builder's rendered name)
 * @param builderType  the selected builder's type as the template writes it ({@code null} for a stand-in)
 * @param variables    the template variables of this build (the plan's, its var files', the mapped ones),
 *                     typed as {@link dev.kiln.template.VariableFile.Value#value()}; Kiln's own {@code kiln_*}
 *                     variables are added when the build starts
 * @param sensitive    names of variables whose values are secret: the plan's {@code sensitive} and the
 *                     template's sensitive variables
 * @param builderIndex the selected builder's index in a JSON template's {@code builders}, -1 for HCL2
 * @param fields       builder fields Kiln sets in the build's copy of a JSON template, by dotted path; empty
 *                     when Kiln rewrites nothing
 * @param links        how each {@link Role} reaches the builder, in {@link Role} order
 */
public record Connection(String build, String builderType, Map<String, Object> variables, Set<String> sensitive,
        int builderIndex, Map<String, Object> fields, List<Link> links) {

    public Connection {
        Objects.requireNonNull(build, "build");
        Objects.requireNonNull(builderType, "builderType");
        variables = dev.kiln.internal.plan.Values.copy(variables);
        sensitive = Set.copyOf(sensitive);
        fields = dev.kiln.internal.plan.Values.copy(fields);
        links = List.copyOf(links);
    }

    /**
     * The connection of a job made in code ({@link BuildJob}'s short constructor): the image's
     * {@code only} and variables as given, no template read, nothing known about how its values reach
     * the builder.
     */
    public static Connection unchecked(ImageSpec image) {
        return new Connection(image.only(), image.builderType(), image.variables(), image.sensitive(), -1, Map.of(),
                List.of());
    }

    /** Like a record's string form, with the values of sensitive variables masked: jobs end up in logs. */
    @Override
    public String toString() {
        Map<String, Object> shown = new LinkedHashMap<>();
        variables.forEach((k, v) -> shown.put(k, sensitive.contains(k) ? "****" : v));
        return "Connection[build=" + build + ", builderType=" + builderType + ", variables=" + shown + ", sensitive="
                + new java.util.TreeSet<>(sensitive) + ", builderIndex=" + builderIndex + ", fields=" + fields
                + ", links=" + links + "]";
    }

    /** How {@code role} reaches the builder, when the template was read. */
    public Optional<Link> link(Role role) {
        return links.stream().filter(l -> l.role() == role).findFirst();
    }

    /**
     * One line: the build, then each role and how it arrives, e.g. {@code amazon-ebs: region ←
     * kiln_region; ami_name ← ami_name (variables_map); tags.kiln:build-id ← kiln_build_id; instance_type
     * t3.small ← the plan's instance (kiln_instance)}.
     */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Link l : links) {
            parts.add(l.describe());
        }
        return "-only=" + build + (builderType.equals("null") ? " (null builder)" : "")
                + (parts.isEmpty() ? "" : ": " + String.join("; ", parts));
    }

    /** What Kiln must get to the builder for every build. */
    public enum Role {
        /** The target's region (location, zone, host or cluster). */
        REGION,
        /** The build's unique image name, as Kiln rendered, checked and reserved it. */
        IMAGE_NAME,
        /** The build id, as the tag (label) Kiln verifies artifacts and sweeps failures by. */
        BUILD_ID,
        /** The instance size Kiln reserves quota for. */
        INSTANCE;

        /** The role as plans write it ({@code variables_map}, {@code set_fields}): {@code region}, {@code image_name}, ... */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The role a plan key names, if any. */
        public static Optional<Role> ofKey(String key) {
            for (Role r : values()) {
                if (r.key().equals(key)) {
                    return Optional.of(r);
                }
            }
            return Optional.empty();
        }
    }

    /** How a role's value gets to the builder. */
    public enum Via {
        /** The field reads Kiln's own variable ({@code kiln_region}, {@code kiln_image_name}, ...). */
        KILN_VARIABLE,
        /** The field reads a template variable the plan maps to the role ({@code variables_map}). */
        MAPPED_VARIABLE,
        /** The field reads template variables the plan sets, e.g. {@code zone: "{region}-b"}. */
        PLAN_VALUE,
        /** The template's own value is what Kiln plans with (an instance size written in the template). */
        TEMPLATE_VALUE,
        /** Kiln writes the field into the build's copy of the JSON template ({@code set_fields}). */
        SET_FIELD,
        /** The builder has no field for it; a provisioner or post-processor of the template reads it. */
        TEMPLATE_STEP,
        /** The template's builder is packer's null builder standing in for the real one: nothing to connect. */
        STAND_IN,
        /** Nothing is written and none is needed: packer's default (an instance size the plan does not give). */
        PACKER_DEFAULT
    }

    /**
     * How one role reaches the builder.
     *
     * @param role     the role
     * @param via      how
     * @param field    the builder field (dotted path, e.g. {@code tags.kiln:build-id}), or null when none
     * @param variable the variable the value travels in, or null
     * @param value    the value the builder gets for this build (the build id, the region...), or null
     * @param position where the field (or the step reading the value) is written, or null
     */
    public record Link(Role role, Via via, String field, String variable, String value, TemplatePosition position) {

        public Link {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(via, "via");
        }

        /** e.g. {@code region ← kiln_region}, {@code ami_name ← ami_name (variables_map)}. */
        public String describe() {
            String target = field == null ? role.key() : field;
            return switch (via) {
                case KILN_VARIABLE -> target + " ← " + variable;
                case MAPPED_VARIABLE -> target + " ← " + variable + " (variables_map)";
                case PLAN_VALUE -> target + " ← " + variable + " (the plan's value)";
                case TEMPLATE_VALUE -> target + " " + value + " (the template's; Kiln plans with it)";
                case SET_FIELD -> target + " set by Kiln in the build's copy of the template";
                case TEMPLATE_STEP -> role.key() + ": the builder has none; " + variable + " read by a step of the"
                        + " template";
                case STAND_IN -> role.key() + ": the null builder stands in";
                case PACKER_DEFAULT -> target + ": packer's default";
            };
        }
    }
}
