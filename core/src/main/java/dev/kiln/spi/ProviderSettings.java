package dev.kiln.spi;

import dev.kiln.KilnException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Non-secret settings for one provider, e.g. {@code endpoint}, {@code insecure}, {@code trust_store}.
 * Gathered by tools from flags ({@code --provider-setting aws.endpoint=...}) and the environment
 * ({@code KILN_AWS_ENDPOINT=...}); flags win.
 *
 * @param provider the provider id
 * @param values   setting name (lowercase, underscores) to value
 */
public record ProviderSettings(String provider, Map<String, String> values) {

    public ProviderSettings {
        values = Map.copyOf(values);
    }

    public static ProviderSettings none(String provider) {
        return new ProviderSettings(provider, Map.of());
    }

    /**
     * Settings for {@code provider} from an environment: every {@code KILN_<PROVIDER>_<NAME>}
     * becomes {@code <name>} (lowercased).
     */
    public static ProviderSettings fromEnvironment(String provider, Map<String, String> env) {
        String prefix = "KILN_" + provider.toUpperCase(Locale.ROOT).replace('-', '_') + "_";
        Map<String, String> values = new TreeMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                values.put(k.substring(prefix.length()).toLowerCase(Locale.ROOT), v);
            }
        });
        return new ProviderSettings(provider, values);
    }

    /** These settings with {@code overrides} on top. */
    public ProviderSettings with(Map<String, String> overrides) {
        Map<String, String> merged = new TreeMap<>(values);
        merged.putAll(overrides);
        return new ProviderSettings(provider, merged);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The setting, or a {@link KilnException} naming it and where it can be given. */
    public String require(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            throw new KilnException("provider " + provider + " needs the setting '" + name + "': set KILN_"
                    + provider.toUpperCase(Locale.ROOT) + "_" + name.toUpperCase(Locale.ROOT)
                    + " or pass --provider-setting " + provider + "." + name + "=...",
                    KilnException.Context.ofProvider(provider));
        }
        return v;
    }

    public boolean flag(String name) {
        return values.containsKey(name) && !"false".equalsIgnoreCase(values.get(name));
    }
}
