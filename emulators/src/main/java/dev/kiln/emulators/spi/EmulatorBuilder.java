package dev.kiln.emulators.spi;

import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.emulators.TestCa;
import dev.kiln.time.TimeSource;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The settings every emulator's builder has: where it listens, its seed, its clock and its call
 * journal. {@link #start()} copies the settings, so one builder can start several emulators.
 *
 * @param <B> the emulator's own builder
 * @param <E> the emulator
 */
public abstract class EmulatorBuilder<B extends EmulatorBuilder<B, E>, E extends Emulator> {

    /** Loopback address to bind. */
    private String host = EmulatorSettings.LOOPBACK;
    /** Port to bind, 0 for a free one. */
    private int port;
    /** Seed of ids and injected error draws. */
    private long seed = EmulatorSettings.DEFAULT_SEED;
    /** Clock of state transitions, buckets and outage windows. */
    private TimeSource time = TimeSource.system();
    /** How many recent calls the journal keeps. */
    private int journalCapacity = 10_000;
    /** Told of every call as it is answered, or null. */
    private Consumer<ApiCall> callListener;
    /** The CA of the HTTPS listener, or null for none. */
    private TestCa tls;
    /** Port of the HTTPS listener, 0 for a free one. */
    private int tlsPort;

    protected EmulatorBuilder() {
    }

    /** Loopback address to bind; default {@code 127.0.0.1}. Any other address is refused at start. */
    public B host(String loopbackHost) {
        this.host = Objects.requireNonNull(loopbackHost, "host");
        return self();
    }

    /** Port to bind; default 0, a free one. */
    public B port(int newPort) {
        if (newPort < 0 || newPort > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + newPort);
        }
        this.port = newPort;
        return self();
    }

    /** Seed of ids, request ids and injected error draws; the same seed and calls give the same answers. */
    public B seed(long newSeed) {
        this.seed = newSeed;
        return self();
    }

    /** The clock of state transitions, buckets and outage windows; default {@link TimeSource#system()}. */
    public B timeSource(TimeSource source) {
        this.time = Objects.requireNonNull(source, "time source");
        return self();
    }

    /** How many recent calls {@link Emulator#calls()} keeps; default 10,000. */
    public B journalCapacity(int calls) {
        if (calls <= 0) {
            throw new IllegalArgumentException("journal capacity must be positive, got " + calls);
        }
        this.journalCapacity = calls;
        return self();
    }

    /** Told of every call as it is answered, on the server's threads. */
    public B onCall(Consumer<ApiCall> listener) {
        this.callListener = listener;
        return self();
    }

    /**
     * An HTTPS listener besides the plain one, presenting a certificate {@code ca} issues for the
     * loopback names and the provider's host names; default none.
     */
    public B tls(TestCa ca) {
        this.tls = Objects.requireNonNull(ca, "ca");
        return self();
    }

    /** Port of the HTTPS listener; default 0, a free one. */
    public B tlsPort(int newPort) {
        if (newPort < 0 || newPort > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + newPort);
        }
        this.tlsPort = newPort;
        return self();
    }

    /**
     * The launcher's settings: host, ports, seed, call listener and TLS; limits only where the
     * emulator has rate limits ({@link RateLimitedEmulatorBuilder}).
     *
     * @throws IllegalArgumentException when the settings reshape limits this emulator does not have
     */
    public B settings(EmulatorSettings settings) {
        if (!settings.limits().isEmpty() || !settings.throttling()) {
            throw new IllegalArgumentException("this emulator has no API rate limits to set; got "
                    + (settings.limits().isEmpty() ? "throttling off" : settings.limits().keySet().toString()));
        }
        return common(settings);
    }

    /** The settings every emulator takes: host, ports, seed, call listener and TLS. */
    protected final B common(EmulatorSettings settings) {
        host(settings.host()).port(settings.port()).seed(settings.seed()).onCall(settings.onCall())
                .tlsPort(settings.tlsPort());
        if (settings.tls() != null) {
            tls(settings.tls());
        }
        return self();
    }

    /** Binds the port and starts answering. */
    public abstract E start();

    /** The settings every emulator has, as set. */
    protected final CommonSettings common() {
        return new CommonSettings(host, port, seed, time, journalCapacity, callListener, tls, tlsPort);
    }

    @SuppressWarnings("unchecked")
    protected final B self() {
        return (B) this;
    }
}
