package dev.kiln.emulators.spi;

import dev.kiln.KilnException;
import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.ApiCounters;
import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.Faults;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.TestCa;
import dev.kiln.emulators.TlsEndpoint;
import java.io.IOException;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * What every emulator keeps the same way: its counters, faults, limits and call journal, the
 * request pipeline its protocols run through, and the server that answers on its port. A subclass
 * builds its world and protocols, then {@link #listen}s to {@link #pipeline}s of them.
 */
public abstract class EmulatorBase implements Emulator {

    private final String provider;
    private final String title;
    private final CommonSettings settings;
    /** Calls, throttles and errors per action. */
    protected final ApiCounters counters = new ApiCounters();
    /** Faults to inject. */
    protected final Faults faults;
    /** The most recent calls. */
    protected final CallJournal journal;
    /** The rate limits calls charge. */
    final ApiLimits limits;
    private final Set<String> unknown = ConcurrentHashMap.newKeySet();
    private EmulatorServer server;
    private EmulatorServer tlsServer;
    private SSLContext testCaContext;
    private boolean servesTestCa;

    /**
     * @param provider the launcher's name, e.g. {@code aws}
     * @param title    what people call the API, for errors, e.g. {@code EC2}
     * @param settings where it listens, its seed, clock and journal
     * @param limits   its rate limits
     */
    protected EmulatorBase(String provider, String title, CommonSettings settings, LimitSettings limits) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.title = Objects.requireNonNull(title, "title");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.faults = new Faults(settings.time(), settings.seed());
        this.journal = new CallJournal(settings.journalCapacity(), settings.onCall());
        this.limits = new ApiLimits(limits.table(), settings.time(), limits.throttling());
    }

    /** The handler that runs {@code protocol}'s requests through this emulator's faults, limits and journal. */
    protected final <X extends Exchange> EmulatorServer.Handler pipeline(Protocol<X> protocol) {
        return new RequestPipeline<>(Objects.requireNonNull(protocol, "protocol"), this);
    }

    /** Binds the settings' address and answers with {@code handler}; once, from the subclass's constructor. */
    protected final void listen(EmulatorServer.Handler handler) {
        listen(handler, EmulatorServer.DEFAULT_THREADS, null);
    }

    /**
     * As {@link #listen(EmulatorServer.Handler)} on {@code threads} threads, over TLS when given.
     * When the settings carry a {@link TestCa}, a second listener answers the same handler over
     * HTTPS ({@link #tls()}) with a certificate for the loopback names and {@link #hostNames()}.
     */
    protected final void listen(EmulatorServer.Handler handler, int threads, SSLContext tls) {
        if (server != null) {
            throw new IllegalStateException(title + " emulator already listens on " + server.endpoint());
        }
        this.server = bind(settings.port(), handler, threads, tls);
        this.servesTestCa = tls != null && tls == testCaContext;
        if (tls == null && settings.tls() != null) {
            try {
                this.tlsServer = bind(settings.tlsPort(), handler, threads,
                        settings.tls().serverContext(hostNames()));
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }
    }

    private EmulatorServer bind(int port, EmulatorServer.Handler handler, int threads, SSLContext tls) {
        try {
            return EmulatorServer.start(provider, settings.host(), port, handler, this, threads, tls);
        } catch (IOException e) {
            throw new KilnException("cannot start the " + title + " emulator on " + settings.host() + ":" + port
                    + (tls == null ? "" : " (HTTPS)") + ": " + e.getMessage(), e);
        }
    }

    /**
     * The provider's host names this emulator answers for, which its HTTPS certificate names besides
     * the loopback ones (so a client sent here by a hosts file or a proxy verifies it); none by default.
     */
    protected Collection<String> hostNames() {
        return List.of();
    }

    /** Counts and journals one call answered outside any protocol's pipeline (a token endpoint's). */
    protected final void record(String account, String region, String action, int status, String errorCode,
            Outcome outcome) {
        counters.record(action, outcome);
        journal.add(new ApiCall(settings.time().now(), provider, account, region == null ? "global" : region, action,
                status, errorCode));
    }

    /** Notes a request no route answered; true the first time it is seen since start or reset (worth a log line). */
    protected final boolean firstUnknown(String request) {
        return unknown.add(request);
    }

    /** The requests no route answered, since start or reset, as each protocol names them. */
    protected final Set<String> unknownRequests() {
        return Set.copyOf(unknown);
    }

    @Override
    public final String provider() {
        return provider;
    }

    @Override
    public URI endpoint() {
        return server.endpoint();
    }

    @Override
    public final Optional<TlsEndpoint> tls() {
        if (servesTestCa) {
            return Optional.of(new TlsEndpoint(server.endpoint(), settings.tls()));
        }
        return tlsServer == null ? Optional.empty() : Optional.of(new TlsEndpoint(tlsServer.endpoint(), settings.tls()));
    }

    /**
     * For an emulator that answers over HTTPS only (vCenter): a server context with a certificate
     * from the settings' {@link TestCa}, or null when the settings carry none. Listening with it
     * makes the one listener the emulator's {@link #tls()} endpoint too.
     */
    protected final SSLContext testCaServerContext() {
        if (settings.tls() != null && testCaContext == null) {
            testCaContext = settings.tls().serverContext(hostNames());
        }
        return testCaContext;
    }

    /** The port the emulator answers on (still known after {@link #close()}). */
    public final int port() {
        return server.port();
    }

    @Override
    public final ApiCounters counters() {
        return counters;
    }

    @Override
    public final Faults faults() {
        return faults;
    }

    @Override
    public final List<ApiCall> calls() {
        return journal.snapshot();
    }

    @Override
    public final List<TaggedResource> resourcesTagged(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return tagged(key, value);
    }

    /** The live resources carrying {@code key=value}, as {@link #resourcesTagged} describes. */
    protected abstract List<TaggedResource> tagged(String key, String value);

    /**
     * Forgets faults, counters, the call journal and unknown requests, and fills the limits again;
     * part of every {@link #reset()}.
     */
    protected final void resetRecords() {
        faults.clear();
        counters.reset();
        journal.clear();
        limits.reset();
        unknown.clear();
    }

    @Override
    public void close() {
        server.close();
        if (tlsServer != null) {
            tlsServer.close();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + endpoint() + "]";
    }
}
