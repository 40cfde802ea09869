package dev.kiln.testkit.spi;

import dev.kiln.KilnException;
import dev.kiln.testkit.ApiCall;
import dev.kiln.testkit.ApiCounters;
import dev.kiln.testkit.Emulator;
import dev.kiln.testkit.Faults;
import dev.kiln.testkit.TaggedResource;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * What every emulator keeps the same way: its counters, faults and call journal, and the server
 * that answers on its port. A subclass builds its world and handler from these, then
 * {@link #listen}s.
 */
public abstract class EmulatorBase implements Emulator {

    private final String provider;
    private final String title;
    /** Calls, throttles and errors per action. */
    protected final ApiCounters counters = new ApiCounters();
    /** Faults to inject. */
    protected final Faults faults;
    /** The most recent calls. */
    protected final CallJournal journal;
    private EmulatorServer server;

    /**
     * @param provider        the launcher's name, e.g. {@code aws}
     * @param title           what people call the API, for errors, e.g. {@code EC2}
     * @param time            the emulator's clock
     * @param seed            seed of injected error draws
     * @param journalCapacity calls the journal keeps
     * @param onCall          told of every call, or null
     */
    protected EmulatorBase(String provider, String title, TimeSource time, long seed, int journalCapacity,
            Consumer<ApiCall> onCall) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.title = Objects.requireNonNull(title, "title");
        this.faults = new Faults(time, seed);
        this.journal = new CallJournal(journalCapacity, onCall);
    }

    /** Binds {@code host:port} and answers with {@code handler}; once, from the subclass's constructor. */
    protected final void listen(String host, int port, EmulatorServer.Handler handler) {
        listen(host, port, handler, EmulatorServer.DEFAULT_THREADS, null);
    }

    /** As {@link #listen(String, int, EmulatorServer.Handler)} on {@code threads} threads, over TLS when given. */
    protected final void listen(String host, int port, EmulatorServer.Handler handler, int threads, SSLContext tls) {
        if (server != null) {
            throw new IllegalStateException(title + " emulator already listens on " + server.endpoint());
        }
        try {
            this.server = EmulatorServer.start(provider, host, port, handler, this, threads, tls);
        } catch (IOException e) {
            throw new KilnException("cannot start the " + title + " emulator on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public final String provider() {
        return provider;
    }

    @Override
    public URI endpoint() {
        return server.endpoint();
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

    /** Forgets faults, counters and the call journal; part of every {@link #reset()}. */
    protected final void resetRecords() {
        faults.clear();
        counters.reset();
        journal.clear();
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + endpoint() + "]";
    }
}
