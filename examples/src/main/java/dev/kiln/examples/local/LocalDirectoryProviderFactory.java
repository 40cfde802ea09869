package dev.kiln.examples.local;

import dev.kiln.KilnException;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderFactory;
import dev.kiln.spi.ProviderSettings;
import java.nio.file.Path;

/**
 * How tools such as {@code kiln} build a {@link LocalDirectoryProvider} by id: settings {@code root}
 * (required), {@code builds_per_pool} (default 2) and {@code max_images} (default 100), from
 * {@code KILN_LOCAL_ROOT}... or {@code --provider-setting local.root=...}. Listed in
 * {@code META-INF/services/dev.kiln.spi.ProviderFactory}, which is what puts it on the tools' map.
 */
public final class LocalDirectoryProviderFactory implements ProviderFactory {

    /** For {@link java.util.ServiceLoader}. */
    public LocalDirectoryProviderFactory() {
    }

    @Override
    public String id() {
        return LocalDirectoryProvider.ID;
    }

    @Override
    public CloudProvider create(ProviderSettings settings) {
        Path root = Path.of(settings.require("root"));
        return LocalDirectoryProvider.of(root, number(settings, "builds_per_pool", 2),
                number(settings, "max_images", 100));
    }

    private static int number(ProviderSettings settings, String name, int fallback) {
        String v = settings.get(name).orElse(null);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new KilnException("setting " + name + " of provider local: '" + v + "' is not a whole number",
                    KilnException.Context.ofProvider(LocalDirectoryProvider.ID));
        }
    }
}
