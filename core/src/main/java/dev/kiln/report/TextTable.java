package dev.kiln.report;

import dev.kiln.JobResult;
import dev.kiln.RunResult;
import dev.kiln.job.JobState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A run as a plain-text table: one row per build, then the totals. For terminals and CI logs. */
public final class TextTable {

    private TextTable() {
    }

    /** The per-job table and a summary line. */
    public static String of(RunResult run) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"JOB", "STATE", "TRIES", "WAITED", "RAN", "IMAGE / REASON"});
        for (JobResult j : run.jobs()) {
            String detail = j.succeeded() ? j.job().imageName()
                    : (j.failure() == null ? "" : j.failure() + ": ") + j.message();
            rows.add(new String[] {j.job().id().value(), j.state().name(), String.valueOf(j.attempts()),
                duration(j.waited()), duration(j.ran()), oneLine(detail, 90)});
        }
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                sb.append(i == row.length - 1 ? row[i] : pad(row[i], width[i] + 2));
            }
            sb.append('\n');
        }
        sb.append('\n').append(summary(run)).append('\n');
        return sb.toString();
    }

    /** {@code 49 builds: 47 succeeded, 2 failed in 2m13s; 0 throttles} */
    public static String summary(RunResult run) {
        Map<JobState, Integer> counts = run.counts();
        StringBuilder sb = new StringBuilder();
        sb.append(run.jobs().size()).append(run.jobs().size() == 1 ? " build: " : " builds: ");
        List<String> parts = new ArrayList<>();
        for (JobState s : List.of(JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)) {
            if (counts.containsKey(s)) {
                parts.add(counts.get(s) + " " + s.name().toLowerCase(Locale.ROOT));
            }
        }
        sb.append(String.join(", ", parts)).append(" in ").append(duration(run.elapsed()));
        sb.append("; ").append(run.throttles()).append(run.throttles() == 1 ? " throttle" : " throttles");
        if (!run.refusals().isEmpty()) {
            sb.append("; ").append(run.refusals().size()).append(" refused in preflight");
        }
        return sb.toString();
    }

    /** {@code 1h02m}, {@code 4m05s}, {@code 12.3s}. */
    public static String duration(Duration d) {
        long s = d.getSeconds();
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    private static String oneLine(String text, int max) {
        String s = text.replaceAll("\\s+", " ").trim();
        return s.length() > max ? s.substring(0, max - 1) + "…" : s;
    }

    private static String pad(String s, int width) {
        StringBuilder sb = new StringBuilder(s);
        while (sb.length() < width) {
            sb.append(' ');
        }
        return sb.toString();
    }
}
