package dev.kiln.plan;

import java.util.Map;

/**
 * The packer and plugin versions a plan was written for. Preflight compares them with what is
 * installed and refuses to start any build on a mismatch.
 *
 * @param version packer version constraint, e.g. {@code >= 1.6.0, < 2.0.0}; null for any
 * @param plugins plugin pins by plugin name (e.g. {@code amazon})
 */
public record PackerPins(String version, Map<String, PluginPin> plugins) {

    public static final PackerPins NONE = new PackerPins(null, Map.of());

    public PackerPins {
        plugins = Map.copyOf(plugins);
    }

    /**
     * One plugin pin.
     *
     * @param name    plugin name as in {@code packer-plugin-NAME}
     * @param version exact version, e.g. {@code 1.2.1}
     * @param sha256  expected SHA-256 of the plugin binary, or null
     */
    public record PluginPin(String name, String version, String sha256) {
    }
}
