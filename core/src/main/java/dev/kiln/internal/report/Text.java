package dev.kiln.internal.report;

import dev.kiln.report.RunReport;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalDouble;

/** Escaping and formatting shared by the report writers. */
final class Text {

    private Text() {
    }

    /** Text safe in HTML and XML content and in double- or single-quoted attributes. */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0xFFFE || c == 0xFFFF) {
                        // Not allowed in XML 1.0 at all: packer output can hold terminal control codes.
                        sb.append('\uFFFD');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** {@code 1h02m}, {@code 4m05s}, {@code 12.3s}. */
    static String duration(Duration d) {
        long s = d.getSeconds();
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    /** How far the run came from its forecast, e.g. {@code +8.8 %}; empty without a forecast. */
    static String offForecast(RunReport run) {
        OptionalDouble ratio = run.forecastRatio();
        return ratio.isPresent() ? String.format(Locale.ROOT, "%+.1f %%", (ratio.getAsDouble() - 1) * 100) : "";
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
    }

    static String oneLine(String s, int max) {
        String t = s == null ? "" : s.replaceAll("\\s+", " ").trim();
        return t.length() > max ? t.substring(0, max - 1) + "…" : t;
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
