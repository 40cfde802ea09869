package dev.kiln.template;

/**
 * The packer version a template asks for.
 *
 * @param constraint as written in {@code required_version} (e.g. {@code >= 1.6.0, < 2.0.0}); a JSON
 *                   template's {@code min_packer_version} {@code 1.5.0} reads as {@code >= 1.5.0}
 * @param position   where it is written
 */
public record VersionRequirement(String constraint, TemplatePosition position) {
}
