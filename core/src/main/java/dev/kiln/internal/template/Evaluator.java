package dev.kiln.internal.template;

import dev.kiln.template.Evaluation;
import dev.kiln.template.Evaluation.Reason;
import dev.kiln.template.Expression;
import dev.kiln.template.Expression.Binary;
import dev.kiln.template.Expression.Conditional;
import dev.kiln.template.Expression.Directive;
import dev.kiln.template.Expression.EngineCall;
import dev.kiln.template.Expression.For;
import dev.kiln.template.Expression.FunctionCall;
import dev.kiln.template.Expression.GetAttr;
import dev.kiln.template.Expression.Index;
import dev.kiln.template.Expression.Literal;
import dev.kiln.template.Expression.ObjectCons;
import dev.kiln.template.Expression.Splat;
import dev.kiln.template.Expression.StringTemplate;
import dev.kiln.template.Expression.Tuple;
import dev.kiln.template.Expression.Unary;
import dev.kiln.template.Expression.Variable;
import dev.kiln.template.PackerTemplate;
import dev.kiln.template.TemplateFormat;
import dev.kiln.template.TemplateLocal;
import dev.kiln.template.TemplatePosition;
import dev.kiln.template.TemplateVariable;
import dev.kiln.template.VariableFile;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Evaluates template expressions as far as they can be known before packer runs. An expression
 * that cannot be known ends its evaluation with an {@link UnknownValue} naming the reason, which
 * {@link #evaluate(Expression)} turns into {@link Evaluation.Unknown}. Holds no state between calls.
 */
public final class Evaluator {

    private static final Set<String> SET_BY_PACKER = Set.of("source", "build", "each", "count", "self", "packer",
            "path");

    private final PackerTemplate template;
    private final Map<String, Object> given;
    private final Map<String, String> environment;

    public Evaluator(PackerTemplate template, Map<String, Object> given, Map<String, String> environment) {
        this.template = template;
        this.given = given;
        this.environment = environment;
    }

    /** Ends an evaluation: the value cannot be known. */
    static final class UnknownValue extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final transient Evaluation.Unknown unknown;

        UnknownValue(Reason reason, String explanation, TemplatePosition at) {
            super(explanation, null, false, false);
            this.unknown = new Evaluation.Unknown(reason, explanation, at);
        }
    }

    /** What is being evaluated: locals and variables under way (cycles), {@code for} variables in scope. */
    private record Scope(Set<String> underWay, Map<String, Object> bound) {
        static Scope empty() {
            return new Scope(new LinkedHashSet<>(), Map.of());
        }

        Scope bind(Map<String, Object> more) {
            Map<String, Object> all = new HashMap<>(bound);
            all.putAll(more);
            return new Scope(underWay, all);
        }
    }

    public Evaluation evaluate(Expression e) {
        try {
            Object value = value(e, Scope.empty());
            return new Evaluation.Known(json() ? value : rendered(value, e.position()));
        } catch (UnknownValue u) {
            return u.unknown;
        }
    }

    /**
     * What a builder makes of an HCL2 value: packer's builders render {@code {{ }}} actions in their
     * fields' strings, so {@code "web_{{timestamp}}"} is not the literal it looks like.
     */
    private Object rendered(Object value, TemplatePosition at) {
        if (value instanceof String s && s.contains("{{")) {
            Expression engine;
            try {
                engine = EngineTemplates.parse(s, at);
            } catch (SyntaxError e) {
                throw unknown(Reason.INVALID, "'" + s + "' opens a {{ action that packer's builders cannot close", at);
            }
            return value(engine, Scope.empty());
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(rendered(v, at)));
            return Collections.unmodifiableList(out);
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, rendered(v, at)));
            return Collections.unmodifiableMap(out);
        }
        return value;
    }

    public Evaluation variable(String name, TemplatePosition at) {
        try {
            return new Evaluation.Known(variable(name, at, Scope.empty()));
        } catch (UnknownValue u) {
            return u.unknown;
        }
    }

    public Evaluation local(String name, TemplatePosition at) {
        try {
            return new Evaluation.Known(local(name, at, Scope.empty()));
        } catch (UnknownValue u) {
            return u.unknown;
        }
    }

    static UnknownValue unknown(Reason reason, String explanation, TemplatePosition at) {
        return new UnknownValue(reason, explanation, at);
    }

    // --- variables and locals

    private boolean json() {
        return template.format() == TemplateFormat.JSON;
    }

    private String written(String name) {
        return json() ? "{{user `" + name + "`}}" : "var." + name;
    }

    private Object variable(String name, TemplatePosition at, Scope scope) {
        Optional<TemplateVariable> declared = template.variable(name);
        TemplatePosition where = at != null ? at : declared.map(TemplateVariable::position).orElse(null);
        if (given.containsKey(name)) {
            return convert(name, plain(given.get(name)), declared.map(TemplateVariable::type).orElse(null), where);
        }
        List<VariableFile> auto = template.autoVariableFiles();
        for (int i = auto.size() - 1; i >= 0; i--) {
            Optional<VariableFile.Value> v = auto.get(i).value(name);
            if (v.isPresent()) {
                return convert(name, v.get().value(), declared.map(TemplateVariable::type).orElse(null), where);
            }
        }
        if (declared.isEmpty()) {
            throw json() ? unknown(Reason.NO_VALUE, written(name) + " names no variable of the template; packer"
                    + " reads it as an empty string", where)
                    : unknown(Reason.INVALID, "var." + name + " is not declared", where);
        }
        TemplateVariable variable = declared.get();
        if (variable.defaultValue() == null) {
            throw unknown(Reason.NO_VALUE, written(name) + " has no value: the template gives it no default and"
                    + " none was given", where);
        }
        if (!scope.underWay().add("var." + name)) {
            throw unknown(Reason.INVALID, "the default of " + written(name) + " reads itself", where);
        }
        try {
            return value(variable.defaultValue(), new Scope(scope.underWay(), Map.of()));
        } finally {
            scope.underWay().remove("var." + name);
        }
    }

    private Object local(String name, TemplatePosition at, Scope scope) {
        Optional<TemplateLocal> declared = template.local(name);
        TemplatePosition where = at != null ? at : declared.map(TemplateLocal::position).orElse(null);
        if (declared.isEmpty()) {
            throw unknown(Reason.INVALID, "local." + name + " is not declared", where);
        }
        if (!scope.underWay().add("local." + name)) {
            throw unknown(Reason.INVALID, "local." + name + " reads itself: " + String.join(" -> ", scope.underWay())
                    + " -> local." + name, where);
        }
        try {
            return value(declared.get().value(), new Scope(scope.underWay(), Map.of()));
        } finally {
            scope.underWay().remove("local." + name);
        }
    }

    /** A value given from Java as Kiln's value types: numbers as BigDecimal, lists and maps unmodifiable. */
    static Object plain(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof BigDecimal) {
            return v;
        }
        if (v instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof Number n) {
            try {
                return new BigDecimal(n.toString());
            } catch (NumberFormatException e) {
                return n.toString();
            }
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(e -> out.add(plain(e)));
            return Collections.unmodifiableList(out);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, e) -> out.put(String.valueOf(k), plain(e)));
            return Collections.unmodifiableMap(out);
        }
        return v.toString();
    }

    /** Converts a given value to the variable's primitive type, as packer converts {@code -var} strings. */
    private Object convert(String name, Object v, String type, TemplatePosition at) {
        if (json() && v != null && !(v instanceof String)) {
            return Functions.string(v, at);
        }
        if (type == null || v == null) {
            return v;
        }
        switch (type.strip()) {
            case "number":
                if (v instanceof String s) {
                    try {
                        return new BigDecimal(s.strip());
                    } catch (NumberFormatException e) {
                        throw unknown(Reason.INVALID, "var." + name + " is a number; '" + s + "' is not", at);
                    }
                }
                return v;
            case "bool":
                if ("true".equals(v) || "false".equals(v)) {
                    return Boolean.valueOf((String) v);
                }
                return v;
            case "string":
                return v instanceof BigDecimal || v instanceof Boolean ? Functions.string(v, at) : v;
            default:
                return v;
        }
    }

    // --- expressions

    private Object value(Expression e, Scope scope) {
        if (e instanceof Literal l) {
            return l.value();
        }
        if (e instanceof StringTemplate t) {
            if (t.parts().size() == 1 && !(t.parts().get(0) instanceof Literal)) {
                return value(t.parts().get(0), scope);
            }
            StringBuilder out = new StringBuilder();
            for (Expression part : t.parts()) {
                out.append(Functions.string(value(part, scope), part.position()));
            }
            return out.toString();
        }
        if (e instanceof Directive d) {
            throw unknown(Reason.NOT_EVALUATED, "template directives such as " + d.text()
                    + " are not evaluated statically", d.position());
        }
        if (e instanceof Variable v) {
            if (scope.bound().containsKey(v.name())) {
                return scope.bound().get(v.name());
            }
            throw root(v.name(), null, v.position());
        }
        if (e instanceof GetAttr g) {
            if (g.object() instanceof Variable root && !scope.bound().containsKey(root.name())) {
                return rootAttribute(root, g.name(), scope);
            }
            return attribute(value(g.object(), scope), g.name(), g.position());
        }
        if (e instanceof Index i) {
            if (i.collection() instanceof Variable root && !scope.bound().containsKey(root.name())
                    && (root.name().equals("var") || root.name().equals("local"))) {
                Object key = value(i.key(), scope);
                if (key instanceof String name) {
                    return rootAttribute(root, name, scope);
                }
            }
            return index(value(i.collection(), scope), value(i.key(), scope), i.position());
        }
        if (e instanceof Splat s) {
            throw unknown(Reason.NOT_EVALUATED, "splat expressions ([*]) are not evaluated statically", s.position());
        }
        if (e instanceof FunctionCall f) {
            return Functions.hcl(f, arguments -> arguments.stream().map(a -> value(a, scope)).toList(), environment);
        }
        if (e instanceof EngineCall c) {
            if (c.function().equals("user") && c.arguments().size() == 1) {
                Object name = value(c.arguments().get(0), scope);
                if (name instanceof String s) {
                    return Functions.string(variable(s, c.position(), scope), c.position());
                }
            }
            return Functions.engine(c, arguments -> arguments.stream().map(a -> value(a, scope)).toList(),
                    environment);
        }
        if (e instanceof Tuple t) {
            List<Object> out = new ArrayList<>();
            t.elements().forEach(element -> out.add(value(element, scope)));
            return Collections.unmodifiableList(out);
        }
        if (e instanceof ObjectCons o) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (ObjectCons.Item item : o.items()) {
                out.put(Functions.string(value(item.key(), scope), item.key().position()), value(item.value(), scope));
            }
            return Collections.unmodifiableMap(out);
        }
        if (e instanceof Unary u) {
            return Operators.unary(u.operator(), value(u.operand(), scope), u.position());
        }
        if (e instanceof Binary b) {
            Object left = value(b.left(), scope);
            if (b.operator().equals("&&") && Boolean.FALSE.equals(left)) {
                return false;
            }
            if (b.operator().equals("||") && Boolean.TRUE.equals(left)) {
                return true;
            }
            return Operators.binary(b.operator(), left, value(b.right(), scope), b.position());
        }
        if (e instanceof Conditional c) {
            Object condition = value(c.condition(), scope);
            if (!(condition instanceof Boolean choice)) {
                throw unknown(Reason.INVALID, "a condition must be true or false, not " + Functions.describe(condition),
                        c.condition().position());
            }
            return value(choice ? c.whenTrue() : c.whenFalse(), scope);
        }
        return forExpression((For) e, scope);
    }

    private UnknownValue root(String root, String attribute, TemplatePosition at) {
        String written = attribute == null ? root : root + "." + attribute;
        if (root.equals("data")) {
            return unknown(Reason.SET_BY_PACKER, written + " is read by packer when it runs", at);
        }
        if (SET_BY_PACKER.contains(root)) {
            return unknown(Reason.SET_BY_PACKER, written + " is set by packer while it builds", at);
        }
        return unknown(Reason.INVALID, root + " is not a variable Kiln knows here", at);
    }

    private Object rootAttribute(Variable root, String name, Scope scope) {
        return switch (root.name()) {
            case "var" -> variable(name, root.position(), scope);
            case "local" -> local(name, root.position(), scope);
            default -> throw root(root.name(), name, root.position());
        };
    }

    private static Object attribute(Object object, String name, TemplatePosition at) {
        if (object instanceof Map<?, ?> m) {
            if (!m.containsKey(name)) {
                throw unknown(Reason.INVALID, "the object has no attribute '" + name + "'", at);
            }
            return m.get(name);
        }
        throw unknown(Reason.INVALID, Functions.describe(object) + " has no attributes (." + name + ")", at);
    }

    private static Object index(Object collection, Object key, TemplatePosition at) {
        if (collection instanceof List<?> l && key instanceof BigDecimal n) {
            int i;
            try {
                i = n.intValueExact();
            } catch (ArithmeticException e) {
                throw unknown(Reason.INVALID, "index " + n.toPlainString() + " is not a whole number", at);
            }
            if (i < 0 || i >= l.size()) {
                throw unknown(Reason.INVALID, "index " + i + " is out of range: the list has " + l.size()
                        + " elements", at);
            }
            return l.get(i);
        }
        if (collection instanceof Map<?, ?> m && key instanceof String s) {
            return attribute(m, s, at);
        }
        throw unknown(Reason.INVALID, Functions.describe(collection) + " cannot be indexed by "
                + Functions.describe(key), at);
    }

    private Object forExpression(For f, Scope scope) {
        Object collection = value(f.collection(), scope);
        List<Map.Entry<Object, Object>> entries = new ArrayList<>();
        if (collection instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                entries.add(new java.util.AbstractMap.SimpleEntry<>(BigDecimal.valueOf(i), l.get(i)));
            }
        } else if (collection instanceof Map<?, ?> m) {
            m.forEach((k, v) -> entries.add(new java.util.AbstractMap.SimpleEntry<>(k, v)));
        } else {
            throw unknown(Reason.INVALID, "a for expression goes over a list or an object, not "
                    + Functions.describe(collection), f.collection().position());
        }
        List<Object> list = new ArrayList<>();
        Map<String, Object> object = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> entry : entries) {
            Map<String, Object> bound = new HashMap<>();
            bound.put(f.valueVariable(), entry.getValue());
            if (f.keyVariable() != null) {
                bound.put(f.keyVariable(), entry.getKey());
            }
            Scope inner = scope.bind(bound);
            if (f.condition() != null && !Boolean.TRUE.equals(value(f.condition(), inner))) {
                continue;
            }
            Object v = value(f.value(), inner);
            if (!f.isObject()) {
                list.add(v);
                continue;
            }
            String key = Functions.string(value(f.key(), inner), f.key().position());
            if (f.grouping()) {
                @SuppressWarnings("unchecked")
                List<Object> group = (List<Object>) object.computeIfAbsent(key, k -> new ArrayList<>());
                group.add(v);
            } else if (object.putIfAbsent(key, v) != null) {
                throw unknown(Reason.INVALID, "the for expression makes key '" + key + "' twice; write ... after the"
                        + " value to group", f.position());
            }
        }
        if (!f.isObject()) {
            return Collections.unmodifiableList(list);
        }
        object.replaceAll((k, v) -> v instanceof ArrayList<?> group && f.grouping()
                ? Collections.unmodifiableList(group) : v);
        return Collections.unmodifiableMap(object);
    }

    static final MathContext MATH = MathContext.DECIMAL128;
}
