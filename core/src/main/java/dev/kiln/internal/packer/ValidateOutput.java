package dev.kiln.internal.packer;

import dev.kiln.plan.ImageSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code packer validate} said, in the plan's terms. packer points at the var-file Kiln
 * wrote for it ({@code on /run/preflight/.kiln-validate-123.json line 7:}, then that line, value
 * and all), a temporary file deleted by the time anyone reads the message: each such reference
 * becomes the variable it was, as the plan gives it. Kiln passes its own {@code kiln_*} variables
 * to every template, so HCL templates that do not declare them warn about each; the short form
 * keeps packer's errors only, the full form everything.
 */
final class ValidateOutput {

    /** A diagnostic of packer's: its first line is {@code Error: ...} or {@code Warning: ...}. */
    private static final Pattern HEADER = Pattern.compile("(?m)^(Error|Warning): ");
    private static final Pattern VAR_FILE_REFERENCE = Pattern.compile(
            "on (\\S*" + Pattern.quote(Validations.VALIDATE_VAR_FILE_PREFIX) + "\\S*?) line (\\d+):"
                    + "\\n(?:[ \\t]*\\d+:[^\\n]*\\n?)?");
    private static final Pattern KEY = Pattern.compile("^\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:");

    private ValidateOutput() {
    }

    /**
     * The short and full forms of packer's messages.
     *
     * @param text         the text of packer's error lines (or of all its lines when none was an error)
     * @param varFileLines the var-file as it was written, line by line, to tell which variable a line held
     * @param image        the image whose variables they were
     */
    static Message of(String text, List<String> varFileLines, ImageSpec image) {
        // packer quotes the offending line of its var file; that file is Kiln's and already gone
        String mapped = mapVarFile(text, varFileLines, image)
                .replaceAll("(?m)^[ \\t]*\\(source code not available\\)[ \\t]*\\n?", "");
        List<String> diagnostics = diagnostics(mapped);
        List<String> errors = diagnostics.stream().filter(d -> d.startsWith("Error: ")).toList();
        String full = tidy(mapped);
        String concise = errors.isEmpty() ? full : String.join("\n", errors.stream().map(ValidateOutput::oneLine)
                .toList());
        return new Message(concise, full);
    }

    /** What packer said: the part that matters, and all of it. */
    record Message(String concise, String full) {
    }

    private static String mapVarFile(String text, List<String> varFileLines, ImageSpec image) {
        Matcher m = VAR_FILE_REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int line = Integer.parseInt(m.group(2));
            String variable = line >= 1 && line <= varFileLines.size() ? key(varFileLines.get(line - 1)) : null;
            m.appendReplacement(out, Matcher.quoteReplacement(describe(variable, image) + ":\n"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String key(String line) {
        Matcher k = KEY.matcher(line);
        return k.find() ? k.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : null;
    }

    private static String describe(String variable, ImageSpec image) {
        if (variable == null) {
            return "in the variables Kiln passed for image '" + image.name() + "'";
        }
        if (variable.startsWith("kiln_") && !image.variables().containsKey(variable)) {
            return "in Kiln's own variable " + variable + " (passed to every template)";
        }
        return "in variable " + variable + " (variables." + variable + " of image '" + image.name() + "'"
                + (image.location().line() > 0 ? ", " + image.location() : "") + ")";
    }

    /** packer's diagnostics, each from its {@code Error:} or {@code Warning:} line to the next one. */
    private static List<String> diagnostics(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = HEADER.matcher(text);
        int start = -1;
        while (m.find()) {
            if (start >= 0) {
                out.add(text.substring(start, m.start()).strip());
            }
            start = m.start();
        }
        if (start >= 0) {
            out.add(text.substring(start).strip());
        }
        return out;
    }

    /** {@code Error: title}, blank line, body: one line, {@code Error: title: body}. */
    private static String oneLine(String diagnostic) {
        String[] paragraphs = diagnostic.strip().split("\\n\\s*\\n");
        StringBuilder sb = new StringBuilder();
        for (String p : paragraphs) {
            String flat = p.strip().replaceAll("\\s*\\n\\s*", " ");
            if (flat.isEmpty()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(sb.charAt(sb.length() - 1) == ':' ? " " : ": ");
            }
            sb.append(flat);
        }
        return sb.toString();
    }

    private static String tidy(String text) {
        String t = text.replaceAll("\\n{3,}", "\n\n").strip();
        return t.isEmpty() ? "(packer printed nothing)" : t;
    }
}
