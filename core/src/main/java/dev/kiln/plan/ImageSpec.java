package dev.kiln.plan;

import dev.kiln.naming.NameTemplate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One image a plan builds, before it is multiplied by targets and environments.
 *
 * @param name             short name, used in job ids and {@code {image}}
 * @param template         the packer template (JSON or HCL), absolute
 * @param builderType      packer builder type, e.g. {@code amazon-ebs}, {@code null}
 * @param only             what {@code packer build -only=} selects: a build name of the template; when it is
 *                         the builder type (the default), the planner takes the template's one build of
 *                         that type
 * @param instanceSize     instance type / VM size / machine type, or null when the plan gives none (the
 *                         planner then takes the template's)
 * @param variables        template variables: {@link String}, {@link java.math.BigDecimal}, {@link Boolean},
 *                         or lists and maps of these; strings may hold the placeholders {@code {region}},
 *                         {@code {env}}, {@code {image}}, {@code {image_name}}, {@code {build_id}},
 *                         {@code {account}}, {@code {provider}} and {@code {instance}}, rendered per build.
 *                         Sensitive ones are listed in {@code sensitive}
 * @param sensitive        names of variables whose values must never be shown
 * @param nameTemplate     how the image is named
 * @param providers        providers this image builds for; empty means every target
 * @param priority         higher starts first
 * @param timeout          the longest one build may run before it is killed
 * @param expectedDuration how long a build usually takes, or null to use the provider's cost model
 * @param dependsOn        images that must succeed first, on the same account and environment
 * @param diskGb           disk per build instance
 * @param vcpus            vCPUs per build instance, or null to ask the provider from the instance size
 * @param varFiles         variable files (JSON or {@code .pkrvars.hcl}), absolute, read in order before
 *                         {@code variables}; their paths may hold the same placeholders
 * @param variablesMap     template variables that carry what Kiln controls, by role key ({@code region},
 *                         {@code image_name}, {@code build_id}, {@code instance}; see {@link Connection.Role}):
 *                         Kiln sets each to the build's value
 * @param setFields        role keys whose builder fields Kiln writes itself in each build's copy of a JSON
 *                         template
 * @param workingDirectory the directory packer runs in, a copy of which each build gets; null for the
 *                         template's own directory (the folder, for a folder template)
 * @param location         where the image was declared
 */
public record ImageSpec(String name, Path template, String builderType, String only, String instanceSize,
                        Map<String, Object> variables, Set<String> sensitive, NameTemplate nameTemplate,
                        Set<String> providers, int priority, Duration timeout, Duration expectedDuration,
                        List<String> dependsOn, int diskGb, Integer vcpus, List<Path> varFiles,
                        Map<String, String> variablesMap, Set<String> setFields, Path workingDirectory,
                        SourceLocation location) {

    public ImageSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(builderType, "builderType");
        only = only == null ? builderType : only;
        variables = dev.kiln.internal.plan.Values.copy(variables);
        sensitive = Set.copyOf(sensitive);
        nameTemplate = nameTemplate == null ? NameTemplate.parse(NameTemplate.DEFAULT) : nameTemplate;
        providers = Set.copyOf(providers);
        timeout = timeout == null ? Duration.ofHours(2) : timeout;
        dependsOn = List.copyOf(dependsOn);
        varFiles = varFiles == null ? List.of() : List.copyOf(varFiles);
        variablesMap = variablesMap == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variablesMap));
        setFields = setFields == null ? Set.of() : Set.copyOf(setFields);
        location = location == null ? SourceLocation.IN_CODE : location;
    }

    /**
     * Like a record's string form, with the values of sensitive variables masked: specs (and the
     * jobs holding them) end up in logs and exception messages.
     */
    @Override
    public String toString() {
        Map<String, Object> shown = new LinkedHashMap<>();
        variables.forEach((k, v) -> shown.put(k, sensitive.contains(k) ? "****" : v));
        return "ImageSpec[name=" + name + ", template=" + template + ", builderType=" + builderType + ", only=" + only
                + ", instanceSize=" + instanceSize + ", variables=" + shown + ", sensitive="
                + new java.util.TreeSet<>(sensitive) + ", nameTemplate=" + nameTemplate + ", providers="
                + new java.util.TreeSet<>(providers) + ", priority=" + priority + ", timeout=" + timeout
                + ", expectedDuration=" + expectedDuration + ", dependsOn=" + dependsOn + ", diskGb=" + diskGb
                + ", vcpus=" + vcpus + ", varFiles=" + varFiles + ", variablesMap=" + variablesMap + ", setFields="
                + new java.util.TreeSet<>(setFields) + ", workingDirectory=" + workingDirectory + ", location="
                + location + "]";
    }

    /** Starts an image named {@code name} built by {@code builderType} from {@code template}. */
    public static Builder builder(String name, Path template, String builderType) {
        return new Builder(name, template, builderType);
    }

    /** Builds an {@link ImageSpec} in code; not thread-safe. */
    public static final class Builder {
        private final String name;
        private final Path template;
        private final String builderType;
        private String only;
        private String instanceSize;
        private final Map<String, Object> variables = new LinkedHashMap<>();
        private final java.util.Set<String> sensitive = new java.util.LinkedHashSet<>();
        private NameTemplate nameTemplate;
        private final java.util.Set<String> providers = new java.util.LinkedHashSet<>();
        private int priority;
        private Duration timeout;
        private Duration expectedDuration;
        private final java.util.List<String> dependsOn = new java.util.ArrayList<>();
        private int diskGb = 8;
        private Integer vcpus;
        private final List<Path> varFiles = new java.util.ArrayList<>();
        private final Map<String, String> variablesMap = new LinkedHashMap<>();
        private final java.util.Set<String> setFields = new java.util.LinkedHashSet<>();
        private Path workingDirectory;

        private Builder(String name, Path template, String builderType) {
            this.name = name;
            this.template = template;
            this.builderType = builderType;
        }

        public Builder only(String only) {
            this.only = only;
            return this;
        }

        public Builder instanceSize(String size) {
            this.instanceSize = size;
            return this;
        }

        public Builder variable(String key, String value) {
            variables.put(key, value);
            return this;
        }

        /** A typed variable: a number, a bool, or a list or map of values (for HCL2 templates). */
        public Builder variable(String key, Object value) {
            variables.put(key, value);
            return this;
        }

        /** A variable file read before the variables; its path may hold placeholders such as {@code {env}}. */
        public Builder varFile(Path file) {
            varFiles.add(file);
            return this;
        }

        /** Kiln sets template variable {@code variable} to the build's value of {@code role}. */
        public Builder mapVariable(Connection.Role role, String variable) {
            variablesMap.put(role.key(), variable);
            return this;
        }

        /** Kiln writes the builder's fields for {@code roles} in each build's copy of the (JSON) template. */
        public Builder setFields(Connection.Role... roles) {
            for (Connection.Role r : roles) {
                setFields.add(r.key());
            }
            return this;
        }

        /** The directory packer runs in (a copy per build); by default the template's directory. */
        public Builder workingDirectory(Path dir) {
            this.workingDirectory = dir;
            return this;
        }

        public Builder sensitiveVariable(String key, String value) {
            variables.put(key, value);
            sensitive.add(key);
            return this;
        }

        public Builder nameTemplate(String template) {
            this.nameTemplate = NameTemplate.parse(template);
            return this;
        }

        public Builder providers(String... ids) {
            providers.addAll(List.of(ids));
            return this;
        }

        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder expectedDuration(Duration duration) {
            this.expectedDuration = duration;
            return this;
        }

        public Builder dependsOn(String... images) {
            dependsOn.addAll(List.of(images));
            return this;
        }

        public Builder diskGb(int gb) {
            this.diskGb = gb;
            return this;
        }

        public Builder vcpus(int vcpus) {
            this.vcpus = vcpus;
            return this;
        }

        public ImageSpec build() {
            return new ImageSpec(name, template, builderType, only, instanceSize, variables, sensitive,
                    nameTemplate, providers, priority, timeout, expectedDuration, dependsOn, diskGb, vcpus,
                    varFiles, variablesMap, setFields, workingDirectory, SourceLocation.IN_CODE);
        }
    }
}
