package dev.kiln.template;

import java.util.Optional;

/**
 * A builder's configuration: an HCL2 {@code source "type" "name" { ... }} block, or one entry of a
 * JSON template's {@code builders}. Which of its fields carry the region, the image name, the tags and
 * the instance size is known per type by {@link BuilderCatalog}.
 *
 * @param type      the builder type, e.g. {@code amazon-ebs}
 * @param name      the source's name; in JSON the builder's {@code name} as written (possibly with
 *                  {@code {{user `x`}}}), or its type when it has none
 * @param buildName the name packer gives its builds and {@code -only} matches: {@code type.name} in HCL2,
 *                  the builder's name in JSON
 * @param body      every field as written, with positions ({@code type} excluded)
 * @param position  where it is declared
 */
public record TemplateSource(String type, String name, String buildName, TemplateBody body,
        TemplatePosition position) {

    /** The value of a field, by dotted path; see {@link TemplateBody#fields(String)}. */
    public Optional<Expression> field(String path) {
        return body.field(path);
    }
}
