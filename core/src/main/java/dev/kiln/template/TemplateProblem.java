package dev.kiln.template;

/**
 * One thing wrong with a template: where it is, what was found and what would have been accepted.
 * Its {@link #describe() text} is part of Kiln's API; tests assert it.
 *
 * @param position where it was written
 * @param found    what was found, e.g. {@code unknown block type 'sourc'}
 * @param allowed  what is allowed there, in words
 */
public record TemplateProblem(TemplatePosition position, String found, String allowed) {

    /** The one-line form: {@code file:line:column: found — allowed}. */
    public String describe() {
        return position + ": " + found + " — " + allowed;
    }

    @Override
    public String toString() {
        return describe();
    }
}
