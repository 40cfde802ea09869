package dev.kiln.testkit.vsphere;

import dev.kiln.testkit.Emulator;
import dev.kiln.testkit.EmulatorSettings;
import dev.kiln.testkit.spi.EmulatorProvider;

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
