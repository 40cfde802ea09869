package dev.kiln.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * Where each setting comes from: a flag wins over its {@code KILN_*} environment variable, which
 * wins over the plan file (where the plan has the setting) and then Kiln's default.
 */
final class Settings {

    private final CliContext ctx;

    Settings(CliContext ctx) {
        this.ctx = ctx;
    }

    /** The flag's value, else the environment's (parsed), else {@code fallback}. */
    <T> T pick(T flag, String envName, Function<String, T> parse, T fallback) {
        if (flag != null) {
            return flag;
        }
        String raw = ctx.env(envName);
        if (raw == null) {
            return fallback;
        }
        try {
            return parse.apply(raw.trim());
        } catch (RuntimeException e) {
            throw new UsageException("the environment variable " + envName + "='" + raw + "' is not valid: "
                    + reason(e));
        }
    }

    Path path(Path flag, String envName, Path fallback) {
        return pick(flag, envName, Path::of, fallback);
    }

    /** A whole number of at least 1 from {@code flagName} or {@code envName}; an error names whichever gave it. */
    Integer positive(Integer flag, String flagName, String envName, Integer fallback) {
        Integer v = pick(flag, envName, Settings::wholeNumber, fallback);
        if (v != null && v < 1) {
            throw new UsageException(source(flag, flagName, envName) + " must be at least 1, got " + v);
        }
        return v;
    }

    /** What set a value, for a message: the flag when it was given, else its environment variable. */
    static String source(Object flag, String flagName, String envName) {
        return flag != null ? flagName : envName;
    }

    Duration duration(Duration flag, String envName, Duration fallback) {
        return pick(flag, envName, Durations::parse, fallback);
    }

    /** {@code true}, {@code 1} or {@code yes}; {@code false}, {@code 0} or {@code no}. */
    static Boolean yesOrNo(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> Boolean.TRUE;
            case "false", "0", "no" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("'" + s + "' is neither true nor false (1/0, yes/no)");
        };
    }

    static Integer wholeNumber(String s) {
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a whole number");
        }
    }

    private static String reason(RuntimeException e) {
        if (e instanceof CommandLine.TypeConversionException || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        return e.toString();
    }
}
