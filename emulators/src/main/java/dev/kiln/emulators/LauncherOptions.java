package dev.kiln.emulators;

import dev.kiln.limits.LimitSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The launcher's command line, read and checked: every refusal names the argument and what it takes. */
final class LauncherOptions {

    static final String USAGE = "usage: kiln-emulators [--providers NAME[,NAME...]] [--port N] [--seed N]"
            + " [--tls] [--ca-dir DIR] [--limits FILE] [--no-throttling] [--fault PROVIDER:ACTION:KEY=VALUE[,...]]..."
            + " [--json] [--verbose] [--ignore-stdin]";

    /** One {@code --fault}: the provider, the action (or {@code *}) and the fault. */
    record FaultSpec(String provider, String action, Fault fault) {
    }

    final List<String> providers = new ArrayList<>();
    int port;
    long seed = EmulatorSettings.DEFAULT_SEED;
    boolean tls;
    Path caDir;
    Map<String, Map<String, LimitSpec>> limits = Map.of();
    boolean throttling = true;
    final List<FaultSpec> faults = new ArrayList<>();
    boolean json;
    boolean verbose;
    boolean ignoreStdin;
    boolean help;

    private LauncherOptions() {
    }

    static LauncherOptions parse(String[] args, Set<String> known) {
        LauncherOptions o = new LauncherOptions();
        Path limitsFile = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--providers" -> {
                    String list = value != null ? value : next(args, ++i, arg);
                    for (String name : list.split(",")) {
                        String n = name.trim();
                        requireProvider(n, known, "--providers");
                        if (!o.providers.contains(n)) {
                            o.providers.add(n);
                        }
                    }
                }
                case "--port" -> {
                    String v = value != null ? value : next(args, ++i, arg);
                    try {
                        o.port = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port takes a number from 0 to 65535, got '" + v + "'");
                    }
                    if (o.port < 0 || o.port > 65535) {
                        throw new IllegalArgumentException("--port takes a number from 0 to 65535, got " + o.port);
                    }
                }
                case "--seed" -> {
                    String v = value != null ? value : next(args, ++i, arg);
                    try {
                        o.seed = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--seed takes a whole number, got '" + v + "'");
                    }
                }
                case "--tls" -> o.tls = true;
                case "--ca-dir" -> {
                    o.caDir = Path.of(value != null ? value : next(args, ++i, arg));
                    o.tls = true;
                }
                case "--limits" -> limitsFile = Path.of(value != null ? value : next(args, ++i, arg));
                case "--no-throttling" -> o.throttling = false;
                case "--fault" -> o.faults.add(fault(value != null ? value : next(args, ++i, arg), known));
                case "--json" -> o.json = true;
                case "--verbose" -> o.verbose = true;
                case "--ignore-stdin" -> o.ignoreStdin = true;
                case "--help", "-h" -> o.help = true;
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        List<String> chosen = o.chosen(known);
        int ports = chosen.size() * (o.tls ? 2 : 1);
        if (o.port > 0 && o.port + ports - 1 > 65535) {
            throw new IllegalArgumentException("--port " + o.port + " leaves no room for every provider");
        }
        if (limitsFile != null) {
            o.limits = LimitsFile.read(limitsFile, known);
            for (String provider : o.limits.keySet()) {
                if (!chosen.contains(provider)) {
                    throw new IllegalArgumentException("--limits " + limitsFile + " sets limits of " + provider
                            + ", which is not started (--providers " + String.join(",", chosen) + ")");
                }
            }
        }
        for (FaultSpec f : o.faults) {
            if (!chosen.contains(f.provider())) {
                throw new IllegalArgumentException("--fault " + f.provider() + ":" + f.action() + ": " + f.provider()
                        + " is not started (--providers " + String.join(",", chosen) + ")");
            }
        }
        return o;
    }

    /** The providers to start: those named, or every known one. */
    List<String> chosen(Set<String> known) {
        return providers.isEmpty() ? new ArrayList<>(new java.util.TreeSet<>(known)) : List.copyOf(providers);
    }

    /**
     * {@code PROVIDER:ACTION:KEY=VALUE[,KEY=VALUE...]}, the keys those of the admin API's
     * {@code POST /_kiln/faults}: errorRate, throttleRate, resetRate (0..1), latencyMillis,
     * outageAfterMillis, outageMillis.
     */
    static FaultSpec fault(String text, Set<String> known) {
        String[] parts = text.split(":", 3);
        String form = "--fault takes PROVIDER:ACTION:KEY=VALUE[,KEY=VALUE...], e.g. aws:RunInstances:errorRate=0.5"
                + " or gcp:*:throttleRate=0.1,latencyMillis=200; keys: errorRate, throttleRate, resetRate (0 to 1),"
                + " latencyMillis, outageAfterMillis, outageMillis";
        if (parts.length != 3 || parts[1].isBlank() || parts[2].isBlank()) {
            throw new IllegalArgumentException(form + "; got '" + text + "'");
        }
        requireProvider(parts[0], known, "--fault");
        Map<String, String> values = new LinkedHashMap<>();
        for (String kv : parts[2].split(",")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(form + "; got '" + kv + "' in '" + text + "'");
            }
            values.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        Fault fault = Fault.none();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String v = e.getValue();
            try {
                fault = switch (e.getKey()) {
                    case "errorRate" -> fault.withErrorRate(Double.parseDouble(v));
                    case "throttleRate" -> fault.withThrottleRate(Double.parseDouble(v));
                    case "resetRate" -> fault.withResetRate(Double.parseDouble(v));
                    case "latencyMillis" -> fault.withLatency(Duration.ofMillis(Long.parseLong(v)));
                    case "outageAfterMillis" -> fault.withOutage(Duration.ofMillis(Long.parseLong(v)),
                            fault.outageFor());
                    case "outageMillis" -> fault.withOutage(fault.outageAfter(), Duration.ofMillis(Long.parseLong(v)));
                    default -> throw new IllegalArgumentException(form + "; got the key '" + e.getKey() + "'");
                };
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("--fault " + text + ": " + e.getKey() + " takes a number, got '"
                        + v + "'");
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(ex.getMessage().startsWith("--fault") ? ex.getMessage()
                        : "--fault " + text + ": " + ex.getMessage());
            }
        }
        return new FaultSpec(parts[0], parts[1], fault);
    }

    private static void requireProvider(String name, Set<String> known, String option) {
        if (!known.contains(name)) {
            throw new IllegalArgumentException(option + ": unknown provider '" + name + "' (known: "
                    + String.join(", ", new java.util.TreeSet<>(known)) + ")");
        }
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
