package dev.kiln.cli;

/** What {@code kiln} exits with. Scripts and CI depend on these: they only ever grow. */
public final class ExitCode {

    /** Every build succeeded (or the command did what it was asked). */
    public static final int OK = 0;
    /** Some builds failed (run), or something could not be swept (sweep). */
    public static final int FAILED = 1;
    /**
     * Invalid input: a missing file, a plan error (an unknown provider, region or limit), a bad flag or
     * setting, a template packer rejects, credentials a provider cannot find or its cloud rejects.
     */
    public static final int USAGE = 2;
    /**
     * Preflight refused builds (a quota that can never fit, plugin drift, a name taken), or
     * {@code kiln plan} predicts throttles or quota breaches.
     */
    public static final int REFUSED = 3;
    /** Kiln itself failed unexpectedly; the message says where the full trace was written. */
    public static final int INTERNAL = 70;
    /** Interrupted (Ctrl-C): the run was cancelled, packer cleaned up, builds were swept. */
    public static final int INTERRUPTED = 130;

    private ExitCode() {
    }
}
