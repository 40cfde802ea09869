package dev.kiln.template;

/**
 * One source a {@code build} block uses: an entry of its {@code sources = [...]}, or a nested
 * {@code source "source.type.name" { ... }} block that overrides some of the source's fields.
 * A JSON template's single build uses every builder, without overrides.
 *
 * @param type      the source's builder type
 * @param name      the source's name
 * @param overrides the fields the nested block sets, empty when none
 * @param position  where the build names it
 */
public record BuildSource(String type, String name, TemplateBody overrides, TemplatePosition position) {

    /** {@code source.type.name}, as a build writes it. */
    public String address() {
        return "source." + type + "." + name;
    }
}
