package dev.kiln.template;

import java.util.List;
import java.util.Objects;

/**
 * A value as a template writes it: a literal, or an expression Kiln keeps as a tree so that its
 * {@linkplain #references() references} can be listed and a {@link StaticEvaluator} can work out
 * what it can. HCL2 expressions and JSON values share this tree; the {@code {{ ... }}} actions of a
 * JSON template's strings are {@link EngineCall}s inside a {@link StringTemplate}.
 *
 * <p>Every node carries the position where it starts. Lists handed out are unmodifiable.
 */
public sealed interface Expression {

    /** Where this expression starts. */
    TemplatePosition position();

    /** What this expression reads: {@code var.x}, {@code local.y}, {@code {{user `x`}}}, {@code env}, ... in written order. */
    default List<Reference> references() {
        return References.of(this);
    }

    /** Whether this is a literal, or a list or object made of literals only. */
    default boolean isLiteral() {
        return References.isLiteral(this);
    }

    /**
     * A literal value.
     *
     * @param value a {@link String}, a {@link java.math.BigDecimal}, a {@link Boolean}, or null for {@code null}
     */
    record Literal(Object value, TemplatePosition position) implements Expression {
        public Literal {
            if (value != null && !(value instanceof String || value instanceof java.math.BigDecimal
                    || value instanceof Boolean)) {
                throw new IllegalArgumentException("a literal is a String, BigDecimal, Boolean or null: " + value);
            }
            Objects.requireNonNull(position, "position");
        }
    }

    /**
     * A string with interpolations ({@code "ami-${var.name}"}, a heredoc) or, in a JSON template, with
     * {@code {{ ... }}} actions. Literal text parts are {@link Literal} strings.
     */
    record StringTemplate(List<Expression> parts, TemplatePosition position) implements Expression {
        public StringTemplate {
            parts = List.copyOf(parts);
        }
    }

    /**
     * A template directive ({@code %{ if ... }}, {@code %{ for ... }}, or a JSON template's
     * {@code {{if}}}/{@code {{range}}}), kept as written; Kiln does not evaluate it.
     */
    record Directive(String text, TemplatePosition position) implements Expression {
    }

    /** A name at the root of a traversal: {@code var}, {@code local}, {@code source}, or a {@code for} variable. */
    record Variable(String name, TemplatePosition position) implements Expression {
    }

    /** {@code object.name}. */
    record GetAttr(Expression object, String name, TemplatePosition position) implements Expression {
    }

    /** {@code collection[key]}. */
    record Index(Expression collection, Expression key, TemplatePosition position) implements Expression {
    }

    /** {@code source[*]} or {@code source.*}; steps after it apply to it as written. */
    record Splat(Expression source, TemplatePosition position) implements Expression {
    }

    /**
     * An HCL2 function call.
     *
     * @param expandLast whether the last argument was written with {@code ...}
     */
    record FunctionCall(String name, List<Expression> arguments, boolean expandLast, TemplatePosition position)
            implements Expression {
        public FunctionCall {
            arguments = List.copyOf(arguments);
        }
    }

    /**
     * A JSON template's template-engine call, {@code {{user `region`}}}, {@code {{timestamp}}}, {@code {{.Path}}}
     * (as function {@code .Path}). A pipeline {@code {{a | b "x"}}} is {@code b("x", a)}, as Go's templates read it.
     */
    record EngineCall(String function, List<Expression> arguments, TemplatePosition position) implements Expression {
        public EngineCall {
            arguments = List.copyOf(arguments);
        }
    }

    /** {@code [a, b, c]}. */
    record Tuple(List<Expression> elements, TemplatePosition position) implements Expression {
        public Tuple {
            elements = List.copyOf(elements);
        }
    }

    /** {@code { key = value, ... }}, or a JSON object. A bare identifier key is a {@link Literal} string. */
    record ObjectCons(List<Item> items, TemplatePosition position) implements Expression {
        public ObjectCons {
            items = List.copyOf(items);
        }

        /** The value of the first item whose key is the literal string {@code key}, if any. */
        public java.util.Optional<Expression> get(String key) {
            for (Item item : items) {
                if (item.key() instanceof Literal l && key.equals(l.value())) {
                    return java.util.Optional.of(item.value());
                }
            }
            return java.util.Optional.empty();
        }

        /** One {@code key = value}. */
        public record Item(Expression key, Expression value) {
        }
    }

    /** {@code !x} or {@code -x}. */
    record Unary(String operator, Expression operand, TemplatePosition position) implements Expression {
    }

    /** {@code left op right}; {@code op} as written: {@code + - * / % == != < > <= >= && ||}. */
    record Binary(String operator, Expression left, Expression right, TemplatePosition position)
            implements Expression {
    }

    /** {@code condition ? whenTrue : whenFalse}. */
    record Conditional(Expression condition, Expression whenTrue, Expression whenFalse, TemplatePosition position)
            implements Expression {
    }

    /**
     * {@code [for v in coll : value if cond]} or {@code {for k, v in coll : key => value... if cond}}.
     *
     * @param keyVariable the first of two iteration variables, or null when only one is written
     * @param key         the key expression of an object {@code for}, null for a tuple {@code for}
     * @param condition   the {@code if} clause, or null
     * @param grouping    whether the value was written with {@code ...}
     */
    record For(String keyVariable, String valueVariable, Expression collection, Expression key, Expression value,
            Expression condition, boolean grouping, TemplatePosition position) implements Expression {

        /** Whether this builds an object ({@code {for ...}}) rather than a tuple. */
        public boolean isObject() {
            return key != null;
        }
    }
}
