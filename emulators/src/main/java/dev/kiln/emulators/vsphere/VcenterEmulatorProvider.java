package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.emulators.spi.EmulatorProvider;

/** Registers {@link VcenterEmulator} as {@code vsphere} with the launcher and the JUnit extension. */
public final class VcenterEmulatorProvider implements EmulatorProvider {

    /** For {@link java.util.ServiceLoader}. */
    public VcenterEmulatorProvider() {
    }

    @Override
    public String name() {
        return VcenterEmulator.PROVIDER;
    }

    @Override
    public Class<? extends Emulator> type() {
        return VcenterEmulator.class;
    }

    @Override
    public Emulator start(EmulatorSettings settings) {
        return VcenterEmulator.start(settings);
    }
}
