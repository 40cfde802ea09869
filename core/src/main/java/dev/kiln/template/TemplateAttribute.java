package dev.kiln.template;

/**
 * One {@code name = value} of a block, or one key of a JSON builder, provisioner or post-processor.
 *
 * @param name     the attribute's name
 * @param value    its value
 * @param text     the value's source text exactly as written
 * @param position where the name is written
 */
public record TemplateAttribute(String name, Expression value, String text, TemplatePosition position) {
}
