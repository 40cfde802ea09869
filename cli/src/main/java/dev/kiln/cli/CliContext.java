package dev.kiln.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command runs with: its streams, its environment, where relative paths start, and
 * whether it talks to a terminal. {@link #system()} for the real process; tests pass their own.
 *
 * @param out          standard output: results, tables, progress
 * @param err          standard error: errors and warnings
 * @param env          the environment ({@code KILN_*}, {@code CI}, {@code GITHUB_STEP_SUMMARY}...)
 * @param terminal     whether standard output is an interactive terminal
 * @param handleSignals whether {@code kiln run} may install a shutdown hook so Ctrl-C cancels the run
 */
public record CliContext(PrintStream out, PrintStream err, Map<String, String> env, boolean terminal,
                         boolean handleSignals) {

    public CliContext {
        env = Map.copyOf(env);
    }

    /** The real process: System streams and environment, a terminal when there is a console. */
    public static CliContext system() {
        return new CliContext(System.out, System.err, System.getenv(), System.console() != null, true);
    }

    /** A context that is no terminal and installs no hooks: for tests and embedding. */
    public static CliContext of(PrintStream out, PrintStream err, Map<String, String> env) {
        return new CliContext(out, err, env, false, false);
    }

    /** A setting from the environment, or null when unset or blank. */
    public String env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    /** Whether this runs in CI ({@code CI} set, as GitHub Actions, GitLab and most CI servers do). */
    public boolean ci() {
        String ci = env("CI");
        return ci != null && !"false".equalsIgnoreCase(ci) && !"0".equals(ci);
    }

    /** {@code path} against the working directory, as the user typed it. */
    public Path resolve(Path path) {
        return path.toAbsolutePath().normalize();
    }
}
