package dev.kiln.gate.internal;

import dev.kiln.gate.GateException;
import dev.kiln.gate.GateListener;
import dev.kiln.gate.Interception;
import dev.kiln.gate.Meter;
import dev.kiln.gate.Router;
import dev.kiln.gate.UpstreamProxy;
import dev.kiln.time.TimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/** A gate's settings, copied from its builder and checked once. */
public record GateSettings(Interception interception, Router router, Meter meter, List<GateListener> listeners,
                           Optional<UpstreamProxy> upstreamProxy, Optional<SSLContext> upstreamTls,
                           Optional<Path> bundleDirectory, Path systemRoots, List<String> noProxy, TimeSource time,
                           Duration caValidity, int threads, int maxBufferedBody, Duration connectTimeout,
                           Duration responseTimeout, Duration idleTimeout, int port) {

    static final int MIN_THREADS = 4;

    /** The bundle directory, or a {@link GateException} saying it is required. */
    Path requireBundleDirectory() {
        return bundleDirectory.orElseThrow(() -> new GateException("Gate.Builder.bundleDirectory is not set: give the"
                + " directory where the CA bundle for packer's SSL_CERT_FILE is written (a run's directory)"));
    }

    void check() {
        requireBundleDirectory();
        if (threads < MIN_THREADS) {
            throw new GateException("Gate.Builder.threads is " + threads + "; give at least " + MIN_THREADS
                    + " (one listens, each connection takes one, each tunnel two)");
        }
        if (maxBufferedBody < 0) {
            throw new GateException("Gate.Builder.maxBufferedBody is " + maxBufferedBody + "; give 0 or more bytes");
        }
        if (port < 0 || port > 65535) {
            throw new GateException("Gate.Builder.port is " + port + "; give 0 (any free port) to 65535");
        }
        positive("caValidity", caValidity);
        positive("connectTimeout", connectTimeout);
        positive("responseTimeout", responseTimeout);
        positive("idleTimeout", idleTimeout);
        for (String host : noProxy) {
            if (host.isBlank() || host.contains(",") || host.chars().anyMatch(c -> c <= ' ')) {
                throw new GateException("Gate.Builder.noProxy entry '" + host + "' is not allowed: give one host,"
                        + " domain (.example.com) or IP per entry, without commas or spaces");
            }
        }
    }

    private static void positive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new GateException("Gate.Builder." + name + " is " + d + "; give a positive duration");
        }
    }

    static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }
}
