package dev.kiln.internal.template;

import dev.kiln.internal.template.JsonParser.Member;
import dev.kiln.internal.template.JsonParser.ObjectNode;
import dev.kiln.template.Expression;
import dev.kiln.template.Expression.Literal;
import dev.kiln.template.Expression.ObjectCons;
import dev.kiln.template.Expression.Tuple;
import dev.kiln.template.Expression.Unary;
import dev.kiln.template.TemplateAttribute;
import dev.kiln.template.TemplateBlock;
import dev.kiln.template.TemplateBody;
import dev.kiln.template.TemplateException;
import dev.kiln.template.TemplateProblem;
import dev.kiln.template.VariableFile;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads {@code -var-file}s: JSON objects and HCL2 {@code .pkrvars.hcl}, values only. */
public final class VariableFiles {

    private static final String SUBJECT = "variable file";

    private VariableFiles() {
    }

    public static VariableFile read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new TemplateException(SUBJECT, List.of(Messages.missingVariableFile(path)));
        }
        String text;
        try {
            text = TemplateReader.text(path);
        } catch (TemplateException e) {
            throw new TemplateException(SUBJECT, e.problems());
        }
        Source src = new Source(path, text);
        List<TemplateProblem> problems = new ArrayList<>();
        List<VariableFile.Value> values = new ArrayList<>();
        try {
            if (path.getFileName().toString().endsWith(".json")) {
                json(src, values, problems);
            } else {
                hcl(src, values, problems);
            }
        } catch (SyntaxError e) {
            problems.add(e.problem());
        }
        if (!problems.isEmpty()) {
            throw new TemplateException(SUBJECT, TemplateReader.inFileOrder(problems));
        }
        return new VariableFile(path, values);
    }

    private static void json(Source src, List<VariableFile.Value> values, List<TemplateProblem> problems) {
        JsonParser.Node root = new JsonParser(src).parseDocument();
        if (!(root instanceof ObjectNode o)) {
            problems.add(Messages.jsonVariableFileRoot(src.position(root.start()), JsonParser.kind(root)));
            return;
        }
        for (Member m : o.members()) {
            Expression e = JsonTemplates.expression(src, m.value(), false);
            values.add(new VariableFile.Value(m.key(), unwrap(value(e).orElseThrow()), src.position(m.keyStart())));
        }
    }

    private static void hcl(Source src, List<VariableFile.Value> values, List<TemplateProblem> problems) {
        TemplateBody body = new HclParser(src).parseFile();
        for (TemplateBlock b : body.blocks()) {
            problems.add(Messages.blockInVariableFile(b.position(), b.type()));
        }
        for (TemplateAttribute a : body.attributes()) {
            value(a.value()).ifPresentOrElse(v -> values.add(new VariableFile.Value(a.name(), unwrap(v), a.position())),
                    () -> problems.add(Messages.notAValue(a.position(), a.name(), a.text())));
        }
    }

    /** The plain value a literal expression denotes; empty when it holds anything else. */
    static Optional<Object> value(Expression e) {
        if (e instanceof Literal l) {
            return Optional.of(l.value() == null ? NULL : l.value());
        }
        if (e instanceof Unary u && u.operator().equals("-") && u.operand() instanceof Literal l
                && l.value() instanceof BigDecimal n) {
            return Optional.of(n.negate());
        }
        if (e instanceof Tuple t) {
            List<Object> out = new ArrayList<>();
            for (Expression element : t.elements()) {
                Optional<Object> v = value(element);
                if (v.isEmpty()) {
                    return Optional.empty();
                }
                out.add(v.get() == NULL ? null : v.get());
            }
            return Optional.of(Collections.unmodifiableList(out));
        }
        if (e instanceof ObjectCons o) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (ObjectCons.Item item : o.items()) {
                Optional<Object> v = value(item.value());
                if (!(item.key() instanceof Literal k) || k.value() == null || v.isEmpty()) {
                    return Optional.empty();
                }
                out.put(plain(k.value()), v.get() == NULL ? null : v.get());
            }
            return Optional.of(Collections.unmodifiableMap(out));
        }
        return Optional.empty();
    }

    private static String plain(Object key) {
        return key instanceof BigDecimal n ? n.toPlainString() : key.toString();
    }

    /** Stands for null inside an Optional; never escapes this class. */
    private static final Object NULL = new Object();

    private static Object unwrap(Object value) {
        return value == NULL ? null : value;
    }
}
