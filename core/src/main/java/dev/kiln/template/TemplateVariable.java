package dev.kiln.template;

import java.util.List;

/**
 * An input variable: an HCL2 {@code variable "name" { ... }} (or an entry of a {@code variables { }}
 * block), or a key of a JSON template's {@code variables}.
 *
 * @param name         its name
 * @param type         its type as written ({@code string}, {@code list(string)}, {@code map(string)},
 *                     {@code object({...})}, {@code any}), or null where none is written (JSON: always)
 * @param defaultValue its default, or null when it has none and must be given (a JSON variable set to
 *                     {@code null})
 * @param description  its description, or null
 * @param sensitive    whether packer hides its value ({@code sensitive = true}, or named in a JSON
 *                     template's {@code sensitive-variables})
 * @param validations  its {@code validation} blocks, in order
 * @param position     where it is declared
 */
public record TemplateVariable(String name, String type, Expression defaultValue, String description,
        boolean sensitive, List<Validation> validations, TemplatePosition position) {

    public TemplateVariable {
        validations = List.copyOf(validations);
    }

    /** Whether a value must be given because there is no default. */
    public boolean required() {
        return defaultValue == null;
    }

    /**
     * A {@code validation { condition = ..., error_message = ... }} block.
     *
     * @param condition    the condition; the value is valid when it is true
     * @param errorMessage the message packer shows otherwise
     * @param position     where the block is written
     */
    public record Validation(Expression condition, Expression errorMessage, TemplatePosition position) {
    }
}
