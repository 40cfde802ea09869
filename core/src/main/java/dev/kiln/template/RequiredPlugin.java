package dev.kiln.template;

/**
 * One entry of {@code packer { required_plugins { name = { version = "...", source = "..." } } }}.
 *
 * @param name     the plugin's local name, e.g. {@code amazon}
 * @param source   its source address as written, e.g. {@code github.com/hashicorp/amazon}, or null
 * @param version  its version constraint as written, e.g. {@code >= 1.2.0, < 2.0.0} or {@code ~> 1.2.5},
 *                 or null when none is written
 * @param position where it is written
 */
public record RequiredPlugin(String name, String source, String version, TemplatePosition position) {
}
