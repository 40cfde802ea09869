package dev.kiln.emulators.aws;

import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.emulators.spi.EmulatorProvider;

/** Registers {@link Ec2Emulator} as {@code aws} with the launcher and the JUnit extension. */
public final class Ec2EmulatorProvider implements EmulatorProvider {

    /** For {@link java.util.ServiceLoader}. */
    public Ec2EmulatorProvider() {
    }

    @Override
    public String name() {
        return Ec2Emulator.PROVIDER;
    }

    @Override
    public Class<? extends Emulator> type() {
        return Ec2Emulator.class;
    }

    @Override
    public Emulator start(EmulatorSettings settings) {
        return Ec2Emulator.start(settings);
    }
}
