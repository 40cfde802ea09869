package dev.kiln.emulators.spi;

import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.TestCa;
import dev.kiln.time.TimeSource;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The settings every emulator has, as an {@link EmulatorBuilder} produced them.
 *
 * @param host            loopback address to bind
 * @param port            port to bind, 0 for a free one
 * @param seed            seed of ids and injected error draws
 * @param time            clock of state transitions, limits and outage windows
 * @param journalCapacity how many recent calls the journal keeps
 * @param onCall          told of every call as it is answered, or null
 * @param tls             the CA of an HTTPS listener besides the plain one, or null for none
 * @param tlsPort         port the HTTPS listener binds, 0 for a free one
 */
public record CommonSettings(String host, int port, long seed, TimeSource time, int journalCapacity,
        Consumer<ApiCall> onCall, TestCa tls, int tlsPort) {

    public CommonSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(time, "time");
    }

    /** The same settings on {@code newPort} and {@code newTlsPort}: what a restart on the previous ports binds. */
    public CommonSettings withPorts(int newPort, int newTlsPort) {
        return new CommonSettings(host, newPort, seed, time, journalCapacity, onCall, tls, newTlsPort);
    }
}
