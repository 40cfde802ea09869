package dev.kiln.emulators;

import java.util.function.Consumer;

/**
 * What the launcher and the JUnit extension tell an emulator when they start it. Everything else
 * takes the emulator's defaults; build an emulator yourself to change more.
 *
 * @param host address to bind, a loopback address
 * @param port port to bind; 0 picks a free one
 * @param seed seed of the emulator's random (ids, injected error draws)
 * @param onCall told of every call answered, or null
 */
public record EmulatorSettings(String host, int port, long seed, Consumer<ApiCall> onCall) {

    /** The loopback address every emulator binds by default. */
    public static final String LOOPBACK = "127.0.0.1";

    /** The seed emulators use unless told otherwise. */
    public static final long DEFAULT_SEED = 42L;

    public EmulatorSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
    }

    /** Loopback, a free port, the default seed. */
    public static EmulatorSettings defaults() {
        return new EmulatorSettings(LOOPBACK, 0, DEFAULT_SEED, null);
    }

    public EmulatorSettings withPort(int newPort) {
        return new EmulatorSettings(host, newPort, seed, onCall);
    }

    public EmulatorSettings withOnCall(Consumer<ApiCall> listener) {
        return new EmulatorSettings(host, port, seed, listener);
    }

    public EmulatorSettings withSeed(long newSeed) {
        return new EmulatorSettings(host, port, newSeed, onCall);
    }
}
