package dev.kiln.template;

import dev.kiln.internal.template.TemplateReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Packer template as Kiln reads it, before anything runs: its sources (builders), builds,
 * variables, locals, provisioners, post-processors, data sources and the packer and plugin versions
 * it asks for, every element with its file:line:column.
 *
 * <p>Read one with {@link #read(Path)}: a legacy JSON template ({@code *.json}), one HCL2 file
 * ({@code *.pkr.hcl}) or a folder of them (every {@code *.pkr.hcl} in it, in name order, with its
 * {@code *.auto.pkrvars.hcl}, as packer reads a folder). Expressions are kept as written (see
 * {@link Expression}); {@link #evaluator(Map)} works out the values that can be known statically.
 *
 * @param format                the template's format
 * @param path                  what was read: the file, or the folder
 * @param files                 the template files read, in the order read
 * @param description           the JSON template's {@code description}, or null
 * @param variables             input variables, in declaration order
 * @param locals                locals, in declaration order
 * @param sources               sources (builders), in declaration order
 * @param builds                builds, in declaration order; a JSON template has one
 * @param dataSources           {@code data} blocks
 * @param requiredPlugins       {@code packer { required_plugins { } }} entries
 * @param requiredVersion       {@code required_version} or {@code min_packer_version}, or null
 * @param autoVariableFiles     the folder's {@code *.auto.pkrvars.hcl}, which packer reads without being told
 */
public record PackerTemplate(TemplateFormat format, Path path, List<Path> files, String description,
        List<TemplateVariable> variables, List<TemplateLocal> locals, List<TemplateSource> sources,
        List<TemplateBuild> builds, List<TemplateDataSource> dataSources, List<RequiredPlugin> requiredPlugins,
        VersionRequirement requiredVersion, List<VariableFile> autoVariableFiles) {

    public PackerTemplate {
        files = List.copyOf(files);
        variables = List.copyOf(variables);
        locals = List.copyOf(locals);
        sources = List.copyOf(sources);
        builds = List.copyOf(builds);
        dataSources = List.copyOf(dataSources);
        requiredPlugins = List.copyOf(requiredPlugins);
        autoVariableFiles = List.copyOf(autoVariableFiles);
    }

    /**
     * Reads the template at {@code path}: a {@code .json} file (legacy JSON), a {@code .pkr.hcl} file,
     * or a folder of {@code .pkr.hcl} files.
     *
     * @throws TemplateException naming file:line:column, what was found and what is allowed for the
     *                           first syntax error of each file, or for every structure error (an
     *                           unknown block, a duplicate variable, a build naming a source nobody
     *                           declared, a reference to an undeclared variable)
     */
    public static PackerTemplate read(Path path) {
        return TemplateReader.read(path);
    }

    /**
     * Reads {@code text} as though it were the content of the file {@code file} (whose name decides the
     * format: {@code .json} or HCL2). Nothing is read from disk.
     *
     * @throws TemplateException as {@link #read(Path)}
     */
    public static PackerTemplate parse(Path file, String text) {
        return TemplateReader.parse(file, text);
    }

    /** The variable called {@code name}, if declared. */
    public Optional<TemplateVariable> variable(String name) {
        return variables.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    /** The local called {@code name}, if declared. */
    public Optional<TemplateLocal> local(String name) {
        return locals.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /**
     * The source whose {@link TemplateSource#buildName() build name} is {@code buildName}
     * ({@code amazon-ebs.ubuntu} in HCL2, the builder's name in JSON), if any.
     */
    public Optional<TemplateSource> source(String buildName) {
        return sources.stream().filter(s -> s.buildName().equals(buildName)).findFirst();
    }

    /** A static evaluator of this template with these variable values; see {@link StaticEvaluator}. */
    public StaticEvaluator evaluator(Map<String, ?> values) {
        return StaticEvaluator.of(this, values);
    }
}
