/**
 * The {@code kiln} command (picocli): plan, run, quotas, sweep, report and demo. An application, not a
 * library: nothing here is API. See {@code docs/cli.md}.
 */
package dev.kiln.cli;
