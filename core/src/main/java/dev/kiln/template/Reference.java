package dev.kiln.template;

/**
 * Something an expression reads from outside itself.
 *
 * @param kind     what is read
 * @param name     the variable, local, environment variable or address read: {@code region} for
 *                 {@code var.region} and {@code {{user `region`}}}, {@code amazon-ebs.ubuntu} for
 *                 {@code source.amazon-ebs.ubuntu}, {@code Path} for {@code {{.Path}}}
 * @param position where the reference is written
 */
public record Reference(Kind kind, String name, TemplatePosition position) {

    /** What a reference reads. */
    public enum Kind {
        /** An input variable: {@code var.x}, {@code var["x"]}, {@code {{user `x`}}}. */
        VARIABLE,
        /** A local: {@code local.x}. */
        LOCAL,
        /** An environment variable: {@code env("X")}, {@code {{env `X`}}}. */
        ENVIRONMENT,
        /** A source block: {@code source.amazon-ebs.ubuntu}, or {@code source.name} inside one. */
        SOURCE,
        /** A data source: {@code data.amazon-ami.base}. */
        DATA,
        /** {@code path.root}, {@code path.cwd}. */
        PATH,
        /**
         * What packer sets while it builds: {@code build.ID}, {@code packer.version}, {@code each}, {@code count},
         * {@code self}; {@code {{build_name}}}, {@code {{template_dir}}}, {@code {{.Path}}} in JSON.
         */
        BUILD
    }

    /** The reference as an HCL2 template would write it, e.g. {@code var.region}. */
    @Override
    public String toString() {
        return switch (kind) {
            case VARIABLE -> "var." + name;
            case LOCAL -> "local." + name;
            case ENVIRONMENT -> "env(\"" + name + "\")";
            case SOURCE -> "source." + name;
            case DATA -> "data." + name;
            case PATH -> "path." + name;
            case BUILD -> name;
        };
    }
}
