package dev.kiln.internal.template;

import dev.kiln.template.TemplatePosition;
import java.nio.file.Path;
import java.util.Arrays;

/** A file's text, with offsets turned into line:column positions. */
final class Source {

    static final int END = -1;

    final Path file;
    final String text;
    private final int[] lineStarts;

    Source(Path file, String text) {
        this.file = file;
        this.text = text;
        int[] starts = new int[16];
        int n = 0;
        starts[n++] = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                if (n == starts.length) {
                    starts = Arrays.copyOf(starts, n * 2);
                }
                starts[n++] = i + 1;
            }
        }
        lineStarts = Arrays.copyOf(starts, n);
    }

    int length() {
        return text.length();
    }

    /** The character at {@code offset}, or {@link #END} past the end. */
    int at(int offset) {
        return offset >= 0 && offset < text.length() ? text.charAt(offset) : END;
    }

    String slice(int start, int end) {
        return text.substring(Math.max(0, start), Math.min(end, text.length()));
    }

    TemplatePosition position(int offset) {
        int o = Math.max(0, Math.min(offset, text.length()));
        int line = Arrays.binarySearch(lineStarts, o);
        if (line < 0) {
            line = -line - 2;
        }
        return new TemplatePosition(file, line + 1, o - lineStarts[line] + 1);
    }
}
