package dev.kiln.template;

/**
 * A local value: an entry of a {@code locals { }} block or a {@code local "name" { expression = ... }} block.
 *
 * @param name      its name, read as {@code local.name}
 * @param value     its expression
 * @param sensitive whether it is marked sensitive ({@code local} blocks only)
 * @param position  where it is written
 */
public record TemplateLocal(String name, Expression value, boolean sensitive, TemplatePosition position) {
}
