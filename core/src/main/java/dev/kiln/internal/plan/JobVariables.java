package dev.kiln.internal.plan;

import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.template.TemplateException;
import dev.kiln.template.TemplateProblem;
import dev.kiln.template.VariableFile;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The template variables of one build, as a team writes them: var files of the environment, the
 * target and the image, in that order, then the environment's, the target's and the image's own
 * variables, each later one winning, with the placeholders {@code {region}}, {@code {env}},
 * {@code {image}}, {@code {image_name}}, {@code {build_id}}, {@code {account}}, {@code {provider}} and
 * {@code {instance}} rendered for the build, in values and in var files' paths. Var files are read
 * once; every problem (a missing file, one Kiln cannot read, an unknown placeholder) is reported once.
 */
final class JobVariables {

    /** The placeholders variable values and var-file paths may use. */
    static final List<String> PLACEHOLDERS = List.of("region", "env", "image", "image_name", "build_id", "account",
            "provider", "instance");

    private static final Pattern PLACEHOLDER = Pattern.compile("(?<!\\{)\\{([A-Za-z_][A-Za-z0-9_]*)}(?!})");

    private final Path baseDir;
    private final Problems problems;
    private final Map<Path, Optional<VariableFile>> files = new HashMap<>();
    private final Set<String> reported = new HashSet<>();

    JobVariables(Path baseDir, Problems problems) {
        this.baseDir = baseDir;
        this.problems = problems;
    }

    /** What one build's placeholders stand for. */
    record Facts(ImageSpec image, Target target, String environment, String imageName, String buildId) {

        Map<String, String> values() {
            Map<String, String> v = new LinkedHashMap<>();
            v.put("region", target.region());
            v.put("env", environment);
            v.put("image", image.name());
            v.put("image_name", imageName);
            v.put("build_id", buildId);
            v.put("account", target.account());
            v.put("provider", target.provider());
            v.put("instance", image.instanceSize() == null ? "" : image.instanceSize());
            return v;
        }
    }

    /** Where a part of the plan wrote its variables: its inputs, and the sites of its fields. */
    record Part(Map<String, Object> variables, List<Path> varFiles, Sites sites) {
        static Part of(PlanDraft.Inputs inputs) {
            return inputs == null ? null : new Part(inputs.variables(), inputs.varFiles(), inputs.sites());
        }
    }

    /**
     * The variables of one build; the parts are the environment's, the target's and the image's (a
     * null part gives nothing).
     */
    Map<String, Object> of(Facts facts, List<Part> parts) {
        Map<String, String> placeholders = facts.values();
        Map<String, Object> out = new LinkedHashMap<>();
        for (Part part : parts) {
            if (part == null) {
                continue;
            }
            for (int i = 0; i < part.varFiles().size(); i++) {
                Site site = part.sites().at("var_files[" + i + "]");
                String written = part.varFiles().get(i).toString();
                String rendered = render(written, placeholders, site);
                read(rendered, written, site, facts).ifPresent(f -> f.values().forEach(v -> {
                    out.put(v.name(), v.value());
                    if (facts.image().sensitive().contains(v.name()) && v.value() instanceof String secret) {
                        problems.secret(secret);
                    }
                }));
            }
        }
        for (Part part : parts) {
            if (part == null) {
                continue;
            }
            for (Map.Entry<String, Object> v : part.variables().entrySet()) {
                Site site = part.sites().at(Node.child("variables", v.getKey()));
                out.put(v.getKey(), renderValue(v.getValue(), placeholders, site));
            }
        }
        return out;
    }

    private Object renderValue(Object value, Map<String, String> placeholders, Site site) {
        if (value instanceof String s) {
            return render(s, placeholders, site);
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(e -> out.add(renderValue(e, placeholders, site)));
            return out;
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, e) -> out.put(String.valueOf(k), renderValue(e, placeholders, site)));
            return out;
        }
        return value;
    }

    /** {@code text} with its placeholders filled in; an unknown one is reported and left as written. */
    private String render(String text, Map<String, String> placeholders, Site site) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = placeholders.get(name);
            if (value == null) {
                if (reported.add("placeholder\n" + site + "\n" + name)) {
                    problems.add(Messages.badFormat(site, text, "unknown placeholder {" + name + "}"
                            + Suggest.closest(name, PLACEHOLDERS).map(p -> "; did you mean {" + p + "}?").orElse("")
                            + " Placeholders in variables and var_files: " + String.join(", ",
                            PLACEHOLDERS.stream().map(p -> "{" + p + "}").toList())));
                }
                value = m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private Optional<VariableFile> read(String rendered, String written, Site site, Facts facts) {
        Path path;
        try {
            path = Path.of(rendered).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
        if (baseDir != null && !path.startsWith(baseDir.toAbsolutePath().normalize())) {
            if (reported.add("escapes\n" + path)) {
                problems.add(Messages.badFormat(site, written, "a var file under the plan's directory "
                        + baseDir.toAbsolutePath().normalize() + ", like templates; " + path + " is not"));
            }
            return Optional.empty();
        }
        if (!Files.isRegularFile(path)) {
            if (reported.add("missing\n" + path)) {
                String forBuild = rendered.equals(written) ? "" : " (for " + facts.target().key() + " "
                        + facts.environment() + ")";
                problems.add(Messages.badFormat(site, written, "a var file that exists; " + path + forBuild
                        + " does not"));
            }
            return Optional.empty();
        }
        return files.computeIfAbsent(path, p -> {
            try {
                return Optional.of(VariableFile.read(p));
            } catch (TemplateException e) {
                for (TemplateProblem problem : e.problems()) {
                    problems.add(new dev.kiln.plan.Problem(TemplateMessages.location(problem.position()),
                            site.field(), null, problem.found() + " — " + problem.allowed()));
                }
                return Optional.empty();
            }
        });
    }

    /** The names of the variables a list of parts writes inline (for "set by the plan" checks). */
    static Set<String> inlineNames(List<Part> parts) {
        Set<String> out = new LinkedHashSet<>();
        parts.stream().filter(p -> p != null).forEach(p -> out.addAll(p.variables().keySet()));
        return out;
    }
}
