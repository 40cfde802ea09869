package dev.kiln.plan;

import java.nio.file.Path;

/**
 * Where in a plan file something was written; lines and columns count from 1.
 *
 * @param file   the plan file, or null for plans built in code
 * @param line   line number, 0 when unknown
 * @param column column number, 0 when unknown
 */
public record SourceLocation(Path file, int line, int column) {

    /** For values that did not come from a file. */
    public static final SourceLocation IN_CODE = new SourceLocation(null, 0, 0);

    @Override
    public String toString() {
        if (file == null) {
            return "(plan built in code)";
        }
        return line > 0 ? file + ":" + line + ":" + column : file.toString();
    }
}
