package dev.kiln.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns; numeric columns are right-aligned. */
final class Table {

    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] right;

    Table(String... header) {
        rows.add(header);
        right = new boolean[header.length];
    }

    Table right(int... columns) {
        for (int c : columns) {
            right[c] = true;
        }
        return this;
    }

    Table row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cells[i] == null ? "" : String.valueOf(cells[i]);
        }
        rows.add(r);
        return this;
    }

    boolean isEmpty() {
        return rows.size() == 1;
    }

    @Override
    public String toString() {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                String cell = row[i];
                boolean last = i == row.length - 1;
                if (right[i]) {
                    line.append(" ".repeat(width[i] - cell.length())).append(cell);
                } else {
                    line.append(cell);
                    if (!last) {
                        line.append(" ".repeat(width[i] - cell.length()));
                    }
                }
                if (!last) {
                    line.append("  ");
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
