package dev.kiln.emulators;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * A running provider emulator: an HTTP server on the loopback interface that speaks one cloud
 * provider's real wire protocol, with that provider's throttling and quotas, so the official SDK
 * and packer's own builders can be pointed at it.
 *
 * <p>Every emulator also answers a loopback-only admin API under {@code /_kiln/} (counters,
 * faults, reset, tagged resources) on the same port. Closing an emulator stops its server and its
 * threads; closing twice is harmless.
 */
public interface Emulator extends AutoCloseable {

    /** The provider's short name as the launcher knows it, e.g. {@code aws}. */
    String provider();

    /** Where the SDKs and packer should send their requests, e.g. {@code http://127.0.0.1:40123}. */
    URI endpoint();

    /**
     * The HTTPS listener, when the emulator was started with a {@link TestCa} (the launcher's
     * {@code --tls}, the JUnit extension always): the same API over TLS, for clients that refuse
     * plain HTTP. {@link #endpoint()} stays plain HTTP either way.
     */
    Optional<TlsEndpoint> tls();

    /** Calls, throttles, quota errors and other errors, per API action. */
    ApiCounters counters();

    /** Faults to inject per action: error rate, added latency, outage windows. */
    Faults faults();

    /** The most recent calls answered, oldest first (bounded; see the implementation). */
    List<ApiCall> calls();

    /**
     * Every live resource, in every account and region, that carries the tag {@code key=value}.
     * Resources that no longer cost anything (terminated instances, deregistered images) are left
     * out, so "nothing tagged with this build id survives a sweep" reads as an empty list.
     */
    List<TaggedResource> resourcesTagged(String key, String value);

    /** Back to the state just after start: no resources but the defaults, full buckets, no faults, zero counters. */
    void reset();

    @Override
    void close();
}
