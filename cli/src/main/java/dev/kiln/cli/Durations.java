package dev.kiln.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Durations as people write them: {@code 90s}, {@code 45m}, {@code 2h}, {@code 1h30m}, {@code 7d}, ISO {@code PT45M}. */
final class Durations implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    static final String ALLOWED = "write 90s, 45m, 2h, 1h30m, 7d or ISO-8601 PT45M";

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            try {
                return nonNegative(Duration.parse(s.toUpperCase(Locale.ROOT)), text);
            } catch (DateTimeParseException e) {
                throw bad(text);
            }
        }
        Matcher m = PART.matcher(s);
        int at = 0;
        Duration d = Duration.ZERO;
        while (at < s.length() && m.find(at) && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            at = m.end();
        }
        if (at == 0 || at != s.length()) {
            throw bad(text);
        }
        return d;
    }

    private static Duration nonNegative(Duration d, String text) {
        if (d.isNegative()) {
            throw bad(text);
        }
        return d;
    }

    private static CommandLine.TypeConversionException bad(String text) {
        return new CommandLine.TypeConversionException("'" + text + "' is not a duration; " + ALLOWED);
    }
}
