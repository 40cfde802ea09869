package dev.kiln.emulators.spi;

import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.EmulatorSettings;

/**
 * Registers one provider's emulator with the launcher ({@code --providers NAME}) and the JUnit
 * extension (a test parameter of type {@link #type()}). Implementations are listed in
 * {@code META-INF/services/dev.kiln.emulators.spi.EmulatorProvider}, one line each, and need a
 * public no-argument constructor.
 */
public interface EmulatorProvider {

    /** Short name, e.g. {@code aws}; what the launcher prints and accepts. */
    String name();

    /** The emulator's public type, which tests ask for as a parameter. */
    Class<? extends Emulator> type();

    /** Starts an emulator with these settings and the provider's defaults for everything else. */
    Emulator start(EmulatorSettings settings);
}
