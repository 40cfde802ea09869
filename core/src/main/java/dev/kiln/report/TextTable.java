package dev.kiln.report;

import dev.kiln.JobResult;
import dev.kiln.RunResult;
import dev.kiln.event.ApiUse;
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
        return columns(rows) + '\n' + summary(run) + '\n';
    }

    private static String columns(List<String[]> rows) {
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
        return sb.toString();
    }

    /**
     * The API budget panel in text: packer's own calls through Kiln's gate by target and API class,
     * next to what the cost model predicted, the retries its SDKs made on their own, how long Kiln
     * held the calls and the throttles that came back all the same. Empty when no build was metered
     * (the gate was off, or no build of a gated provider ran). {@code byTarget} as
     * {@link RunReport#meteredCalls()} gives it.
     */
    public static String apiCalls(Map<String, Map<String, ApiUse>> byTarget) {
        if (byTarget.isEmpty()) {
            return "";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TARGET", "API CLASS", "CALLS", "PREDICTED", "RETRIES", "HELD", "THROTTLED"});
        ApiUse total = ApiUse.NONE;
        for (var target : byTarget.entrySet()) {
            for (var use : target.getValue().entrySet()) {
                ApiUse u = use.getValue();
                total = total.plus(u);
                rows.add(new String[] {target.getKey(), apiClass(use.getKey()), String.valueOf(u.calls()),
                    String.format(Locale.ROOT, "%.0f", u.predicted()), String.valueOf(u.retries()),
                    duration(Duration.ofMillis(u.heldMillis())), String.valueOf(u.throttled())});
            }
        }
        return "packer's API calls through Kiln's gate:\n" + columns(rows) + String.format(Locale.ROOT,
                "%d calls (%.0f predicted), %d retried by packer's SDKs, held %s in all, %d throttled%n",
                total.calls(), total.predicted(), total.retries(), duration(Duration.ofMillis(total.heldMillis())),
                total.throttled());
    }

    /** The name an API class is shown by: calls of no limited class (tokens, metadata) are counted under "". */
    public static String apiClass(String api) {
        return api.isEmpty() ? "(unlimited: tokens, metadata)" : api;
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
