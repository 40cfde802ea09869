package dev.kiln.emulators.spi;

import dev.kiln.emulators.ApiCall;
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
 */
public record CommonSettings(String host, int port, long seed, TimeSource time, int journalCapacity,
        Consumer<ApiCall> onCall) {

    public CommonSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(time, "time");
    }

    /** The same settings on {@code newPort}: what a restart on the previous port binds. */
    public CommonSettings withPort(int newPort) {
        return new CommonSettings(host, newPort, seed, time, journalCapacity, onCall);
    }
}
