package dev.kiln.internal.template;

import dev.kiln.internal.template.JsonParser.ArrayNode;
import dev.kiln.internal.template.JsonParser.Member;
import dev.kiln.internal.template.JsonParser.Node;
import dev.kiln.internal.template.JsonParser.NullNode;
import dev.kiln.internal.template.JsonParser.ObjectNode;
import dev.kiln.internal.template.JsonParser.StringNode;
import dev.kiln.template.BuildSource;
import dev.kiln.template.Expression;
import dev.kiln.template.Expression.Literal;
import dev.kiln.template.Expression.ObjectCons;
import dev.kiln.template.Expression.Tuple;
import dev.kiln.template.PackerTemplate;
import dev.kiln.template.TemplateAttribute;
import dev.kiln.template.TemplateBody;
import dev.kiln.template.TemplateBuild;
import dev.kiln.template.TemplateFormat;
import dev.kiln.template.TemplatePostProcessor;
import dev.kiln.template.TemplateProblem;
import dev.kiln.template.TemplateProvisioner;
import dev.kiln.template.TemplateSource;
import dev.kiln.template.TemplateVariable;
import dev.kiln.template.VersionRequirement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a legacy JSON template: its keys, variables (strings, or null when required), builders,
 * provisioners and post-processors (a type name, an object, or a nested list for a chain), with
 * every string's {@code {{ }}} actions read. Collects every structure problem.
 */
final class JsonTemplates {

    private static final List<String> KEYS = List.of("description", "variables", "sensitive-variables", "builders",
            "provisioners", "post-processors", "min_packer_version");

    private final Source src;
    private final List<TemplateProblem> problems;

    private JsonTemplates(Source src, List<TemplateProblem> problems) {
        this.src = src;
        this.problems = problems;
    }

    /** The template in {@code src}; problems go to {@code problems}, a syntax error is thrown. */
    static PackerTemplate read(Source src, List<TemplateProblem> problems) {
        return new JsonTemplates(src, problems).template(new JsonParser(src).parseDocument());
    }

    /** A JSON value as an expression; strings read for {@code {{ }}} actions when {@code engine}. */
    static Expression expression(Source src, Node node, boolean engine) {
        if (node instanceof ObjectNode o) {
            List<ObjectCons.Item> items = new ArrayList<>();
            for (Member m : o.members()) {
                items.add(new ObjectCons.Item(new Literal(m.key(), src.position(m.keyStart())),
                        expression(src, m.value(), engine)));
            }
            return new ObjectCons(items, src.position(o.start()));
        }
        if (node instanceof ArrayNode a) {
            return new Tuple(a.elements().stream().map(e -> expression(src, e, engine)).toList(),
                    src.position(a.start()));
        }
        if (node instanceof StringNode s) {
            return engine ? EngineTemplates.parse(src, s) : new Literal(s.value(), src.position(s.start()));
        }
        if (node instanceof JsonParser.NumberNode n) {
            return new Literal(n.value(), src.position(n.start()));
        }
        if (node instanceof JsonParser.BoolNode b) {
            return new Literal(b.value(), src.position(b.start()));
        }
        return new Literal(null, src.position(node.start()));
    }

    private PackerTemplate template(Node root) {
        if (!(root instanceof ObjectNode object)) {
            throw new SyntaxError(Messages.jsonTemplateRoot(src.position(root.start()), JsonParser.kind(root)));
        }
        String description = null;
        Map<String, TemplateVariable> variables = new LinkedHashMap<>();
        List<StringNode> sensitive = new ArrayList<>();
        List<TemplateSource> builders = new ArrayList<>();
        Node provisioners = null;
        Node postProcessors = null;
        VersionRequirement minVersion = null;
        for (Member m : object.members()) {
            Node v = m.value();
            switch (m.key()) {
                case "description" -> description = string(v, "description").orElse(null);
                case "variables" -> variables(v, variables);
                case "sensitive-variables" -> strings(v, "sensitive-variables").forEach(sensitive::add);
                case "builders" -> builders(v, builders);
                case "provisioners" -> provisioners = v;
                case "post-processors" -> postProcessors = v;
                case "min_packer_version" -> minVersion = string(v, "min_packer_version")
                        .map(s -> new VersionRequirement(">= " + s, src.position(m.keyStart()))).orElse(null);
                default -> {
                    if (!m.key().startsWith("_")) {
                        problems.add(Messages.jsonUnknownKey(src.position(m.keyStart()), m.key(), KEYS));
                    }
                }
            }
        }
        for (StringNode name : sensitive) {
            TemplateVariable v = variables.get(name.value());
            if (v == null) {
                problems.add(Messages.sensitiveUnknown(src.position(name.start()), name.value(), variables.keySet()));
            } else {
                variables.put(v.name(), new TemplateVariable(v.name(), null, v.defaultValue(), null, true, List.of(),
                        v.position()));
            }
        }
        List<String> builderNames = builders.stream().map(TemplateSource::name).toList();
        List<TemplateProvisioner> provisionerList = provisioners == null ? List.of()
                : provisioners(provisioners, builderNames);
        List<TemplatePostProcessor.Chain> chains = postProcessors == null ? List.of()
                : postProcessors(postProcessors, builderNames);
        List<BuildSource> used = builders.stream()
                .map(b -> new BuildSource(b.type(), b.name(), TemplateBody.EMPTY, b.position())).toList();
        TemplateBuild build = new TemplateBuild(null, used, provisionerList, chains, null, src.position(root.start()));
        return new PackerTemplate(TemplateFormat.JSON, src.file, List.of(src.file), description,
                List.copyOf(variables.values()), List.of(), builders, List.of(build), List.of(), List.of(), minVersion,
                List.of());
    }

    private Optional<String> string(Node v, String what) {
        if (v instanceof StringNode s) {
            return Optional.of(s.value());
        }
        problems.add(Messages.jsonWrongKind(src.position(v.start()), what, JsonParser.kind(v), "a string"));
        return Optional.empty();
    }

    private List<StringNode> strings(Node v, String what) {
        List<StringNode> out = new ArrayList<>();
        if (v instanceof ArrayNode a) {
            for (Node e : a.elements()) {
                if (e instanceof StringNode s) {
                    out.add(s);
                } else {
                    problems.add(Messages.jsonWrongKind(src.position(e.start()), "an entry of " + what,
                            JsonParser.kind(e), "a string"));
                }
            }
        } else {
            problems.add(Messages.jsonWrongKind(src.position(v.start()), what, JsonParser.kind(v),
                    "a list of strings"));
        }
        return out;
    }

    private void variables(Node v, Map<String, TemplateVariable> out) {
        if (!(v instanceof ObjectNode o)) {
            problems.add(Messages.jsonWrongKind(src.position(v.start()), "variables", JsonParser.kind(v),
                    "an object of name: default, e.g. \"variables\": {\"region\": \"us-east-1\"}"));
            return;
        }
        for (Member m : o.members()) {
            Expression defaultValue = null;
            if (m.value() instanceof StringNode s) {
                defaultValue = EngineTemplates.parse(src, s);
            } else if (!(m.value() instanceof NullNode)) {
                problems.add(Messages.jsonVariableKind(src.position(m.value().start()), m.key(),
                        JsonParser.kind(m.value())));
                continue;
            }
            out.put(m.key(), new TemplateVariable(m.key(), null, defaultValue, null, false, List.of(),
                    src.position(m.keyStart())));
        }
    }

    private Optional<ObjectNode> component(Node v, String what) {
        if (!(v instanceof ObjectNode o)) {
            problems.add(Messages.jsonWrongKind(src.position(v.start()), "a " + what, JsonParser.kind(v),
                    "an object with a \"type\""));
            return Optional.empty();
        }
        Optional<Member> type = member(o, "type");
        if (type.isEmpty()) {
            problems.add(Messages.jsonNoType(src.position(o.start()), what));
            return Optional.empty();
        }
        if (!(type.get().value() instanceof StringNode)) {
            problems.add(Messages.jsonWrongKind(src.position(type.get().value().start()), "the " + what + "'s type",
                    JsonParser.kind(type.get().value()), "a string such as \"amazon-ebs\""));
            return Optional.empty();
        }
        return Optional.of(o);
    }

    private static Optional<Member> member(ObjectNode o, String key) {
        return o.members().stream().filter(m -> m.key().equals(key)).findFirst();
    }

    private static String typeOf(ObjectNode o) {
        return ((StringNode) member(o, "type").orElseThrow().value()).value();
    }

    private TemplateBody body(ObjectNode o) {
        List<TemplateAttribute> attributes = new ArrayList<>();
        for (Member m : o.members()) {
            if (!m.key().equals("type")) {
                attributes.add(new TemplateAttribute(m.key(), expression(src, m.value(), true),
                        src.slice(m.value().start(), m.value().end()), src.position(m.keyStart())));
            }
        }
        return new TemplateBody(attributes, List.of());
    }

    private void builders(Node v, List<TemplateSource> out) {
        if (!(v instanceof ArrayNode a)) {
            problems.add(Messages.jsonWrongKind(src.position(v.start()), "builders", JsonParser.kind(v),
                    "a list of builder objects: \"builders\": [{\"type\": \"amazon-ebs\", ...}]"));
            return;
        }
        Map<String, TemplateSource> byName = new LinkedHashMap<>();
        for (Node e : a.elements()) {
            component(e, "builder").ifPresent(o -> {
                String type = typeOf(o);
                String name = member(o, "name").map(m -> string(m.value(), "a builder's name").orElse(type))
                        .orElse(type);
                TemplateSource source = new TemplateSource(type, name, name, body(o), src.position(o.start()));
                TemplateSource first = byName.putIfAbsent(name, source);
                if (first != null) {
                    problems.add(Messages.duplicateBuilderName(source.position(), name, first.position()));
                } else {
                    out.add(source);
                }
            });
        }
    }

    private List<String> builderNames(ObjectNode o, String key, String what, List<String> builders) {
        Optional<Member> m = member(o, key);
        if (m.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (StringNode s : strings(m.get().value(), what + "'s " + key)) {
            if (!builders.contains(s.value())) {
                problems.add(Messages.unknownBuilderName(src.position(s.start()), what, key, s.value(), builders));
            }
            out.add(s.value());
        }
        return out;
    }

    private List<TemplateProvisioner> provisioners(Node v, List<String> builders) {
        List<TemplateProvisioner> out = new ArrayList<>();
        if (!(v instanceof ArrayNode a)) {
            problems.add(Messages.jsonWrongKind(src.position(v.start()), "provisioners", JsonParser.kind(v),
                    "a list of provisioner objects: \"provisioners\": [{\"type\": \"shell\", ...}]"));
            return out;
        }
        for (Node e : a.elements()) {
            component(e, "provisioner").ifPresent(o -> out.add(new TemplateProvisioner(typeOf(o),
                    builderNames(o, "only", "provisioner", builders), builderNames(o, "except", "provisioner", builders),
                    body(o), src.position(o.start()))));
        }
        return out;
    }

    private List<TemplatePostProcessor.Chain> postProcessors(Node v, List<String> builders) {
        List<TemplatePostProcessor.Chain> out = new ArrayList<>();
        if (!(v instanceof ArrayNode a)) {
            problems.add(Messages.jsonWrongKind(src.position(v.start()), "post-processors", JsonParser.kind(v),
                    "a list whose entries are a type name, an object with a \"type\", or a list of these (a chain)"));
            return out;
        }
        for (Node e : a.elements()) {
            List<TemplatePostProcessor> steps = new ArrayList<>();
            if (e instanceof ArrayNode chain) {
                chain.elements().forEach(step -> postProcessor(step, builders).ifPresent(steps::add));
            } else {
                postProcessor(e, builders).ifPresent(steps::add);
            }
            out.add(new TemplatePostProcessor.Chain(steps, src.position(e.start())));
        }
        return out;
    }

    private Optional<TemplatePostProcessor> postProcessor(Node v, List<String> builders) {
        if (v instanceof StringNode s) {
            return Optional.of(new TemplatePostProcessor(s.value(), null, List.of(), List.of(), TemplateBody.EMPTY,
                    src.position(s.start())));
        }
        return component(v, "post-processor").map(o -> new TemplatePostProcessor(typeOf(o),
                member(o, "name").flatMap(m -> string(m.value(), "a post-processor's name")).orElse(null),
                builderNames(o, "only", "post-processor", builders),
                builderNames(o, "except", "post-processor", builders), body(o), src.position(o.start())));
    }
}
