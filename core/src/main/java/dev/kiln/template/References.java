package dev.kiln.template;

import dev.kiln.template.Expression.Binary;
import dev.kiln.template.Expression.Conditional;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Walks expressions: their children, what they reference, whether they are literal. */
final class References {

    private static final Map<String, Reference.Kind> ROOTS = Map.of(
            "var", Reference.Kind.VARIABLE, "local", Reference.Kind.LOCAL, "source", Reference.Kind.SOURCE,
            "data", Reference.Kind.DATA, "path", Reference.Kind.PATH, "build", Reference.Kind.BUILD,
            "packer", Reference.Kind.BUILD, "each", Reference.Kind.BUILD, "count", Reference.Kind.BUILD,
            "self", Reference.Kind.BUILD);

    /** The JSON engine's functions whose value packer sets per build. */
    private static final Set<String> BUILD_FUNCTIONS = Set.of("build_name", "build_type", "template_dir", "pwd",
            "build", "packer_version");

    private References() {
    }

    static List<Reference> of(Expression e) {
        List<Reference> out = new ArrayList<>();
        collect(e, Set.of(), out);
        return Collections.unmodifiableList(out);
    }

    static boolean isLiteral(Expression e) {
        if (e instanceof Literal) {
            return true;
        }
        if (e instanceof Tuple t) {
            return t.elements().stream().allMatch(References::isLiteral);
        }
        if (e instanceof ObjectCons o) {
            return o.items().stream().allMatch(i -> isLiteral(i.key()) && isLiteral(i.value()));
        }
        return false;
    }

    private static void collect(Expression e, Set<String> bound, List<Reference> out) {
        if (e instanceof GetAttr || e instanceof Index || e instanceof Variable) {
            if (traversal(e, bound, out)) {
                return;
            }
        }
        if (e instanceof EngineCall c) {
            engineCall(c, out);
        }
        if (e instanceof FunctionCall f && f.name().equals("env") && f.arguments().size() == 1
                && f.arguments().get(0) instanceof Literal l && l.value() instanceof String name) {
            out.add(new Reference(Reference.Kind.ENVIRONMENT, name, f.position()));
        }
        if (e instanceof For f) {
            collect(f.collection(), bound, out);
            Set<String> inner = new HashSet<>(bound);
            if (f.keyVariable() != null) {
                inner.add(f.keyVariable());
            }
            inner.add(f.valueVariable());
            for (Expression child : children(f)) {
                if (child != f.collection()) {
                    collect(child, inner, out);
                }
            }
            return;
        }
        for (Expression child : children(e)) {
            collect(child, bound, out);
        }
    }

    private static void engineCall(EngineCall c, List<Reference> out) {
        String fn = c.function();
        String arg = c.arguments().size() == 1 && c.arguments().get(0) instanceof Literal l
                && l.value() instanceof String s ? s : null;
        if (fn.equals("user") && arg != null) {
            out.add(new Reference(Reference.Kind.VARIABLE, arg, c.position()));
        } else if (fn.equals("env") && arg != null) {
            out.add(new Reference(Reference.Kind.ENVIRONMENT, arg, c.position()));
        } else if (fn.startsWith(".") || BUILD_FUNCTIONS.contains(fn)) {
            out.add(new Reference(Reference.Kind.BUILD, fn.startsWith(".") ? fn.substring(1) : fn, c.position()));
        }
    }

    /**
     * Records the reference a traversal makes ({@code var.x}, {@code source.a.b}) and its index
     * expressions' references; false when its root is not one Packer defines (a {@code for} variable).
     */
    private static boolean traversal(Expression e, Set<String> bound, List<Reference> out) {
        List<String> names = new ArrayList<>();
        List<Expression> indexes = new ArrayList<>();
        Expression at = e;
        while (true) {
            if (at instanceof GetAttr g) {
                names.add(0, g.name());
                at = g.object();
            } else if (at instanceof Index i) {
                if (i.key() instanceof Literal l && l.value() instanceof String s) {
                    names.add(0, s);
                } else {
                    names.clear();
                    indexes.add(i.key());
                }
                at = i.collection();
            } else {
                break;
            }
        }
        if (!(at instanceof Variable root)) {
            return false;
        }
        Reference.Kind kind = bound.contains(root.name()) ? null : ROOTS.get(root.name());
        if (kind != null) {
            String name = switch (kind) {
                case VARIABLE, LOCAL, PATH -> names.isEmpty() ? "" : names.get(0);
                case SOURCE, DATA -> String.join(".", names.subList(0, Math.min(2, names.size())));
                default -> names.isEmpty() ? root.name() : root.name() + "." + names.get(0);
            };
            if (!name.isEmpty()) {
                out.add(new Reference(kind, name, root.position()));
            }
        }
        for (Expression index : indexes) {
            collect(index, bound, out);
        }
        return true;
    }

    /** The direct children of an expression, in written order. */
    static List<Expression> children(Expression e) {
        List<Expression> out = new ArrayList<>();
        if (e instanceof StringTemplate t) {
            out.addAll(t.parts());
        } else if (e instanceof GetAttr g) {
            out.add(g.object());
        } else if (e instanceof Index i) {
            out.add(i.collection());
            out.add(i.key());
        } else if (e instanceof Splat s) {
            out.add(s.source());
        } else if (e instanceof FunctionCall f) {
            out.addAll(f.arguments());
        } else if (e instanceof EngineCall c) {
            out.addAll(c.arguments());
        } else if (e instanceof Tuple t) {
            out.addAll(t.elements());
        } else if (e instanceof ObjectCons o) {
            o.items().forEach(item -> {
                out.add(item.key());
                out.add(item.value());
            });
        } else if (e instanceof Unary u) {
            out.add(u.operand());
        } else if (e instanceof Binary b) {
            out.add(b.left());
            out.add(b.right());
        } else if (e instanceof Conditional c) {
            out.add(c.condition());
            out.add(c.whenTrue());
            out.add(c.whenFalse());
        } else if (e instanceof For f) {
            out.add(f.collection());
            if (f.key() != null) {
                out.add(f.key());
            }
            out.add(f.value());
            if (f.condition() != null) {
                out.add(f.condition());
            }
        }
        return out;
    }
}
