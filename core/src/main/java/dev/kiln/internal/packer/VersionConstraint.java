package dev.kiln.internal.packer;

import dev.kiln.KilnException;
import dev.kiln.packer.PackerVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version constraint in the form packer and Terraform use: comma-separated terms that must all
 * hold, each an operator and a version. {@code >= 1.6.0, < 2.0.0}; {@code ~> 1.8} (any 1.x from
 * 1.8 on); {@code ~> 1.8.2} (1.8.x from 1.8.2 on); a bare {@code 1.6.6} means exactly that version.
 * Immutable.
 */
public final class VersionConstraint {

    private static final Pattern TERM = Pattern.compile("(=|!=|>=|<=|>|<|~>)?\\s*(\\S+)");
    private static final String ALLOWED = "comma-separated terms '<operator> <version>' with operator one of"
            + " =, !=, >, >=, <, <=, ~> (e.g. '>= 1.6.0, < 2.0.0', '~> 1.8', '1.6.6')";

    private final String text;
    private final List<Term> terms;

    private VersionConstraint(String text, List<Term> terms) {
        this.text = text;
        this.terms = List.copyOf(terms);
    }

    /**
     * Reads a constraint.
     *
     * @throws KilnException naming the constraint, the offending term and what is allowed
     */
    public static VersionConstraint parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new KilnException("version constraint is empty; allowed: " + ALLOWED);
        }
        List<Term> terms = new ArrayList<>();
        for (String part : text.split(",")) {
            String term = part.trim();
            Matcher m = TERM.matcher(term);
            if (term.isEmpty() || !m.matches()) {
                throw new KilnException("version constraint '" + text + "' has an invalid term '" + term
                        + "'; allowed: " + ALLOWED);
            }
            String op = m.group(1) == null ? "=" : m.group(1);
            PackerVersion version;
            try {
                version = PackerVersion.parse(m.group(2));
            } catch (KilnException e) {
                throw new KilnException("version constraint '" + text + "' has an invalid term '" + term + "': "
                        + e.getMessage() + "; allowed: " + ALLOWED);
            }
            int segments = m.group(2).replaceFirst("^v", "").split("-", 2)[0].split("\\.").length;
            terms.add(new Term(op, version, segments));
        }
        return new VersionConstraint(text.trim(), terms);
    }

    /** Whether {@code version} satisfies every term. */
    public boolean allows(PackerVersion version) {
        Objects.requireNonNull(version, "version");
        for (Term t : terms) {
            if (!t.allows(version)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionConstraint other && terms.equals(other.terms);
    }

    @Override
    public int hashCode() {
        return terms.hashCode();
    }

    /** The constraint as it was written. */
    @Override
    public String toString() {
        return text;
    }

    private record Term(String op, PackerVersion version, int segments) {

        boolean allows(PackerVersion v) {
            int c = v.compareTo(version);
            return switch (op) {
                case "=" -> c == 0;
                case "!=" -> c != 0;
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case "~>" -> c >= 0 && v.release().compareTo(pessimisticCeiling()) < 0;
                default -> throw new IllegalStateException(op);
            };
        }

        // "~> 1.8" allows up to 2.0 (the last written segment may grow); "~> 1.8.2" up to 1.9.
        private PackerVersion pessimisticCeiling() {
            if (segments <= 2) {
                return PackerVersion.of(version.major() + 1, 0, 0);
            }
            return PackerVersion.of(version.major(), version.minor() + 1, 0);
        }
    }
}
