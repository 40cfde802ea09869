package dev.kiln.plan;

import dev.kiln.KilnException;
import java.util.List;

/** A plan that cannot be run as written. Carries every problem found, not just the first. */
public final class PlanException extends KilnException {

    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public PlanException(List<Problem> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    public PlanException(Problem problem) {
        this(List.of(problem));
    }

    /** Every problem found, in file order. */
    public List<Problem> problems() {
        return problems;
    }

    private static String format(List<Problem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a PlanException needs at least one problem");
        }
        if (problems.size() == 1) {
            return "invalid plan: " + problems.get(0).describe();
        }
        StringBuilder sb = new StringBuilder("invalid plan (" + problems.size() + " problems):");
        for (Problem p : problems) {
            sb.append("\n  ").append(p.describe());
        }
        return sb.toString();
    }
}
