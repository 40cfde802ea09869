package dev.kiln.template;

/** The two ways a Packer template is written. */
public enum TemplateFormat {
    /** The legacy JSON template: {@code builders}, {@code variables}, {@code provisioners}, {@code post-processors}. */
    JSON,
    /** HCL2: one {@code .pkr.hcl} file or a folder of them, with {@code source} and {@code build} blocks. */
    HCL2
}
