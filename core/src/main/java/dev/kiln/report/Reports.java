package dev.kiln.report;

import dev.kiln.KilnException;
import dev.kiln.internal.report.HtmlReport;
import dev.kiln.internal.report.JunitXml;
import dev.kiln.internal.report.MarkdownSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The reports of a run, drawn from its {@link RunReport}: JUnit XML for CI servers, a Markdown
 * summary for GitHub's step summary, and a self-contained HTML page with the run's timeline and
 * API budget. {@code Kiln} writes all three into each run directory when the run ends; these
 * methods let a tool draw them again, or elsewhere.
 *
 * <pre>{@code
 * Reports.Written files = Reports.regenerate(Path.of("kiln-runs/k3x9a2b1"));
 * System.out.println("open " + files.html());
 * }</pre>
 *
 * Every text a plan, a provider or packer wrote is escaped for the format it lands in.
 */
public final class Reports {

    /** The JUnit XML file's name in a run directory. */
    public static final String JUNIT_XML = "junit.xml";
    /** The HTML report's name in a run directory. */
    public static final String HTML = "report.html";
    /** The Markdown summary's name in a run directory. */
    public static final String SUMMARY = "summary.md";

    private Reports() {
    }

    /** One test case per build; class name {@code provider/region}; failures carry the classified cause. */
    public static String junitXml(RunReport run) {
        return JunitXml.of(run);
    }

    /** The self-contained HTML page: timeline, API budget per region, builds, artifacts, quotas. */
    public static String html(RunReport run) {
        return HtmlReport.of(run);
    }

    /** A headline and a table of builds (failures first) in GitHub-flavoured Markdown. */
    public static String markdownSummary(RunReport run) {
        return MarkdownSummary.of(run);
    }

    /**
     * Writes {@link #JUNIT_XML}, {@link #HTML} and {@link #SUMMARY} into {@code directory}, replacing
     * earlier ones.
     *
     * @throws KilnException when a file cannot be written
     */
    public static Written write(RunReport run, Path directory) {
        Written w = new Written(directory.resolve(JUNIT_XML), directory.resolve(HTML), directory.resolve(SUMMARY));
        writeFile(w.junitXml(), junitXml(run));
        writeFile(w.html(), html(run));
        writeFile(w.summary(), markdownSummary(run));
        return w;
    }

    /**
     * Reads {@code runDirectory/events.jsonl} and writes the reports next to it.
     *
     * @throws KilnException when there is no event log, or a report cannot be written
     */
    public static Written regenerate(Path runDirectory) {
        return write(RunReport.read(runDirectory), runDirectory);
    }

    /**
     * Appends the Markdown summary to {@code file}, creating it if needed: what GitHub Actions shows
     * for a step when the file is {@code $GITHUB_STEP_SUMMARY}.
     *
     * @throws KilnException when the file cannot be written
     */
    public static void appendMarkdownSummary(RunReport run, Path file) {
        try {
            Files.writeString(file, markdownSummary(run), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new KilnException("cannot append the step summary to " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeFile(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KilnException("cannot write the report " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Where the reports of a run were written.
     *
     * @param junitXml JUnit XML
     * @param html     the HTML page
     * @param summary  the Markdown summary
     */
    public record Written(Path junitXml, Path html, Path summary) {
    }
}
