package dev.kiln.testkit.azure;

import dev.kiln.testkit.Emulator;
import dev.kiln.testkit.EmulatorSettings;
import dev.kiln.testkit.spi.EmulatorProvider;

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
