/** Embedding Kiln in a Java tool, as README.md shows it. */
package dev.kiln.examples;
