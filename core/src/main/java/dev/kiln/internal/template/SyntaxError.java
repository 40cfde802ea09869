package dev.kiln.internal.template;

import dev.kiln.template.TemplateProblem;

/** Ends the parse of one file at its first syntax error; caught by the readers, never escapes them. */
final class SyntaxError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient TemplateProblem problem;

    SyntaxError(TemplateProblem problem) {
        super(problem.describe(), null, false, false);
        this.problem = problem;
    }

    TemplateProblem problem() {
        return problem;
    }
}
