package dev.kiln.cli;

import dev.kiln.report.Reports;
import dev.kiln.report.RunReport;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln report RUN_DIR}. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = false,
        header = "Draws a run's reports again from its events.jsonl.",
        description = {
            "Reads RUN_DIR/events.jsonl (the journal every run writes as it goes, so even a run that was killed"
                + " has one) and writes junit.xml, report.html and summary.md into RUN_DIR, or into --to DIR.",
            ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:the reports were written",
            "2:RUN_DIR holds no events.jsonl, or a report could not be written"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  kiln report kiln-runs/k3x9a2b1",
            "  kiln report --step-summary kiln-runs/k3x9a2b1     # also append to $GITHUB_STEP_SUMMARY"})
final class ReportCommand implements Callable<Integer> {

    @ParentCommand
    KilnCommand parent;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run directory, e.g. kiln-runs/k3x9a2b1.")
    Path runDir;

    @Option(names = "--to", paramLabel = "DIR", description = "Write the reports here instead of into RUN_DIR.")
    Path to;

    @Option(names = "--step-summary",
            description = "Also append the Markdown summary to the file GITHUB_STEP_SUMMARY names.")
    boolean stepSummary;

    @Override
    public Integer call() throws Exception {
        CliContext ctx = parent.ctx;
        PrintStream out = ctx.out();
        if (!Files.isDirectory(runDir)) {
            throw new UsageException("no run directory at " + runDir + " (runs are under the runs directory,"
                    + " kiln-runs/<run id> by default)");
        }
        RunReport report = RunReport.read(runDir);
        Path target = to == null ? runDir : Files.createDirectories(to);
        Reports.Written w = Reports.write(report, target);
        out.println(report.plan() + " (run " + report.runId() + "): " + report.builds().size() + " builds, "
                + report.counts() + (report.finished() ? "" : "; the run did not record its end"));
        out.println("  junit:   " + w.junitXml().toAbsolutePath());
        out.println("  report:  " + w.html().toAbsolutePath());
        out.println("  summary: " + w.summary().toAbsolutePath());
        if (stepSummary) {
            String file = ctx.env("GITHUB_STEP_SUMMARY");
            if (file == null) {
                throw new UsageException("--step-summary needs GITHUB_STEP_SUMMARY to name a file");
            }
            Reports.appendMarkdownSummary(report, Path.of(file));
            out.println("  appended to " + file);
        }
        return ExitCode.OK;
    }
}
