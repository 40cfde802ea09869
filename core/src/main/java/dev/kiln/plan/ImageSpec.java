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
 * @param only             what {@code packer build -only=} selects; the builder's name in the template
 * @param instanceSize     instance type / VM size / machine type, or null when the builder has none
 * @param variables        {@code -var-file} values; sensitive ones listed in {@code sensitive}
 * @param sensitive        names of variables whose values must never be shown
 * @param nameTemplate     how the image is named
 * @param providers        providers this image builds for; empty means every target
 * @param priority         higher starts first
 * @param timeout          the longest one build may run before it is killed
 * @param expectedDuration how long a build usually takes, or null to use the provider's cost model
 * @param dependsOn        images that must succeed first, on the same account and environment
 * @param diskGb           disk per build instance
 * @param vcpus            vCPUs per build instance, or null to ask the provider from the instance size
 * @param location         where the image was declared
 */
public record ImageSpec(String name, Path template, String builderType, String only, String instanceSize,
                        Map<String, String> variables, Set<String> sensitive, NameTemplate nameTemplate,
                        Set<String> providers, int priority, Duration timeout, Duration expectedDuration,
                        List<String> dependsOn, int diskGb, Integer vcpus, SourceLocation location) {

    public ImageSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(builderType, "builderType");
        only = only == null ? builderType : only;
        variables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        sensitive = Set.copyOf(sensitive);
        nameTemplate = nameTemplate == null ? NameTemplate.parse(NameTemplate.DEFAULT) : nameTemplate;
        providers = Set.copyOf(providers);
        timeout = timeout == null ? Duration.ofHours(2) : timeout;
        dependsOn = List.copyOf(dependsOn);
        location = location == null ? SourceLocation.IN_CODE : location;
    }

    /**
     * Like a record's string form, with the values of sensitive variables masked: specs (and the
     * jobs holding them) end up in logs and exception messages.
     */
    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>();
        variables.forEach((k, v) -> shown.put(k, sensitive.contains(k) ? "****" : v));
        return "ImageSpec[name=" + name + ", template=" + template + ", builderType=" + builderType + ", only=" + only
                + ", instanceSize=" + instanceSize + ", variables=" + shown + ", sensitive="
                + new java.util.TreeSet<>(sensitive) + ", nameTemplate=" + nameTemplate + ", providers="
                + new java.util.TreeSet<>(providers) + ", priority=" + priority + ", timeout=" + timeout
                + ", expectedDuration=" + expectedDuration + ", dependsOn=" + dependsOn + ", diskGb=" + diskGb
                + ", vcpus=" + vcpus + ", location=" + location + "]";
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
        private final Map<String, String> variables = new LinkedHashMap<>();
        private final java.util.Set<String> sensitive = new java.util.LinkedHashSet<>();
        private NameTemplate nameTemplate;
        private final java.util.Set<String> providers = new java.util.LinkedHashSet<>();
        private int priority;
        private Duration timeout;
        private Duration expectedDuration;
        private final java.util.List<String> dependsOn = new java.util.ArrayList<>();
        private int diskGb = 8;
        private Integer vcpus;

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
                    SourceLocation.IN_CODE);
        }
    }
}
