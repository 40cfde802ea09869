/**
 * A run as its events tell it, read from its journal or collected live, and the pages drawn from it:
 * JUnit XML, a self-contained HTML report and a Markdown summary.
 */
package dev.kiln.report;
