package dev.kiln.internal.report;

import dev.kiln.job.JobState;
import dev.kiln.report.RunReport;
import dev.kiln.report.RunReport.Build;
import dev.kiln.spi.Refusal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run as GitHub-flavoured Markdown, for {@code $GITHUB_STEP_SUMMARY}: a headline, then a table
 * of builds, failures first. Everything a plan or packer wrote is escaped, so a name cannot
 * smuggle HTML or break the table.
 */
public final class MarkdownSummary {

    /** GitHub caps a step summary at 1 MiB; beyond this many rows the table says how many it left out. */
    static final int MAX_ROWS = 300;

    private MarkdownSummary() {
    }

    public static String of(RunReport run) {
        StringBuilder sb = new StringBuilder();
        boolean ok = run.allSucceeded() && run.refusals().isEmpty();
        sb.append("### ").append(ok ? "✅" : "❌").append(" Kiln: ").append(cell(run.plan()))
                .append(" (run `").append(code(run.runId())).append("`)\n\n");
        sb.append(headline(run)).append("\n\n");
        if (!run.refusals().isEmpty()) {
            sb.append("**Refused in preflight:**\n\n");
            for (Refusal r : run.refusals()) {
                sb.append("- `").append(code(r.subject())).append("` ").append(r.kind()).append(": ")
                        .append(cell(Text.oneLine(r.message(), 300))).append('\n');
            }
            sb.append('\n');
        }
        sb.append("| build | target | state | tries | waited | ran | image / reason |\n");
        sb.append("| --- | --- | --- | ---: | ---: | ---: | --- |\n");
        List<Build> ordered = new ArrayList<>();
        run.builds().stream().filter(b -> !b.succeeded()).forEach(ordered::add);
        run.builds().stream().filter(Build::succeeded).forEach(ordered::add);
        int rows = 0;
        for (Build b : ordered) {
            if (rows++ == MAX_ROWS) {
                sb.append("| … ").append(ordered.size() - MAX_ROWS).append(" more builds in junit.xml and report.html"
                        + " | | | | | | |\n");
                break;
            }
            String detail = b.succeeded() ? cell(b.imageName() == null ? "" : b.imageName())
                    : cell((b.failure() == null ? "" : b.failure() + ": ") + Text.oneLine(b.message(), 200));
            sb.append("| ").append(cell(b.image() + "/" + b.env())).append(" | ").append(cell(b.target()))
                    .append(" | ").append(icon(b.state())).append(' ').append(b.state()).append(" | ")
                    .append(b.attempts().size()).append(" | ").append(Text.duration(b.waited())).append(" | ")
                    .append(Text.duration(b.ran())).append(" | ").append(detail).append(" |\n");
        }
        return sb.append('\n').toString();
    }

    static String headline(RunReport run) {
        Map<JobState, Integer> counts = run.counts();
        List<String> parts = new ArrayList<>();
        for (JobState s : List.of(JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)) {
            if (counts.containsKey(s)) {
                parts.add(counts.get(s) + " " + s.name().toLowerCase(Locale.ROOT));
            }
        }
        int unfinished = run.builds().size() - counts.getOrDefault(JobState.SUCCEEDED, 0)
                - counts.getOrDefault(JobState.FAILED, 0) - counts.getOrDefault(JobState.CANCELLED, 0);
        if (unfinished > 0) {
            parts.add(unfinished + " unfinished");
        }
        int n = run.builds().size();
        return n + (n == 1 ? " build: " : " builds: ") + String.join(", ", parts) + " in "
                + Text.duration(run.elapsed()) + "; " + run.throttles().size()
                + (run.throttles().size() == 1 ? " throttle" : " throttles")
                + run.forecast().map(f -> "; forecast " + Text.duration(f.makespan()) + " (" + Text.offForecast(run)
                        + ")").orElse("")
                + (run.finished() ? "" : " (the run did not record its end)");
    }

    private static String icon(JobState s) {
        return switch (s) {
            case SUCCEEDED -> "✅";
            case FAILED -> "❌";
            case CANCELLED -> "⏹️";
            default -> "⏳";
        };
    }

    /**
     * Markdown table cell text: HTML-escaped, pipes and backslashes neutralised, one line. Backticks
     * are escaped, not replaced: a hint such as {@code {{user `kiln_build_id`}}} must read as the
     * packer syntax it is.
     */
    private static String cell(String s) {
        return Text.escape(Text.oneLine(s, 10_000)).replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
                .replace("*", "\\*").replace("_", "\\_").replace("[", "\\[").replace("]", "\\]");
    }

    /** Text inside a code span: no backticks, pipes escaped (tables split on them even there). */
    private static String code(String s) {
        return Text.oneLine(s, 10_000).replace("`", "'").replace("|", "\\|");
    }
}
