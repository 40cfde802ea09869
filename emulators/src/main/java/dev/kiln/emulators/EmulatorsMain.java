package dev.kiln.emulators;

import dev.kiln.emulators.spi.EmulatorProvider;
import dev.kiln.emulators.spi.EmulatorProviders;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * Runs emulators as a process of their own:
 * {@code java -jar kiln-emulators.jar [--providers aws[,...]] [--port N] [--seed N] [--verbose] [--ignore-stdin]}.
 * Prints one line per emulator, {@code NAME http://127.0.0.1:PORT}, then serves until it is sent
 * SIGTERM or its standard input ends (so a parent that dies takes it along). {@code --ignore-stdin}
 * serves until SIGTERM only, for runs with no standard input. With several providers and
 * {@code --port N}, they take N, N+1, ... in the order given. Bad arguments: one line on standard
 * error, exit status 2.
 */
public final class EmulatorsMain {

    /** Exit status for bad arguments. */
    public static final int USAGE = 2;

    private static final String USAGE_LINE = "usage: kiln-emulators [--providers NAME[,NAME...]] [--port N] [--seed N]"
            + " [--verbose] [--ignore-stdin]";

    private EmulatorsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        // The shaded jar carries no SLF4J binding; its "no providers" notice is noise on the launcher's stderr.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        System.exit(run(args, System.in, System.out, System.err));
    }

    /**
     * Runs the launcher with these streams and returns its exit status: 0 after a normal stop,
     * {@link #USAGE} for bad arguments, 1 when an emulator cannot start.
     */
    public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err)
            throws InterruptedException {
        Map<String, EmulatorProvider> known = new TreeMap<>();
        EmulatorProviders.all().forEach(p -> known.put(p.name(), p));
        Options options;
        try {
            options = Options.parse(args, known.keySet());
        } catch (IllegalArgumentException e) {
            err.println(USAGE_LINE + " -- " + e.getMessage());
            return USAGE;
        }
        if (options.help) {
            out.println(USAGE_LINE + " (providers: " + String.join(", ", known.keySet()) + ")");
            return 0;
        }
        List<String> names = options.providers.isEmpty() ? new ArrayList<>(known.keySet()) : options.providers;
        List<Emulator> running = new ArrayList<>();
        try {
            for (int i = 0; i < names.size(); i++) {
                EmulatorProvider provider = known.get(names.get(i));
                int port = options.port == 0 ? 0 : options.port + i;
                Emulator emulator = provider.start(new EmulatorSettings(EmulatorSettings.LOOPBACK, port, options.seed,
                        options.verbose ? err::println : call -> reportUnknown(call, err)));
                running.add(emulator);
                out.println(provider.name() + " " + emulator.endpoint());
            }
            out.flush();
            if (options.ignoreStdin) {
                new CountDownLatch(1).await();
            } else {
                drain(stdin);
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("kiln-emulators: " + e.getMessage());
            return 1;
        } finally {
            running.forEach(Emulator::close);
        }
    }

    /** Without --verbose, still tell of actions the emulator does not know: they show what to implement next. */
    private static void reportUnknown(ApiCall call, PrintStream err) {
        if ("InvalidAction".equals(call.errorCode())) {
            err.println("kiln-emulators: unknown action " + call.action() + " (answered InvalidAction)");
        }
    }

    private static void drain(InputStream in) {
        byte[] buffer = new byte[1024];
        try {
            while (in.read(buffer) >= 0) {
                // Reading only to notice the end: input itself means nothing.
            }
        } catch (IOException e) {
            // A broken standard input ends the run, as its end does.
        }
    }

    private static final class Options {
        final List<String> providers = new ArrayList<>();
        int port;
        long seed = EmulatorSettings.DEFAULT_SEED;
        boolean verbose;
        boolean ignoreStdin;
        boolean help;

        static Options parse(String[] args, java.util.Set<String> known) {
            Options o = new Options();
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
                            if (!known.contains(n)) {
                                throw new IllegalArgumentException("unknown provider '" + n + "' (known: "
                                        + String.join(", ", known) + ")");
                            }
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
                    case "--verbose" -> o.verbose = true;
                    case "--ignore-stdin" -> o.ignoreStdin = true;
                    case "--help", "-h" -> o.help = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (o.port > 0 && o.port + Math.max(1, o.providers.isEmpty() ? known.size() : o.providers.size()) - 1
                    > 65535) {
                throw new IllegalArgumentException("--port " + o.port + " leaves no room for every provider");
            }
            return o;
        }

        private static String next(String[] args, int i, String option) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }
}
