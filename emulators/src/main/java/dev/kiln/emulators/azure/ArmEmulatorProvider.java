package dev.kiln.emulators.azure;

import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.emulators.spi.EmulatorProvider;

/** Registers {@link ArmEmulator} as {@code azure} with the launcher and the JUnit extension. */
public final class ArmEmulatorProvider implements EmulatorProvider {

    /** For {@link java.util.ServiceLoader}. */
    public ArmEmulatorProvider() {
    }

    @Override
    public String name() {
        return ArmEmulator.PROVIDER;
    }

    @Override
    public Class<? extends Emulator> type() {
        return ArmEmulator.class;
    }

    @Override
    public Emulator start(EmulatorSettings settings) {
        return ArmEmulator.start(settings);
    }
}
