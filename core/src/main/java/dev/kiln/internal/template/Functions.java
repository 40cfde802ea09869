package dev.kiln.internal.template;

import static dev.kiln.internal.template.Evaluator.unknown;

import dev.kiln.template.Evaluation.Reason;
import dev.kiln.template.Expression;
import dev.kiln.template.Expression.EngineCall;
import dev.kiln.template.Expression.FunctionCall;
import dev.kiln.template.TemplatePosition;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The functions the static evaluator knows, of HCL2 and of the JSON templates' engine. */
final class Functions {

    private static final Set<String> HCL_NOT_STATIC = Set.of("timestamp", "formatdate", "uuidv4", "bcrypt");
    private static final Set<String> HCL_FILES = Set.of("file", "fileexists", "fileset", "templatefile", "abspath",
            "pathexpand", "filebase64", "filemd5", "filesha1", "filesha256", "filesha512");
    private static final Set<String> ENGINE_NOT_STATIC = Set.of("timestamp", "isotime", "uuid");
    private static final Set<String> ENGINE_BY_PACKER = Set.of("build_name", "build_type", "template_dir", "pwd",
            "packer_version", "build");
    private static final Pattern VERB = Pattern.compile("%([-+# 0]*)([0-9]+)?(\\.[0-9]+)?([a-zA-Z%])");

    private Functions() {
    }

    // --- HCL2

    static Object hcl(FunctionCall f, Function<List<Expression>, List<Object>> evaluate,
            Map<String, String> environment) {
        String name = f.name();
        TemplatePosition at = f.position();
        if (HCL_NOT_STATIC.contains(name)) {
            throw unknown(Reason.NOT_STATIC, name + "() changes every time packer runs: not static", at);
        }
        if (HCL_FILES.contains(name)) {
            throw unknown(Reason.NOT_EVALUATED, name + "() reads the file system when packer runs; not evaluated"
                    + " statically", at);
        }
        if (f.expandLast()) {
            throw unknown(Reason.NOT_EVALUATED, name + "(...) with expanded arguments is not evaluated statically", at);
        }
        List<Object> a = evaluate.apply(f.arguments());
        switch (name) {
            case "env":
                arity(name, a, 1, at);
                return environment(text(a.get(0), at), environment, "env(\"" + text(a.get(0), at) + "\")", at);
            case "lower":
                arity(name, a, 1, at);
                return text(a.get(0), at).toLowerCase(Locale.ROOT);
            case "upper":
                arity(name, a, 1, at);
                return text(a.get(0), at).toUpperCase(Locale.ROOT);
            case "title":
                arity(name, a, 1, at);
                return title(text(a.get(0), at));
            case "trimspace":
                arity(name, a, 1, at);
                return text(a.get(0), at).strip();
            case "replace":
                arity(name, a, 3, at);
                return replace(text(a.get(0), at), text(a.get(1), at), text(a.get(2), at), at);
            case "format":
                if (a.isEmpty()) {
                    throw unknown(Reason.INVALID, "format() needs a format string", at);
                }
                return format(text(a.get(0), at), a.subList(1, a.size()), at);
            case "join":
                if (a.size() < 2) {
                    throw unknown(Reason.INVALID, "join() takes a separator and one or more lists", at);
                }
                List<String> joined = new ArrayList<>();
                for (Object list : a.subList(1, a.size())) {
                    list(list, at).forEach(e -> joined.add(text(e, at)));
                }
                return String.join(text(a.get(0), at), joined);
            case "split":
                arity(name, a, 2, at);
                return List.of(text(a.get(1), at).split(Pattern.quote(text(a.get(0), at)), -1));
            case "concat":
                List<Object> all = new ArrayList<>();
                a.forEach(list -> all.addAll(list(list, at)));
                return Collections.unmodifiableList(all);
            case "lookup":
                if (a.size() != 2 && a.size() != 3) {
                    throw unknown(Reason.INVALID, "lookup() takes a map, a key and optionally a default", at);
                }
                if (!(a.get(0) instanceof Map<?, ?> map)) {
                    throw unknown(Reason.INVALID, "lookup() needs a map, not " + describe(a.get(0)), at);
                }
                String key = text(a.get(1), at);
                if (map.containsKey(key)) {
                    return map.get(key);
                }
                if (a.size() == 3) {
                    return a.get(2);
                }
                throw unknown(Reason.INVALID, "lookup() finds no key '" + key + "' and has no default", at);
            case "coalesce":
                for (Object v : a) {
                    if (v != null && !"".equals(v)) {
                        return v;
                    }
                }
                throw unknown(Reason.INVALID, "coalesce() has no argument that is neither null nor empty", at);
            case "merge":
                Map<String, Object> merged = new java.util.LinkedHashMap<>();
                for (Object m : a) {
                    if (m == null) {
                        continue;
                    }
                    if (!(m instanceof Map<?, ?> map)) {
                        throw unknown(Reason.INVALID, "merge() takes objects, not " + describe(m), at);
                    }
                    map.forEach((k, v) -> merged.put(String.valueOf(k), v));
                }
                return Collections.unmodifiableMap(merged);
            case "length":
                arity(name, a, 1, at);
                Object v = a.get(0);
                if (v instanceof String s) {
                    return BigDecimal.valueOf(s.codePointCount(0, s.length()));
                }
                if (v instanceof List<?> l) {
                    return BigDecimal.valueOf(l.size());
                }
                if (v instanceof Map<?, ?> m) {
                    return BigDecimal.valueOf(m.size());
                }
                throw unknown(Reason.INVALID, "length() takes a string, list or map, not " + describe(v), at);
            case "tostring":
                arity(name, a, 1, at);
                return string(a.get(0), at);
            default:
                throw unknown(Reason.NOT_EVALUATED, name + "() is not evaluated by Kiln's static evaluator", at);
        }
    }

    // --- the JSON templates' engine

    static Object engine(EngineCall c, Function<List<Expression>, List<Object>> evaluate,
            Map<String, String> environment) {
        String name = c.function();
        TemplatePosition at = c.position();
        if (ENGINE_NOT_STATIC.contains(name)) {
            throw unknown(Reason.NOT_STATIC, "{{" + name + "}} changes every time packer runs: not static", at);
        }
        if (name.startsWith(".") || ENGINE_BY_PACKER.contains(name)) {
            throw unknown(Reason.SET_BY_PACKER, "{{" + name + "}} is set by packer while it builds", at);
        }
        List<Object> a = evaluate.apply(c.arguments());
        switch (name) {
            case "env":
                arity(name, a, 1, at);
                return environment(text(a.get(0), at), environment, "{{env `" + text(a.get(0), at) + "`}}", at);
            case "lower":
                arity(name, a, 1, at);
                return text(a.get(0), at).toLowerCase(Locale.ROOT);
            case "upper":
                arity(name, a, 1, at);
                return text(a.get(0), at).toUpperCase(Locale.ROOT);
            case "replace_all":
                arity(name, a, 3, at);
                return text(a.get(2), at).replace(text(a.get(0), at), text(a.get(1), at));
            case "replace":
                arity(name, a, 4, at);
                return replaceFirst(text(a.get(3), at), text(a.get(0), at), text(a.get(1), at), whole(a.get(2), at));
            case "split":
                arity(name, a, 3, at);
                String[] pieces = text(a.get(0), at).split(Pattern.quote(text(a.get(1), at)), -1);
                int i = whole(a.get(2), at);
                if (i < 0 || i >= pieces.length) {
                    throw unknown(Reason.INVALID, "{{split}} has no piece " + i + ": there are " + pieces.length, at);
                }
                return pieces[i];
            default:
                throw unknown(Reason.NOT_EVALUATED, "{{" + name + "}} is not evaluated by Kiln's static evaluator", at);
        }
    }

    // --- helpers

    private static Object environment(String name, Map<String, String> environment, String written,
            TemplatePosition at) {
        if (environment == null) {
            throw unknown(Reason.ENVIRONMENT, written + " reads the environment when packer runs", at);
        }
        return environment.getOrDefault(name, "");
    }

    private static void arity(String name, List<Object> a, int n, TemplatePosition at) {
        if (a.size() != n) {
            throw unknown(Reason.INVALID, name + "() takes " + n + (n == 1 ? " argument" : " arguments") + ", not "
                    + a.size(), at);
        }
    }

    /** A value as a template string puts it: numbers in plain notation, bools as true/false. */
    static String string(Object v, TemplatePosition at) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof BigDecimal n) {
            if (huge(n)) {
                return n.toString();
            }
            return n.signum() == 0 ? "0" : n.stripTrailingZeros().toPlainString();
        }
        if (v instanceof Boolean b) {
            return b.toString();
        }
        throw unknown(Reason.INVALID, describe(v) + " cannot be put into a string", at);
    }

    private static String text(Object v, TemplatePosition at) {
        return string(v, at);
    }

    /** Too many digits to write out in full: Kiln writes such a number in scientific notation. */
    private static boolean huge(BigDecimal n) {
        return Math.abs((long) n.precision() - n.scale()) > 1000 || Math.abs((long) n.scale()) > 1000;
    }

    private static List<?> list(Object v, TemplatePosition at) {
        if (v instanceof List<?> l) {
            return l;
        }
        throw unknown(Reason.INVALID, "a list was expected, not " + describe(v), at);
    }

    private static int whole(Object v, TemplatePosition at) {
        if (v instanceof BigDecimal n) {
            try {
                return n.intValueExact();
            } catch (ArithmeticException e) {
                throw unknown(Reason.INVALID, n.toPlainString() + " is not a whole number", at);
            }
        }
        throw unknown(Reason.INVALID, "a whole number was expected, not " + describe(v), at);
    }

    /** How a message names a value's kind. */
    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof BigDecimal) {
            return "a number";
        }
        if (v instanceof Boolean) {
            return "a bool";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        return "an object";
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean start = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(start ? Character.toUpperCase(c) : c);
            start = !Character.isLetterOrDigit(c);
        }
        return out.toString();
    }

    /** HCL's replace: a substring, or a regular expression when written between slashes. */
    private static String replace(String s, String search, String replacement, TemplatePosition at) {
        if (search.length() >= 2 && search.startsWith("/") && search.endsWith("/")) {
            try {
                return Pattern.compile(search.substring(1, search.length() - 1)).matcher(s).replaceAll(replacement);
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw unknown(Reason.NOT_EVALUATED, "replace() with the pattern " + search
                        + " is not evaluated statically", at);
            }
        }
        return s.replace(search, replacement);
    }

    private static String replaceFirst(String s, String old, String replacement, int n) {
        if (n < 0) {
            return s.replace(old, replacement);
        }
        String out = s;
        int from = 0;
        for (int i = 0; i < n; i++) {
            int at = out.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out = out.substring(0, at) + replacement + out.substring(at + old.length());
            from = at + replacement.length() + (old.isEmpty() ? 1 : 0);
        }
        return out;
    }

    /** HCL's format: %s %d %f %t %q %v and %%, with flags, width and precision. */
    private static String format(String spec, List<Object> args, TemplatePosition at) {
        StringBuilder out = new StringBuilder();
        Matcher m = VERB.matcher(spec);
        int last = 0;
        int next = 0;
        while (m.find()) {
            out.append(spec, last, m.start());
            last = m.end();
            char verb = m.group(4).charAt(0);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (next >= args.size()) {
                throw unknown(Reason.INVALID, "format() has too few arguments for \"" + spec + "\"", at);
            }
            Object v = args.get(next++);
            String flags = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            String precision = m.group(3) == null ? "" : m.group(3);
            if ((m.group(2) != null && m.group(2).length() > 3) || precision.length() > 4) {
                throw unknown(Reason.NOT_EVALUATED, "format() with the width or precision of %" + flags + precision
                        + verb + " is not evaluated statically", at);
            }
            switch (verb) {
                case 's', 'v' -> out.append(String.format(Locale.ROOT, "%" + flags.replace("0", "") + precision + "s",
                        string(v, at)));
                case 'q' -> out.append('"').append(string(v, at).replace("\\", "\\\\").replace("\"", "\\\""))
                        .append('"');
                case 't' -> {
                    if (!(v instanceof Boolean)) {
                        throw unknown(Reason.INVALID, "format() %t needs a bool, not " + describe(v), at);
                    }
                    out.append(v);
                }
                case 'd' -> {
                    if (!(v instanceof BigDecimal n)) {
                        throw unknown(Reason.INVALID, "format() %d needs a number, not " + describe(v), at);
                    }
                    try {
                        if (huge(n)) {
                            throw new ArithmeticException("too many digits");
                        }
                        out.append(String.format(Locale.ROOT, "%" + flags + "d", n.toBigIntegerExact()));
                    } catch (ArithmeticException e) {
                        throw unknown(Reason.INVALID, "format() %d needs a whole number, not " + n.toPlainString(), at);
                    }
                }
                case 'f' -> {
                    if (!(v instanceof BigDecimal n)) {
                        throw unknown(Reason.INVALID, "format() %f needs a number, not " + describe(v), at);
                    }
                    if (huge(n)) {
                        throw unknown(Reason.INVALID, "format() %f: the number is too large to write out", at);
                    }
                    out.append(String.format(Locale.ROOT, "%" + flags + (precision.isEmpty() ? ".6" : precision) + "f",
                            n));
                }
                default -> throw unknown(Reason.NOT_EVALUATED, "format() verb %" + verb
                        + " is not evaluated statically", at);
            }
        }
        out.append(spec.substring(last));
        return out.toString();
    }
}
