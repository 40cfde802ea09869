package dev.kiln.plan;

/**
 * One thing wrong with a plan: where it is, which field, the value found and what is allowed.
 *
 * @param location where the value was written
 * @param field    dotted path of the field, e.g. {@code images[2].template}
 * @param value    the offending value as written (never a secret: sensitive values are masked)
 * @param allowed  what would have been accepted, in words
 */
public record Problem(SourceLocation location, String field, String value, String allowed) {

    /** The one-line form used in every error message: {@code file:line:col: field: value 'x' ...}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(location).append(": ").append(field);
        if (value != null) {
            sb.append(": '").append(value).append("'");
        }
        sb.append(" — ").append(allowed);
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
