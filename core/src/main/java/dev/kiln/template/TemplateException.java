package dev.kiln.template;

import dev.kiln.KilnException;
import java.util.List;

/**
 * A template or variable file Kiln cannot read as written: a syntax error (the first one of each
 * file) or structure errors (all of them). The message names each problem's file:line:column, what
 * was found there and what is allowed; it never holds a stack trace or a parser's raw output.
 */
public final class TemplateException extends KilnException {

    private static final long serialVersionUID = 1L;

    private final transient List<TemplateProblem> problems;

    /**
     * @param subject  what was being read, e.g. {@code Packer template} or {@code variable file}
     * @param problems at least one problem, in file order
     */
    public TemplateException(String subject, List<TemplateProblem> problems) {
        super(format(subject, problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in file order. */
    public List<TemplateProblem> problems() {
        return problems;
    }

    private static String format(String subject, List<TemplateProblem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a TemplateException needs at least one problem");
        }
        if (problems.size() == 1) {
            return "invalid " + subject + ": " + problems.get(0).describe();
        }
        StringBuilder sb = new StringBuilder("invalid " + subject + " (" + problems.size() + " problems):");
        for (TemplateProblem p : problems) {
            sb.append("\n  ").append(p.describe());
        }
        return sb.toString();
    }
}
