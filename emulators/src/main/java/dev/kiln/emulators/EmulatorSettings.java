package dev.kiln.emulators;

import dev.kiln.limits.LimitSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What the launcher and the JUnit extension tell an emulator when they start it. Everything else
 * takes the emulator's defaults; build an emulator yourself to change more.
 *
 * @param host    address to bind, a loopback address
 * @param port    port to bind; 0 picks a free one
 * @param seed    seed of the emulator's random (ids, injected error draws)
 * @param onCall  told of every call answered, or null
 * @param tls     the CA of an HTTPS listener besides the plain one ({@link Emulator#tls()}), or null for none
 * @param tlsPort port the HTTPS listener binds; 0 picks a free one
 * @param limits  limits reshaped by name, e.g. {@code RunInstances -> tokenBucket(2, 0.5)}; empty for the
 *                provider's documented ones
 * @param throttling false turns every rate limit off (quotas still apply)
 */
public record EmulatorSettings(String host, int port, long seed, Consumer<ApiCall> onCall, TestCa tls,
        int tlsPort, Map<String, LimitSpec> limits, boolean throttling) {

    /** The loopback address every emulator binds by default. */
    public static final String LOOPBACK = "127.0.0.1";

    /** The seed emulators use unless told otherwise. */
    public static final long DEFAULT_SEED = 42L;

    public EmulatorSettings {
        limits = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(limits, "limits")));
        for (int p : new int[] {port, tlsPort}) {
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535, got " + p);
            }
        }
    }

    /** Plain HTTP only. */
    public EmulatorSettings(String host, int port, long seed, Consumer<ApiCall> onCall) {
        this(host, port, seed, onCall, null, 0, Map.of(), true);
    }

    /** Loopback, a free port, the default seed, plain HTTP only. */
    public static EmulatorSettings defaults() {
        return new EmulatorSettings(LOOPBACK, 0, DEFAULT_SEED, null);
    }

    public EmulatorSettings withPort(int newPort) {
        return new EmulatorSettings(host, newPort, seed, onCall, tls, tlsPort, limits, throttling);
    }

    public EmulatorSettings withOnCall(Consumer<ApiCall> listener) {
        return new EmulatorSettings(host, port, seed, listener, tls, tlsPort, limits, throttling);
    }

    public EmulatorSettings withSeed(long newSeed) {
        return new EmulatorSettings(host, port, newSeed, onCall, tls, tlsPort, limits, throttling);
    }

    /** An HTTPS listener too, on {@code port} (0: a free one), with a certificate {@code ca} issued. */
    public EmulatorSettings withTls(TestCa ca, int port) {
        return new EmulatorSettings(host, this.port, seed, onCall, Objects.requireNonNull(ca, "ca"), port, limits,
                throttling);
    }

    /**
     * The provider's limits with these reshaped by name ({@code RunInstances}, {@code arm.reads},
     * {@code gce.reads}, ...); an emulator refuses names and shapes its provider does not have.
     */
    public EmulatorSettings withLimits(Map<String, LimitSpec> reshaped) {
        return new EmulatorSettings(host, port, seed, onCall, tls, tlsPort, reshaped, throttling);
    }

    /** False turns every rate limit off; quotas still apply. */
    public EmulatorSettings withThrottling(boolean enabled) {
        return new EmulatorSettings(host, port, seed, onCall, tls, tlsPort, limits, enabled);
    }
}
