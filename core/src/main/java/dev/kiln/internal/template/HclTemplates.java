package dev.kiln.internal.template;

import dev.kiln.template.BuildSource;
import dev.kiln.template.Expression;
import dev.kiln.template.Expression.GetAttr;
import dev.kiln.template.Expression.Literal;
import dev.kiln.template.Expression.ObjectCons;
import dev.kiln.template.Expression.Tuple;
import dev.kiln.template.Expression.Variable;
import dev.kiln.template.PackerTemplate;
import dev.kiln.template.Reference;
import dev.kiln.template.RequiredPlugin;
import dev.kiln.template.TemplateAttribute;
import dev.kiln.template.TemplateBlock;
import dev.kiln.template.TemplateBody;
import dev.kiln.template.TemplateBuild;
import dev.kiln.template.TemplateDataSource;
import dev.kiln.template.TemplateFormat;
import dev.kiln.template.TemplateLocal;
import dev.kiln.template.TemplatePosition;
import dev.kiln.template.TemplatePostProcessor;
import dev.kiln.template.TemplateProblem;
import dev.kiln.template.TemplateProvisioner;
import dev.kiln.template.TemplateSource;
import dev.kiln.template.TemplateVariable;
import dev.kiln.template.VariableFile;
import dev.kiln.template.VersionRequirement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the bodies of an HCL2 template's files into a {@link PackerTemplate}: the blocks packer
 * knows at each level, their labels and attributes, and the references between them (a build's
 * sources, {@code var.x}, {@code local.y}) checked across files. Collects every problem.
 */
final class HclTemplates {

    private static final List<String> TOP_LEVEL = List.of(Messages.TOP_LEVEL_BLOCKS.split(", "));
    private static final List<String> VARIABLE_ATTRIBUTES = List.of("type", "default", "description", "sensitive",
            "nullable");
    private static final List<String> BUILD_BLOCKS = List.of("source", "provisioner", "post-processor",
            "post-processors", "error-cleanup-provisioner", "hcp_packer_registry");

    private final List<TemplateProblem> problems;
    private final Map<String, TemplateVariable> variables = new LinkedHashMap<>();
    private final Map<String, TemplateLocal> locals = new LinkedHashMap<>();
    private final Map<String, TemplateSource> sources = new LinkedHashMap<>();
    private final Map<String, TemplateDataSource> data = new LinkedHashMap<>();
    private final List<TemplateBuild> builds = new ArrayList<>();
    private final List<RequiredPlugin> plugins = new ArrayList<>();
    private VersionRequirement requiredVersion;

    private HclTemplates(List<TemplateProblem> problems) {
        this.problems = problems;
    }

    /** The template of these parsed files; problems go to {@code problems}. */
    static PackerTemplate read(Path path, List<Path> files, List<TemplateBody> bodies,
            List<VariableFile> autoVariableFiles, List<TemplateProblem> problems) {
        HclTemplates reader = new HclTemplates(problems);
        bodies.forEach(reader::topLevel);
        reader.checkBuildSources();
        reader.checkReferences();
        return new PackerTemplate(TemplateFormat.HCL2, path, files, null, List.copyOf(reader.variables.values()),
                List.copyOf(reader.locals.values()), List.copyOf(reader.sources.values()), reader.builds,
                List.copyOf(reader.data.values()), reader.plugins, reader.requiredVersion, autoVariableFiles);
    }

    private void topLevel(TemplateBody body) {
        body.attributes().forEach(a -> problems.add(Messages.topLevelAttribute(a.position(), a.name())));
        for (TemplateBlock block : body.blocks()) {
            switch (block.type()) {
                case "variable" -> variable(block);
                case "variables" -> variablesBlock(block);
                case "locals" -> localsBlock(block);
                case "local" -> local(block);
                case "source" -> source(block);
                case "build" -> build(block);
                case "data" -> data(block);
                case "packer" -> packer(block);
                default -> problems.add(Messages.unknownBlock(block.position(), block.type(), "at the top level",
                        TOP_LEVEL));
            }
        }
    }

    private boolean labels(TemplateBlock block, int count, String form) {
        if (block.labels().size() != count) {
            problems.add(Messages.labels(block.position(), block.type(), block.labels().size(), form));
            return false;
        }
        return true;
    }

    private void onlyAttributes(TemplateBlock block, String where, List<String> allowed) {
        for (TemplateAttribute a : block.body().attributes()) {
            if (!allowed.contains(a.name())) {
                problems.add(Messages.unknownAttribute(a.position(), a.name(), where, allowed));
            }
        }
    }

    private void onlyBlocks(TemplateBlock block, String where, List<String> allowed) {
        for (TemplateBlock b : block.body().blocks()) {
            if (!allowed.contains(b.type())) {
                problems.add(Messages.unknownBlock(b.position(), b.type(), where, allowed));
            }
        }
    }

    // --- variables and locals

    private void variable(TemplateBlock block) {
        if (!labels(block, 1, "variable \"NAME\" { type = string, default = ... }")) {
            return;
        }
        String name = block.labels().get(0);
        String where = "in variable '" + name + "'";
        onlyAttributes(block, where, VARIABLE_ATTRIBUTES);
        onlyBlocks(block, where, List.of("validation"));
        TemplateBody body = block.body();
        List<TemplateVariable.Validation> validations = new ArrayList<>();
        for (TemplateBlock v : body.blocks("validation")) {
            onlyAttributes(v, "in a validation block", List.of("condition", "error_message"));
            validations.add(new TemplateVariable.Validation(
                    v.body().attribute("condition").map(TemplateAttribute::value).orElse(null),
                    v.body().attribute("error_message").map(TemplateAttribute::value).orElse(null), v.position()));
        }
        String type = body.attribute("type").map(TemplateAttribute::text).orElse(null);
        Expression defaultValue = body.attribute("default").map(TemplateAttribute::value).orElse(null);
        String description = body.attribute("description").map(a -> plainString(a).orElse(a.text())).orElse(null);
        boolean sensitive = body.attribute("sensitive").map(this::bool).orElse(false);
        declareVariable(new TemplateVariable(name, type, defaultValue, description, sensitive, validations,
                block.position()));
    }

    private void variablesBlock(TemplateBlock block) {
        labels(block, 0, "variables { name = default ... }");
        onlyBlocks(block, "in a variables block", List.of());
        for (TemplateAttribute a : block.body().attributes()) {
            declareVariable(new TemplateVariable(a.name(), null, a.value(), null, false, List.of(), a.position()));
        }
    }

    private void declareVariable(TemplateVariable variable) {
        TemplateVariable first = variables.putIfAbsent(variable.name(), variable);
        if (first != null) {
            problems.add(Messages.duplicate(variable.position(), "variable '" + variable.name() + "'",
                    first.position()));
        }
    }

    private void localsBlock(TemplateBlock block) {
        labels(block, 0, "locals { name = expression ... }");
        onlyBlocks(block, "in a locals block", List.of());
        for (TemplateAttribute a : block.body().attributes()) {
            declareLocal(new TemplateLocal(a.name(), a.value(), false, a.position()));
        }
    }

    private void local(TemplateBlock block) {
        if (!labels(block, 1, "local \"NAME\" { expression = ... }")) {
            return;
        }
        String name = block.labels().get(0);
        onlyAttributes(block, "in local '" + name + "'", List.of("expression", "sensitive"));
        onlyBlocks(block, "in local '" + name + "'", List.of());
        Optional<TemplateAttribute> expression = block.body().attribute("expression");
        if (expression.isEmpty()) {
            problems.add(Messages.missingAttribute(block.position(), "expression", "local '" + name + "'",
                    "local \"" + name + "\" { expression = ... }"));
            return;
        }
        boolean sensitive = block.body().attribute("sensitive").map(this::bool).orElse(false);
        declareLocal(new TemplateLocal(name, expression.get().value(), sensitive, block.position()));
    }

    private void declareLocal(TemplateLocal local) {
        TemplateLocal first = locals.putIfAbsent(local.name(), local);
        if (first != null) {
            problems.add(Messages.duplicate(local.position(), "local '" + local.name() + "'", first.position()));
        }
    }

    // --- sources and data

    private void source(TemplateBlock block) {
        if (!labels(block, 2, "source \"TYPE\" \"NAME\" { ... }, e.g. source \"amazon-ebs\" \"ubuntu\" { ... }")) {
            return;
        }
        String type = block.labels().get(0);
        String name = block.labels().get(1);
        TemplateSource source = new TemplateSource(type, name, type + "." + name, block.body(), block.position());
        TemplateSource first = sources.putIfAbsent(source.buildName(), source);
        if (first != null) {
            problems.add(Messages.duplicate(block.position(), "source \"" + type + "\" \"" + name + "\"",
                    first.position()));
        }
    }

    private void data(TemplateBlock block) {
        if (!labels(block, 2, "data \"TYPE\" \"NAME\" { ... }")) {
            return;
        }
        TemplateDataSource d = new TemplateDataSource(block.labels().get(0), block.labels().get(1), block.body(),
                block.position());
        TemplateDataSource first = data.putIfAbsent(d.type() + "." + d.name(), d);
        if (first != null) {
            problems.add(Messages.duplicate(block.position(), "data \"" + d.type() + "\" \"" + d.name() + "\"",
                    first.position()));
        }
    }

    // --- builds

    private void build(TemplateBlock block) {
        labels(block, 0, "build { sources = [\"source.TYPE.NAME\"] ... }");
        onlyAttributes(block, "in a build", List.of("name", "description", "sources"));
        onlyBlocks(block, "in a build", BUILD_BLOCKS);
        TemplateBody body = block.body();
        String name = body.attribute("name").map(a -> plainString(a).orElse(a.text())).orElse(null);
        List<BuildSource> used = new ArrayList<>();
        body.attribute("sources").ifPresent(a -> {
            if (a.value() instanceof Tuple t) {
                for (Expression e : t.elements()) {
                    sourceAddress(e).ifPresentOrElse(
                            tn -> used.add(new BuildSource(tn[0], tn[1], TemplateBody.EMPTY, e.position())),
                            () -> problems.add(Messages.badSourceReference(e.position(), text(a, e))));
                }
            } else {
                problems.add(Messages.badSourceReference(a.value().position(), a.text()));
            }
        });
        List<TemplateProvisioner> provisioners = new ArrayList<>();
        List<TemplatePostProcessor.Chain> chains = new ArrayList<>();
        TemplateProvisioner errorCleanup = null;
        for (TemplateBlock b : body.blocks()) {
            switch (b.type()) {
                case "source" -> {
                    if (labels(b, 1, "source \"source.TYPE.NAME\" { ... }")) {
                        String label = b.labels().get(0);
                        sourceAddress(new Literal(label, b.position())).ifPresentOrElse(
                                tn -> used.add(new BuildSource(tn[0], tn[1], b.body(), b.position())),
                                () -> problems.add(Messages.badSourceReference(b.position(), "\"" + label + "\"")));
                    }
                }
                case "provisioner" -> provisioner(b).ifPresent(provisioners::add);
                case "error-cleanup-provisioner" -> errorCleanup = provisioner(b).orElse(null);
                case "post-processor" -> postProcessor(b)
                        .ifPresent(p -> chains.add(new TemplatePostProcessor.Chain(List.of(p), b.position())));
                case "post-processors" -> {
                    labels(b, 0, "post-processors { post-processor \"TYPE\" { ... } ... }");
                    onlyAttributes(b, "in a post-processors block", List.of());
                    onlyBlocks(b, "in a post-processors block", List.of("post-processor"));
                    List<TemplatePostProcessor> steps = new ArrayList<>();
                    b.body().blocks("post-processor").forEach(p -> postProcessor(p).ifPresent(steps::add));
                    chains.add(new TemplatePostProcessor.Chain(steps, b.position()));
                }
                default -> {
                }
            }
        }
        builds.add(new TemplateBuild(name, used, provisioners, chains, errorCleanup, block.position()));
    }

    private static String text(TemplateAttribute owner, Expression e) {
        return e instanceof Literal l && l.value() instanceof String s ? "\"" + s + "\"" : owner.text();
    }

    /** {@code [type, name]} of {@code "source.type.name"} or {@code source.type.name}. */
    private static Optional<String[]> sourceAddress(Expression e) {
        if (e instanceof Literal l && l.value() instanceof String s) {
            String[] parts = s.split("\\.", -1);
            if (parts.length == 3 && parts[0].equals("source") && !parts[1].isEmpty() && !parts[2].isEmpty()) {
                return Optional.of(new String[] {parts[1], parts[2]});
            }
        }
        if (e instanceof GetAttr name && name.object() instanceof GetAttr type
                && type.object() instanceof Variable root && root.name().equals("source")) {
            return Optional.of(new String[] {type.name(), name.name()});
        }
        return Optional.empty();
    }

    private Optional<TemplateProvisioner> provisioner(TemplateBlock b) {
        if (!labels(b, 1, b.type() + " \"TYPE\" { ... }, e.g. " + b.type() + " \"shell\" { ... }")) {
            return Optional.empty();
        }
        return Optional.of(new TemplateProvisioner(b.labels().get(0), names(b, "only"), names(b, "except"), b.body(),
                b.position()));
    }

    private Optional<TemplatePostProcessor> postProcessor(TemplateBlock b) {
        if (!labels(b, 1, "post-processor \"TYPE\" { ... }, e.g. post-processor \"manifest\" { ... }")) {
            return Optional.empty();
        }
        String name = b.body().attribute("name").map(a -> plainString(a).orElse(a.text())).orElse(null);
        return Optional.of(new TemplatePostProcessor(b.labels().get(0), name, names(b, "only"), names(b, "except"),
                b.body(), b.position()));
    }

    private List<String> names(TemplateBlock b, String attribute) {
        Optional<TemplateAttribute> a = b.body().attribute(attribute);
        if (a.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (a.get().value() instanceof Tuple t) {
            for (Expression e : t.elements()) {
                if (e instanceof Literal l && l.value() instanceof String s) {
                    out.add(s);
                } else {
                    problems.add(Messages.notStringList(e.position(), attribute));
                }
            }
        } else {
            problems.add(Messages.notStringList(a.get().position(), attribute));
        }
        return out;
    }

    // --- packer block

    private void packer(TemplateBlock block) {
        labels(block, 0, "packer { required_version = \"...\" required_plugins { ... } }");
        onlyAttributes(block, "in the packer block", List.of("required_version"));
        onlyBlocks(block, "in the packer block", List.of("required_plugins"));
        block.body().attribute("required_version").ifPresent(a -> plainString(a).ifPresentOrElse(
                v -> requiredVersion = new VersionRequirement(v, a.position()),
                () -> problems.add(Messages.notString(a.position(), "required_version"))));
        for (TemplateBlock required : block.body().blocks("required_plugins")) {
            onlyBlocks(required, "in required_plugins", List.of());
            for (TemplateAttribute a : required.body().attributes()) {
                if (a.value() instanceof ObjectCons o) {
                    plugins.add(new RequiredPlugin(a.name(), pluginField(o, "source", a.name()),
                            pluginField(o, "version", a.name()), a.position()));
                } else {
                    problems.add(Messages.pluginNotObject(a.position(), a.name()));
                }
            }
        }
    }

    private String pluginField(ObjectCons o, String key, String plugin) {
        Optional<Expression> value = o.get(key);
        if (value.isEmpty()) {
            return null;
        }
        if (value.get() instanceof Literal l && l.value() instanceof String s) {
            return s;
        }
        problems.add(Messages.notString(value.get().position(), plugin + "." + key));
        return null;
    }

    // --- attribute values

    private static Optional<String> plainString(TemplateAttribute a) {
        return a.value() instanceof Literal l && l.value() instanceof String s ? Optional.of(s) : Optional.empty();
    }

    private boolean bool(TemplateAttribute a) {
        if (a.value() instanceof Literal l && l.value() instanceof Boolean b) {
            return b;
        }
        problems.add(Messages.notBool(a.position(), a.name(), a.text()));
        return false;
    }

    // --- references across files

    private void checkBuildSources() {
        Set<String> declared = new TreeSet<>();
        sources.values().forEach(s -> declared.add("source." + s.type() + "." + s.name()));
        for (TemplateBuild build : builds) {
            for (BuildSource used : build.sources()) {
                if (!declared.contains(used.address())) {
                    problems.add(Messages.undeclaredSource(used.position(), used.address(), declared));
                }
            }
        }
    }

    private void checkReferences() {
        List<Expression> all = new ArrayList<>();
        variables.values().forEach(v -> {
            if (v.defaultValue() != null) {
                all.add(v.defaultValue());
            }
            v.validations().forEach(val -> {
                if (val.condition() != null) {
                    all.add(val.condition());
                }
                if (val.errorMessage() != null) {
                    all.add(val.errorMessage());
                }
            });
        });
        locals.values().forEach(l -> all.add(l.value()));
        sources.values().forEach(s -> expressions(s.body(), all));
        data.values().forEach(d -> expressions(d.body(), all));
        for (TemplateBuild build : builds) {
            build.sources().forEach(s -> expressions(s.overrides(), all));
            build.provisioners().forEach(p -> expressions(p.body(), all));
            if (build.errorCleanupProvisioner() != null) {
                expressions(build.errorCleanupProvisioner().body(), all);
            }
            build.postProcessors().forEach(c -> c.steps().forEach(p -> expressions(p.body(), all)));
        }
        Set<String> declaredVariables = new TreeSet<>(variables.keySet());
        Set<String> declaredLocals = new TreeSet<>(locals.keySet());
        Set<TemplatePosition> reported = new HashSet<>();
        for (Expression e : all) {
            for (Reference r : e.references()) {
                if (r.kind() == Reference.Kind.VARIABLE && !declaredVariables.contains(r.name())
                        && reported.add(r.position())) {
                    problems.add(Messages.undeclared(r.position(), "var." + r.name(), "variables",
                            declaredVariables.stream().map(v -> "var." + v).toList(),
                            "variable \"" + r.name() + "\" { type = string }"));
                } else if (r.kind() == Reference.Kind.LOCAL && !declaredLocals.contains(r.name())
                        && reported.add(r.position())) {
                    problems.add(Messages.undeclared(r.position(), "local." + r.name(), "locals",
                            declaredLocals.stream().map(l -> "local." + l).toList(),
                            "locals { " + r.name() + " = ... }"));
                }
            }
        }
    }

    private static void expressions(TemplateBody body, List<Expression> out) {
        body.attributes().forEach(a -> out.add(a.value()));
        body.blocks().forEach(b -> expressions(b.body(), out));
    }
}
