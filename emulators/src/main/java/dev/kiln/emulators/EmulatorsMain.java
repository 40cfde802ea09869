package dev.kiln.emulators;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.spi.EmulatorProvider;
import dev.kiln.emulators.spi.EmulatorProviders;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * Runs emulators as a process of their own, for tests in any language and teams that do not use
 * Kiln's scheduler:
 * {@code java -jar kiln-emulators.jar [--providers aws[,...]] [--port N] [--seed N] [--tls] [--ca-dir DIR]
 * [--limits FILE] [--no-throttling] [--fault PROVIDER:ACTION:KEY=VALUE[,...]]... [--json] [--verbose]
 * [--ignore-stdin]}.
 *
 * <p>Prints one line per emulator, {@code NAME http://127.0.0.1:PORT}, with its HTTPS URL after it
 * under {@code --tls}, then (under {@code --tls}) {@code ca PEM TRUSTSTORE}; or, under
 * {@code --json}, one line of JSON saying the same. Then serves until it is sent SIGTERM or its
 * standard input ends (so a parent that dies takes it along); {@code --ignore-stdin} serves until
 * SIGTERM only. With several providers and {@code --port N}, they take N, N+1, ... in the order
 * given, and their HTTPS listeners the ports after those. {@code --tls} starts an HTTPS listener
 * beside each plain one, with certificates from a test CA written to {@code --ca-dir} (a temporary
 * directory, removed at exit, without it). {@code --limits FILE} reshapes limits per provider;
 * {@code --fault} injects a fault into one action (or {@code *}) of one provider from the start.
 * Bad arguments (limits an emulator refuses included): one line on standard error, exit status 2.
 */
public final class EmulatorsMain {

    /** Exit status for bad arguments. */
    public static final int USAGE = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

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
        LauncherOptions options;
        try {
            options = LauncherOptions.parse(args, known.keySet());
        } catch (IllegalArgumentException e) {
            err.println(LauncherOptions.USAGE + " -- " + e.getMessage());
            return USAGE;
        }
        if (options.help) {
            out.println(LauncherOptions.USAGE + " (providers: " + String.join(", ", known.keySet()) + ")");
            return 0;
        }
        List<String> names = options.chosen(known.keySet());
        List<Emulator> running = new ArrayList<>();
        try {
            TestCa ca = options.tls ? TestCa.create() : null;
            TestCa.Files caFiles = ca == null ? null : ca.writeTo(caDirectory(options));
            for (int i = 0; i < names.size(); i++) {
                EmulatorProvider provider = known.get(names.get(i));
                EmulatorSettings settings = new EmulatorSettings(EmulatorSettings.LOOPBACK,
                        options.port == 0 ? 0 : options.port + i, options.seed,
                        options.verbose ? err::println : call -> reportUnknown(call, err))
                        .withLimits(options.limits.getOrDefault(provider.name(), Map.of()))
                        .withThrottling(options.throttling);
                if (ca != null) {
                    settings = settings.withTls(ca, options.port == 0 ? 0 : options.port + names.size() + i);
                }
                Emulator emulator;
                try {
                    emulator = provider.start(settings);
                } catch (IllegalArgumentException e) {
                    // Limits an emulator refuses (a name or shape its provider does not have) are bad arguments.
                    err.println(LauncherOptions.USAGE + " -- " + provider.name() + ": " + e.getMessage());
                    return USAGE;
                }
                running.add(emulator);
                for (LauncherOptions.FaultSpec f : options.faults) {
                    if (f.provider().equals(provider.name())) {
                        emulator.faults().inject(f.action(), f.fault());
                    }
                }
            }
            print(options, running, caFiles, out);
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

    /** {@code --ca-dir}, or a temporary directory whose files go when the JVM exits (SIGTERM included). */
    private static Path caDirectory(LauncherOptions options) {
        if (options.caDir != null) {
            return options.caDir;
        }
        try {
            Path dir = Files.createTempDirectory("kiln-emulators-ca");
            dir.toFile().deleteOnExit();
            dir.resolve(TestCa.PEM_FILE).toFile().deleteOnExit();
            dir.resolve(TestCa.TRUST_STORE_FILE).toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a directory for the test CA: " + e.getMessage(), e);
        }
    }

    private static void print(LauncherOptions options, List<Emulator> running, TestCa.Files ca, PrintStream out) {
        if (options.json) {
            ObjectNode root = JSON.createObjectNode();
            ArrayNode emulators = root.putArray("emulators");
            for (Emulator e : running) {
                ObjectNode n = emulators.addObject().put("provider", e.provider()).put("endpoint",
                        e.endpoint().toString());
                e.tls().ifPresent(t -> n.put("tlsEndpoint", t.endpoint().toString()));
                n.put("admin", e.endpoint() + "/_kiln/");
            }
            if (ca != null) {
                root.putObject("ca").put("pem", ca.pem().toString()).put("trustStore", ca.trustStore().toString())
                        .put("trustStoreType", "PKCS12").put("trustStorePassword", ca.trustStorePassword());
            }
            try {
                out.println(JSON.writeValueAsString(root));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return;
        }
        for (Emulator e : running) {
            out.println(e.provider() + " " + e.endpoint() + e.tls().map(t -> " " + t.endpoint()).orElse(""));
        }
        if (ca != null) {
            out.println("ca " + ca.pem() + " " + ca.trustStore());
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
}
