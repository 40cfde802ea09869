package dev.kiln.internal.plan;

import dev.kiln.packer.Redactor;
import dev.kiln.plan.PlanException;
import dev.kiln.plan.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Collects every problem of a plan, so the user sees them all at once, in file order. */
final class Problems {

    static final String MASK = "****";

    /**
     * In Kiln's own words (the "allowed" part) shorter secrets are not masked: they would blank out
     * ordinary words. In a value as the user wrote it, every secret is.
     */
    private static final int MIN_MASKED_IN_PROSE = 4;

    private final List<Problem> found = new ArrayList<>();
    private final Set<String> secrets = new LinkedHashSet<>();

    void add(Problem problem) {
        found.add(problem);
    }

    /** Registers a value that no message may show, wherever it would appear. */
    void secret(String value) {
        if (value != null && !value.isEmpty()) {
            secrets.add(value);
        }
    }

    /**
     * Throws one {@link PlanException} with every problem, sorted by line and column (stable, so
     * problems at one place keep the order they were found), with every registered secret masked
     * wherever it appears.
     */
    void throwIfAny() {
        if (!found.isEmpty()) {
            throw toException();
        }
    }

    /** The exception for the problems found so far; there must be at least one. */
    PlanException toException() {
        List<Problem> sorted = new ArrayList<>();
        for (Problem p : found) {
            sorted.add(new Problem(p.location(), p.field(), mask(p.value(), 1),
                    mask(p.allowed(), MIN_MASKED_IN_PROSE)));
        }
        sorted.sort(Comparator.comparingInt((Problem p) -> p.location().line())
                .thenComparingInt(p -> p.location().column()));
        return new PlanException(sorted);
    }

    private String mask(String text, int minLength) {
        if (text == null) {
            return null;
        }
        String out = text;
        // Longest first, so a secret that contains another is masked whole. A short one only where it
        // stands as a word of its own, as the Redactor does: inside other words it would garble them
        // (and such a secret is refused on its own anyway).
        for (String secret : secrets.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            if (secret.length() >= Redactor.MIN_MASKED_ANYWHERE) {
                out = out.replace(secret, MASK);
            } else if (secret.length() >= minLength) {
                out = Pattern.compile("(?<![A-Za-z0-9])" + Pattern.quote(secret) + "(?![A-Za-z0-9])").matcher(out)
                        .replaceAll(MASK);
            }
        }
        return out;
    }
}
