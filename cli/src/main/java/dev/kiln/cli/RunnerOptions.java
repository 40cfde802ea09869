package dev.kiln.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Where runs go and how packer runs. */
final class RunnerOptions {

    @Option(names = "--runs-dir", paramLabel = "DIR",
            description = "Where each run gets its directory (events.jsonl, logs, reports). Environment:"
                    + " KILN_RUNS_DIR. Default: ./kiln-runs.")
    Path runsDir;

    @Option(names = "--slots", paramLabel = "N",
            description = "How many packer processes may run at once on this machine. Environment: KILN_SLOTS."
                    + " Default: 16.")
    Integer slots;

    @Option(names = "--packer", paramLabel = "PATH",
            description = "The packer executable. Environment: KILN_PACKER. Default: packer on PATH. The plan's"
                    + " packer.version says which versions are allowed.")
    Path packer;

    @Option(names = "--plugin-path", paramLabel = "DIR",
            description = "Where packer finds plugins (PACKER_PLUGIN_PATH for every build). Environment:"
                    + " KILN_PLUGIN_PATH. Default: packer's own lookup.")
    Path pluginPath;

    @Option(names = "--grace", paramLabel = "DURATION", converter = Durations.class,
            description = "How long packer gets to clean up after Ctrl-C before it is killed. Environment:"
                    + " KILN_GRACE. Default: 30s.")
    Duration grace;

    @Option(names = "--gate", paramLabel = "on|off",
            description = "Whether packer's calls to the providers' API hosts (EC2, Resource Manager, Compute"
                    + " Engine) pass Kiln's gate, a loopback proxy that holds each call until Kiln's limit of its"
                    + " API class allows it and counts it (docs/gate.md). Off: packer calls its clouds directly"
                    + " and Kiln charges each build's cost model instead. Environment: KILN_GATE. Default: on.")
    String gate;

    static final Path DEFAULT_RUNS = Path.of("kiln-runs");
    static final int DEFAULT_SLOTS = 16;
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);

    Path runsDir(CliContext ctx) {
        return new Settings(ctx).path(runsDir, "KILN_RUNS_DIR", DEFAULT_RUNS);
    }

    int slots(CliContext ctx) {
        return new Settings(ctx).positive(slots, "--slots", "KILN_SLOTS", DEFAULT_SLOTS);
    }

    Path packer(CliContext ctx) {
        return new Settings(ctx).path(packer, "KILN_PACKER", null);
    }

    Path pluginPath(CliContext ctx) {
        return new Settings(ctx).path(pluginPath, "KILN_PLUGIN_PATH", null);
    }

    /** Whether builds go through Kiln's gate: {@code --gate}, else {@code KILN_GATE}, else on. */
    boolean gate(CliContext ctx) {
        String v = new Settings(ctx).pick(gate, "KILN_GATE", s -> s, "on").strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new UsageException((gate != null ? "--gate" : "KILN_GATE") + " is '" + v
                    + "': say on (packer's API calls metered through Kiln's gate) or off (direct, unmetered)");
        };
    }

    Duration grace(CliContext ctx) {
        return new Settings(ctx).duration(grace, "KILN_GRACE", DEFAULT_GRACE);
    }
}
