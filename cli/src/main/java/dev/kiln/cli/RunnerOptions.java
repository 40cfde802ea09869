package dev.kiln.cli;

import dev.kiln.gate.GateException;
import dev.kiln.gate.Interception;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    @Option(names = "--gate-route", paramLabel = "HOST=URL",
            description = "Sends packer's calls to HOST (a name, or a pattern where * is one label:"
                    + " ec2.*.amazonaws.com) through the gate to URL instead (http://127.0.0.1:8080): an"
                    + " emulator, metered like a cloud. Repeatable. Environment: KILN_GATE_ROUTES, comma-separated."
                    + " Templates then name no endpoint of their own (packer reaches a loopback endpoint directly,"
                    + " past the gate).")
    List<String> gateRoutes;

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

    /**
     * The hosts the gate sends elsewhere, from {@code --gate-route} or {@code KILN_GATE_ROUTES}: each
     * {@code HOST=URL}, the URL {@code http://} or {@code https://} with a host. A bad one is a
     * usage error naming its flag or variable, the value and what is allowed.
     */
    Map<String, URI> gateRoutes(CliContext ctx) {
        List<String> given = gateRoutes;
        String source = "--gate-route";
        if (given == null || given.isEmpty()) {
            String raw = ctx.env("KILN_GATE_ROUTES");
            if (raw == null || raw.isBlank()) {
                return Map.of();
            }
            given = Arrays.stream(raw.split(",")).map(String::strip).filter(r -> !r.isEmpty()).toList();
            source = "KILN_GATE_ROUTES";
        }
        Map<String, URI> routes = new LinkedHashMap<>();
        for (String route : given) {
            int eq = route.indexOf('=');
            String host = eq < 0 ? "" : route.substring(0, eq).strip();
            String url = eq < 0 ? "" : route.substring(eq + 1).strip();
            URI uri = null;
            try {
                uri = url.isEmpty() ? null : new URI(url);
            } catch (URISyntaxException e) {
                // told below
            }
            if (host.isEmpty() || uri == null || uri.getHost() == null
                    || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new UsageException(source + " '" + route + "' is not HOST=URL: say which host's calls go"
                        + " where, e.g. ec2.*.amazonaws.com=http://127.0.0.1:8080 (the URL http:// or https://"
                        + " with a host)");
            }
            try {
                Interception.hosts(host);
            } catch (GateException e) {
                throw new UsageException(source + " '" + route + "': '" + host + "' is not a host name or a"
                        + " pattern where * stands for one label (ec2.*.amazonaws.com)");
            }
            routes.put(host, uri);
        }
        return routes;
    }

    Duration grace(CliContext ctx) {
        return new Settings(ctx).duration(grace, "KILN_GRACE", DEFAULT_GRACE);
    }
}
