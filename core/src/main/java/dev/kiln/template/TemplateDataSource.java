package dev.kiln.template;

/**
 * A {@code data "type" "name" { ... }} block (packer 1.7 and later read these; 1.6 refuses them).
 *
 * @param type     e.g. {@code amazon-ami}
 * @param name     its name, read as {@code data.type.name}
 * @param body     its fields as written
 * @param position where it is declared
 */
public record TemplateDataSource(String type, String name, TemplateBody body, TemplatePosition position) {
}
