package dev.kiln.emulators.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The emulator providers on the class path, sorted by name. */
public final class EmulatorProviders {

    private EmulatorProviders() {
    }

    /** Every registered provider, found through {@link ServiceLoader} in {@code loader}. */
    public static List<EmulatorProvider> all(ClassLoader loader) {
        List<EmulatorProvider> out = new ArrayList<>();
        ServiceLoader.load(EmulatorProvider.class, loader).forEach(out::add);
        out.sort(Comparator.comparing(EmulatorProvider::name));
        return List.copyOf(out);
    }

    /** Every registered provider visible to this class's loader. */
    public static List<EmulatorProvider> all() {
        return all(EmulatorProviders.class.getClassLoader());
    }

    public static Optional<EmulatorProvider> named(String name) {
        return all().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The provider whose emulator type is {@code type} (exactly). */
    public static Optional<EmulatorProvider> forType(Class<?> type) {
        return all().stream().filter(p -> p.type().equals(type)).findFirst();
    }
}
