/**
 * Readers of Packer templates and variable files: an HCL2 lexer and recursive-descent parser, a JSON
 * parser, the JSON templates' {@code {{ }}} actions, the structure checks that turn syntax into
 * {@link dev.kiln.template.PackerTemplate}, and the static evaluator. Every problem is built in
 * {@code Messages}. Not exported.
 */
package dev.kiln.internal.template;
