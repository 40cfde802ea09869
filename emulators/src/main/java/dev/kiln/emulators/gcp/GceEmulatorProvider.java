package dev.kiln.emulators.gcp;

import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.emulators.spi.EmulatorProvider;

/** Registers {@link GceEmulator} as {@code gcp} with the launcher and the JUnit extension. */
public final class GceEmulatorProvider implements EmulatorProvider {

    /** For {@link java.util.ServiceLoader}. */
    public GceEmulatorProvider() {
    }

    @Override
    public String name() {
        return GceEmulator.PROVIDER;
    }

    @Override
    public Class<? extends Emulator> type() {
        return GceEmulator.class;
    }

    @Override
    public Emulator start(EmulatorSettings settings) {
        return GceEmulator.start(settings);
    }
}
