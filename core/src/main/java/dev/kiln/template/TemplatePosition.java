package dev.kiln.template;

import java.nio.file.Path;

/**
 * Where in a template (or variable file) something was written. Lines and columns count from 1;
 * a column counts characters (a tab is one).
 *
 * @param file   the file
 * @param line   line number, 0 when the position is the file as a whole
 * @param column column number, 0 when the position is the file as a whole
 */
public record TemplatePosition(Path file, int line, int column) {

    /** The file as a whole, for problems (an unreadable file) that have no line. */
    public static TemplatePosition file(Path file) {
        return new TemplatePosition(file, 0, 0);
    }

    /** {@code file:line:column}, or just the file when there is no line. */
    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ":" + column : String.valueOf(file);
    }
}
