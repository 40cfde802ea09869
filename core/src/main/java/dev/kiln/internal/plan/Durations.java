package dev.kiln.internal.plan;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in plan files: {@code 90s}, {@code 45m}, {@code 2h}, {@code 1h30m}, {@code 1d}, or ISO-8601 {@code PT45M}. */
final class Durations {

    static final String EXAMPLES = "90s, 45m, 2h, 1h30m or ISO-8601 PT45M";
    static final String ALLOWED = "a duration such as " + EXAMPLES;

    private static final Pattern SHORT = Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    private Durations() {
    }

    static Optional<Duration> parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (s.charAt(0) == 'P' || s.charAt(0) == 'p') {
                return Optional.of(Duration.parse(s));
            }
            Matcher m = SHORT.matcher(s);
            if (!m.matches()) {
                return Optional.empty();
            }
            Duration d = Duration.ZERO;
            d = d.plusDays(group(m, 1)).plusHours(group(m, 2)).plusMinutes(group(m, 3)).plusSeconds(group(m, 4));
            return Optional.of(d);
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static long group(Matcher m, int group) {
        String g = m.group(group);
        return g == null ? 0 : Long.parseLong(g);
    }

    /** The short form of {@code d}, as a plan file would write it: {@code 1h30m}. */
    static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        if (d.toHours() > 0) {
            sb.append(d.toHours()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            sb.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0 || sb.length() == 0) {
            sb.append(d.toSecondsPart()).append('s');
        }
        return sb.toString();
    }
}
