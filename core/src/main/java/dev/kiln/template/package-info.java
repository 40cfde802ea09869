/**
 * Packer templates as Kiln reads them, before anything runs.
 *
 * <ul>
 *   <li>{@link dev.kiln.template.PackerTemplate#read(java.nio.file.Path)} reads a legacy JSON template,
 *       one HCL2 {@code .pkr.hcl} file or a folder of them into a model whose every element keeps its
 *       file:line:column; every syntax or structure problem is a {@link dev.kiln.template.TemplateException}
 *       naming file:line:column, what was found and what is allowed.</li>
 *   <li>Values are kept as written, as {@link dev.kiln.template.Expression} trees whose
 *       {@linkplain dev.kiln.template.Expression#references() references} ({@code var.x}, {@code local.y},
 *       {@code {{user `x`}}}) can be listed; a {@link dev.kiln.template.StaticEvaluator} works out what can
 *       be known statically and says why the rest cannot.</li>
 *   <li>{@link dev.kiln.template.VariableFile} reads {@code -var-file}s: JSON and {@code .pkrvars.hcl}.</li>
 *   <li>{@link dev.kiln.template.BuilderCatalog} knows, per builder type Kiln runs, its provider and the
 *       fields that carry the location, image name, tags and instance size, and every other builder packer
 *       ships.</li>
 * </ul>
 */
package dev.kiln.template;
