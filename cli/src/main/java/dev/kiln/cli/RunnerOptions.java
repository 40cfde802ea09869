package dev.kiln.cli;

import java.nio.file.Path;
import java.time.Duration;
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

    Duration grace(CliContext ctx) {
        return new Settings(ctx).duration(grace, "KILN_GRACE", DEFAULT_GRACE);
    }
}
