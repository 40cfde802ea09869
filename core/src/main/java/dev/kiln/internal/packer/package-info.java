/**
 * The process packer runner: finding packer and its plugins, preflight, one {@code packer build}
 * process per build with its output parsed, redacted and classified. Not exported.
 */
package dev.kiln.internal.packer;
