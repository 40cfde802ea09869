/** The report pages drawn from a run report: HTML, JUnit XML and Markdown. Not exported. */
package dev.kiln.internal.report;
