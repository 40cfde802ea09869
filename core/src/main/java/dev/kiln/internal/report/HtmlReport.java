package dev.kiln.internal.report;

import static dev.kiln.internal.report.Text.escape;

import dev.kiln.job.JobState;
import dev.kiln.limits.Quota;
import dev.kiln.report.RunReport;
import dev.kiln.report.RunReport.Attempt;
import dev.kiln.report.RunReport.BudgetSample;
import dev.kiln.report.RunReport.Build;
import dev.kiln.report.RunReport.LimitSeries;
import dev.kiln.report.RunReport.Phase;
import dev.kiln.report.RunReport.Throttle;
import dev.kiln.spi.Refusal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A run as one self-contained HTML page: a timeline with a lane per target and a bar per build
 * (its waits a lighter segment before it), the API budget of each region plotted under it with
 * the throttles seen, and tables of builds, artifacts and quotas. Inline CSS and SVG only; a
 * Content-Security-Policy forbids every fetch and admits only the page's own script by its hash,
 * so nothing a plan or packer wrote can run even if escaping were ever missed.
 */
public final class HtmlReport {

    private static final int WIDTH = 1160;
    private static final int LABEL = 220;
    private static final int RIGHT = 16;
    private static final int PLOT = WIDTH - LABEL - RIGHT;
    private static final int AXIS = 26;
    private static final int ROW = 16;
    private static final int BAR = 10;
    private static final int LANE_GAP = 6;
    private static final int CHART = 64;
    private static final int MAX_LINES = 6;

    private static final String OK = "#2f9e62";
    private static final String FAILED = "#d64545";
    private static final String RETRIED = "#e39b2d";
    private static final String CANCELLED = "#8a8f98";
    private static final String ACTIVE = "#3b7dd8";
    private static final String SWEEP = "#7d5ba6";
    private static final String[] PALETTE = {"#3b7dd8", "#e0662f", "#2f9e62", "#9b59b6", "#c0392b", "#16a0a0",
        "#b7950b", "#7f8c8d", "#d35400", "#2c3e50"};

    /** Marks the page as rendered; a headless browser's DOM dump shows it only if the script ran. */
    private static final String SCRIPT = "(function(){var d=document;d.documentElement.setAttribute("
            + "'data-kiln-rendered','ok');var g=d.querySelectorAll('g.build');for(var i=0;i<g.length;i++){"
            + "g[i].addEventListener('click',function(){var r=d.getElementById('b'+this.getAttribute('data-build'));"
            + "if(r){r.scrollIntoView({block:'center'});r.classList.add('hl');setTimeout(function(){"
            + "r.classList.remove('hl');},1600);}});}})();";

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    private final RunReport run;
    private final Instant t0;
    private final double spanMillis;
    private final StringBuilder out = new StringBuilder(64 * 1024);

    private HtmlReport(RunReport run) {
        this.run = run;
        this.t0 = run.startedAt();
        this.spanMillis = Math.max(1000, Duration.between(t0, run.endedAt()).toMillis());
    }

    public static String of(RunReport run) {
        return new HtmlReport(run).render();
    }

    private String render() {
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
                .append("style-src 'unsafe-inline'; img-src data:; script-src '").append(scriptHash())
                .append("'\">\n<title>Kiln · ").append(escape(run.plan())).append(" · ").append(escape(run.runId()))
                .append("</title>\n<style>").append(CSS).append("</style>\n</head>\n<body>\n");
        header();
        out.append("<main>\n");
        timeline();
        budgets();
        builds();
        artifacts();
        refusals();
        quotas();
        out.append("</main>\n<footer>Drawn by Kiln from <code>events.jsonl</code>")
                .append(run.runDirectory().map(d -> " in <code>" + escape(d.toString()) + "</code>").orElse(""))
                .append(". Self-contained: no scripts, fonts or images are fetched.</footer>\n");
        out.append("<script>").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return out.toString();
    }

    // ------------------------------------------------------------------ header

    private void header() {
        Map<JobState, Integer> counts = run.counts();
        int ok = counts.getOrDefault(JobState.SUCCEEDED, 0);
        int failed = counts.getOrDefault(JobState.FAILED, 0);
        int cancelled = counts.getOrDefault(JobState.CANCELLED, 0);
        Duration waited = Duration.ZERO;
        for (Build b : run.builds()) {
            waited = waited.plus(b.waited());
        }
        boolean good = failed == 0 && cancelled == 0 && run.refusals().isEmpty() && run.allSucceeded();
        out.append("<header class=\"").append(good ? "good" : "bad").append("\">\n<div class=\"brand\">")
                .append("<span class=\"flame\">&#9650;</span> Kiln run report</div>\n<h1>").append(escape(run.plan()))
                .append("</h1>\n<p class=\"meta\">run <code>").append(escape(run.runId())).append("</code> · started ")
                .append(STAMP.format(run.startedAt())).append(" · ").append(escape(run.packer()));
        if (!run.finished()) {
            out.append(" · <strong>the run did not record its end</strong>");
        }
        out.append("</p>\n<div class=\"tiles\">\n");
        tile(String.valueOf(run.builds().size()), "builds", "");
        tile(String.valueOf(ok), "succeeded", "ok");
        tile(String.valueOf(failed), "failed", failed > 0 ? "failed" : "");
        tile(String.valueOf(cancelled), "cancelled", cancelled > 0 ? "cancelled" : "");
        tile(Text.duration(run.elapsed()), "wall time", "");
        run.forecast().ifPresent(f -> tile(Text.duration(f.makespan()), "forecast (" + Text.offForecast(run) + ")",
                ""));
        tile(Text.duration(waited), "time builds waited (sum)", "");
        tile(String.valueOf(run.throttles().size()), "throttles", run.throttles().isEmpty() ? "ok" : "failed");
        out.append("</div>\n</header>\n");
    }

    private void tile(String value, String label, String kind) {
        out.append("<div class=\"tile ").append(kind).append("\"><b>").append(escape(value)).append("</b><span>")
                .append(escape(label)).append("</span></div>\n");
    }

    // ------------------------------------------------------------------ timeline

    private record Lane(String target, List<List<Integer>> rows) {
    }

    private void timeline() {
        List<Build> builds = run.builds();
        Map<String, Lane> lanes = new LinkedHashMap<>();
        for (String target : targetsInOrder()) {
            lanes.put(target, new Lane(target, new ArrayList<>()));
        }
        Map<String, List<Instant>> ends = new LinkedHashMap<>();
        for (int i = 0; i < builds.size(); i++) {
            Build b = builds.get(i);
            Lane lane = lanes.get(b.target());
            Instant from = b.firstActive();
            Instant to = b.phases().isEmpty() ? null : b.phases().get(b.phases().size() - 1).to();
            List<Instant> laneEnds = ends.computeIfAbsent(b.target(), k -> new ArrayList<>());
            int row = -1;
            for (int r = 0; r < laneEnds.size() && from != null; r++) {
                if (!laneEnds.get(r).isAfter(from)) {
                    row = r;
                    break;
                }
            }
            if (row < 0) {
                row = laneEnds.size();
                laneEnds.add(Instant.MIN);
                lane.rows().add(new ArrayList<>());
            }
            laneEnds.set(row, to == null ? Instant.MAX : to);
            lane.rows().get(row).add(i);
        }
        int height = AXIS + 4;
        for (Lane lane : lanes.values()) {
            height += Math.max(1, lane.rows().size()) * ROW + LANE_GAP;
        }
        out.append("<section>\n<h2>Timeline</h2>\n<p class=\"hint\">One lane per target, one bar per build. The pale")
                .append(" segment before a bar is time spent waiting (API budget, quota, a host slot or a dependency);")
                .append(" hover a bar for details, click it to find its row below.</p>\n");
        legend();
        out.append("<div class=\"scroll\"><svg class=\"timeline\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(height).append("\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"build timeline\">\n");
        axis(height);
        int y = AXIS + 4;
        int laneIndex = 0;
        for (Lane lane : lanes.values()) {
            int rows = Math.max(1, lane.rows().size());
            int laneHeight = rows * ROW;
            out.append("<rect class=\"lane").append(laneIndex++ % 2 == 0 ? " even" : "").append("\" x=\"0\" y=\"")
                    .append(y - 2).append("\" width=\"").append(WIDTH).append("\" height=\"").append(laneHeight + 4)
                    .append("\"/>\n");
            String[] parts = lane.target().split("/");
            String provider = parts[0];
            String region = parts.length > 1 ? parts[parts.length - 1] : "";
            String account = parts.length > 2 ? String.join("/", Arrays.copyOfRange(parts, 1,
                    parts.length - 1)) : "";
            out.append("<text class=\"lanelabel\" x=\"10\" y=\"").append(y + 11).append("\"><tspan class=\"prov\">")
                    .append(escape(provider)).append("</tspan> ").append(escape(region)).append("</text>\n");
            if (rows > 1) {
                out.append("<text class=\"account\" x=\"10\" y=\"").append(y + 11 + ROW).append("\">")
                        .append(escape(Text.oneLine(account, 32))).append("</text>\n");
            }
            out.append("<title>").append(escape(lane.target())).append("</title>\n");
            for (int r = 0; r < lane.rows().size(); r++) {
                for (int index : lane.rows().get(r)) {
                    bar(index, builds.get(index), y + r * ROW + (ROW - BAR) / 2);
                }
            }
            y += laneHeight + LANE_GAP;
        }
        out.append("</svg></div>\n</section>\n");
    }

    private List<String> targetsInOrder() {
        Set<String> targets = new LinkedHashSet<>();
        for (Build b : run.builds()) {
            targets.add(b.target());
        }
        return new ArrayList<>(targets);
    }

    private void legend() {
        out.append("<div class=\"legend\">");
        swatch(OK, "succeeded");
        swatch(FAILED, "failed");
        swatch(RETRIED, "attempt that failed and was retried");
        swatch(CANCELLED, "cancelled");
        swatch(ACTIVE, "still running");
        swatch(SWEEP, "sweeping after a failure");
        out.append("<span><i style=\"background:").append(OK).append(";opacity:.3\"></i>waiting</span>");
        out.append("</div>\n");
    }

    private void swatch(String color, String label) {
        out.append("<span><i style=\"background:").append(color).append("\"></i>").append(escape(label))
                .append("</span>");
    }

    private void axis(int height) {
        long step = tickStep(spanMillis);
        out.append("<g class=\"axis\">\n");
        for (long t = 0; t <= spanMillis + 1; t += step) {
            double x = LABEL + t / spanMillis * PLOT;
            out.append("<line x1=\"").append(fmt(x)).append("\" y1=\"").append(AXIS - 6).append("\" x2=\"")
                    .append(fmt(x)).append("\" y2=\"").append(height).append("\"/>")
                    .append("<text x=\"").append(fmt(x)).append("\" y=\"").append(AXIS - 10).append("\"")
                    .append(x > WIDTH - RIGHT - 12 ? " text-anchor=\"end\"" : "").append(">")
                    .append(clock(t)).append("</text>\n");
        }
        out.append("</g>\n");
    }

    private static long tickStep(double span) {
        long[] steps = {1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
            1_800_000, 3_600_000, 7_200_000, 14_400_000, 21_600_000, 43_200_000};
        for (long s : steps) {
            if (span / s <= 12) {
                return s;
            }
        }
        return 86_400_000;
    }

    private static String clock(long millis) {
        long s = millis / 1000;
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private double x(Instant t) {
        double ms = Duration.between(t0, t).toMillis();
        return LABEL + Math.max(0, Math.min(spanMillis, ms)) / spanMillis * PLOT;
    }

    private void bar(int index, Build b, int y) {
        out.append("<g class=\"build\" data-build=\"").append(index).append("\"><title>")
                .append(escape(tooltip(b))).append("</title>");
        String outcome = outcomeColor(b);
        int attempt = 0;
        double labelFrom = -1;
        double labelTo = -1;
        for (Phase p : b.phases()) {
            double x1 = x(p.from());
            double w = Math.max(1.5, x(p.to()) - x1);
            switch (p.state()) {
                case WAITING -> rect(x1, y, w, BAR, outcome, "wait");
                case RUNNING -> {
                    String color = attemptColor(b, attempt++);
                    rect(x1, y, w, BAR, color, "run");
                    if (w > labelTo - labelFrom) {
                        labelFrom = x1;
                        labelTo = x1 + w;
                    }
                }
                case SWEEPING -> rect(x1, y + 2, w, BAR - 4, SWEEP, "sweep");
                case RETRY_WAIT -> rect(x1, y + 3, w, BAR - 6, RETRIED, "retrywait");
                default -> {
                }
            }
        }
        if (b.phases().isEmpty() && b.state() == JobState.FAILED) {
            // Refused in preflight: a mark at the start, so the lane still shows it.
            rect(LABEL, y, 3, BAR, FAILED, "run");
        }
        String label = b.image() + "/" + b.env();
        if (labelTo - labelFrom > label.length() * 5.6 + 6) {
            out.append("<text class=\"barlabel\" x=\"").append(fmt(labelFrom + 3)).append("\" y=\"")
                    .append(y + BAR - 2).append("\">").append(escape(label)).append("</text>");
        }
        out.append("</g>\n");
    }

    private void rect(double x, int y, double w, int h, String color, String cls) {
        out.append("<rect class=\"").append(cls).append("\" x=\"").append(fmt(x)).append("\" y=\"").append(y)
                .append("\" width=\"").append(fmt(w)).append("\" height=\"").append(h).append("\" fill=\"")
                .append(color).append("\"/>");
    }

    private static String outcomeColor(Build b) {
        return switch (b.state()) {
            case SUCCEEDED -> OK;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
            default -> ACTIVE;
        };
    }

    private static String attemptColor(Build b, int i) {
        if (i >= b.attempts().size()) {
            return outcomeColor(b);
        }
        Attempt a = b.attempts().get(i);
        if (a.ended() == null) {
            return b.state().isTerminal() ? outcomeColor(b) : ACTIVE;
        }
        if (a.succeeded()) {
            return b.state() == JobState.SUCCEEDED ? OK : FAILED;
        }
        boolean last = i == b.attempts().size() - 1;
        if (!last) {
            return RETRIED;
        }
        return a.failure() == null ? CANCELLED : outcomeColor(b);
    }

    private static String tooltip(Build b) {
        StringBuilder sb = new StringBuilder();
        sb.append(b.jobId()).append('\n').append(b.state());
        if (b.failure() != null) {
            sb.append(" (").append(b.failure()).append(')');
        }
        sb.append(" after ").append(b.attempts().size()).append(b.attempts().size() == 1 ? " attempt" : " attempts");
        sb.append("\nwaited ").append(Text.duration(b.waited())).append(", ran ").append(Text.duration(b.ran()));
        if (b.imageName() != null) {
            sb.append('\n').append(b.imageName());
        }
        if (!b.message().isEmpty()) {
            sb.append('\n').append(Text.oneLine(b.message(), 240));
        }
        for (Phase p : b.phases()) {
            if (p.state() == JobState.WAITING && !p.reason().isEmpty()) {
                sb.append("\nlast wait: ").append(Text.oneLine(p.reason(), 160));
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ budgets

    private void budgets() {
        out.append("<section>\n<h2>API budget</h2>\n");
        if (run.budgets().isEmpty()) {
            out.append("<p class=\"hint\">No budget samples in this run.</p>\n</section>\n");
            return;
        }
        out.append("<p class=\"hint\">Share of each limit in use over time, per region (solid: tokens or window")
                .append(" spent; dashed: the refill rate running builds' polling holds). Red marks are throttles")
                .append(" seen. Same time axis as the timeline.</p>\n");
        Map<String, List<LimitSeries>> byScope = new LinkedHashMap<>();
        for (String target : targetsInOrder()) {
            for (LimitSeries s : run.budgets()) {
                if (s.scope().equals(target)) {
                    byScope.computeIfAbsent(s.scope(), k -> new ArrayList<>()).add(s);
                }
            }
        }
        for (LimitSeries s : run.budgets()) {
            List<LimitSeries> list = byScope.computeIfAbsent(s.scope(), k -> new ArrayList<>());
            if (!list.contains(s)) {
                list.add(s);
            }
        }
        Map<String, List<Throttle>> throttles = new LinkedHashMap<>();
        for (Throttle t : run.throttles()) {
            throttles.computeIfAbsent(t.scope(), k -> new ArrayList<>()).add(t);
        }
        for (Map.Entry<String, List<LimitSeries>> e : byScope.entrySet()) {
            chart(e.getKey(), e.getValue(), throttles.getOrDefault(e.getKey(), List.of()));
        }
        for (Map.Entry<String, List<Throttle>> e : throttles.entrySet()) {
            if (!byScope.containsKey(e.getKey())) {
                chart(e.getKey(), List.of(), e.getValue());
            }
        }
        out.append("</section>\n");
    }

    private void chart(String scope, List<LimitSeries> series, List<Throttle> throttles) {
        int top = 8;
        int h = CHART + top + 6;
        out.append("<div class=\"chart\"><svg viewBox=\"0 0 ").append(WIDTH).append(' ').append(h)
                .append("\" width=\"").append(WIDTH).append("\" height=\"").append(h).append("\" role=\"img\"")
                .append(" aria-label=\"API budget of ").append(escape(scope)).append("\">\n");
        String[] parts = scope.split("/");
        out.append("<text class=\"lanelabel\" x=\"10\" y=\"").append(top + 14).append("\"><tspan class=\"prov\">")
                .append(escape(parts[0])).append("</tspan> ").append(escape(parts.length > 2 ? parts[parts.length - 1]
                        : "(account-wide)")).append("</text>\n");
        out.append("<text class=\"account\" x=\"10\" y=\"").append(top + 28).append("\">")
                .append(escape(Text.oneLine(parts.length > 1 ? parts[1] : "", 32))).append("</text>\n");
        out.append("<title>").append(escape(scope)).append("</title>\n");
        out.append("<rect class=\"plot\" x=\"").append(LABEL).append("\" y=\"").append(top).append("\" width=\"")
                .append(PLOT).append("\" height=\"").append(CHART).append("\"/>\n");
        for (int pct : new int[] {50, 100}) {
            double y = top + CHART - pct / 100.0 * CHART;
            out.append("<line class=\"grid\" x1=\"").append(LABEL).append("\" x2=\"").append(LABEL + PLOT)
                    .append("\" y1=\"").append(fmt(y)).append("\" y2=\"").append(fmt(y)).append("\"/>")
                    .append("<text class=\"pct\" x=\"").append(LABEL - 4).append("\" y=\"").append(fmt(y + 3))
                    .append("\">").append(pct).append("%</text>\n");
        }
        int color = 0;
        List<String[]> legend = new ArrayList<>();
        // Providers declare a limit per API action; a chart of twenty flat lines says less than the
        // few that moved, so the busiest are drawn and the rest counted.
        List<LimitSeries> ranked = new ArrayList<>(series);
        ranked.sort(Comparator.comparingDouble(LimitSeries::peakUse).reversed());
        List<LimitSeries> drawn = new ArrayList<>();
        double quietPeak = 0;
        for (LimitSeries s : ranked) {
            if (drawn.size() < MAX_LINES && (drawn.isEmpty() || s.peakUse() >= 0.01)) {
                drawn.add(s);
            } else {
                quietPeak = Math.max(quietPeak, s.peakUse());
            }
        }
        int quiet = series.size() - drawn.size();
        for (LimitSeries s : drawn) {
            String c = PALETTE[color++ % PALETTE.length];
            StringBuilder used = new StringBuilder();
            StringBuilder steady = new StringBuilder();
            boolean anySteady = false;
            for (BudgetSample sample : s.samples()) {
                double x = x(sample.at());
                used.append(fmt(x)).append(',').append(fmt(top + CHART - sample.used() * CHART)).append(' ');
                double share = sample.ratePerSecond() > 0 ? Math.min(1, sample.reservedRatePerSecond()
                        / sample.ratePerSecond()) : 0;
                anySteady |= share > 0;
                steady.append(fmt(x)).append(',').append(fmt(top + CHART - share * CHART)).append(' ');
            }
            String title = "<title>" + escape(s.name() + ": peak " + Math.round(s.peakUse() * 100) + "% in use")
                    + "</title>";
            out.append("<polyline class=\"used\" stroke=\"").append(c).append("\" points=\"")
                    .append(used.toString().trim()).append("\">").append(title).append("</polyline>\n");
            if (anySteady) {
                out.append("<polyline class=\"steady\" stroke=\"").append(c).append("\" points=\"")
                        .append(steady.toString().trim()).append("\"/>\n");
            }
            legend.add(new String[] {c, s.name() + " · peak " + Math.round(s.peakUse() * 100) + "%"});
        }
        for (Throttle t : throttles) {
            double x = x(t.at());
            out.append("<path class=\"throttle\" d=\"M").append(fmt(x - 4)).append(',').append(top).append(" L")
                    .append(fmt(x + 4)).append(',').append(top).append(" L").append(fmt(x)).append(',')
                    .append(top + 8).append(" Z\"><title>").append(escape("throttle on " + t.limit() + " ("
                            + t.source() + ") at " + clock(Duration.between(t0, t.at()).toMillis())))
                    .append("</title></path>\n");
        }
        out.append("</svg><div class=\"legend small\">");
        for (String[] l : legend) {
            swatch(l[0], l[1]);
        }
        if (quiet > 0) {
            out.append("<span>+ ").append(quiet).append(quiet == 1 ? " more limit" : " more limits")
                    .append(", none above ").append(Math.max(1, Math.round(quietPeak * 100))).append("%</span>");
        }
        if (!throttles.isEmpty()) {
            out.append("<span class=\"thr\">&#9660; ").append(throttles.size())
                    .append(throttles.size() == 1 ? " throttle" : " throttles").append("</span>");
        }
        out.append("</div></div>\n");
    }

    // ------------------------------------------------------------------ tables

    private void builds() {
        out.append("<section>\n<h2>Builds</h2>\n<table>\n<thead><tr><th>#</th><th>build</th><th>target</th>")
                .append("<th>state</th><th class=\"num\">tries</th><th class=\"num\">waited</th>")
                .append("<th class=\"num\">started</th><th class=\"num\">forecast</th>")
                .append("<th class=\"num\">ran</th><th>image / reason</th></tr></thead>\n<tbody>\n");
        List<Build> builds = run.builds();
        for (int i = 0; i < builds.size(); i++) {
            Build b = builds.get(i);
            String detail;
            if (b.succeeded()) {
                detail = "<code>" + escape(b.imageName() == null ? "" : b.imageName()) + "</code>";
            } else {
                detail = (b.failure() == null ? "" : "<b>" + escape(b.failure().name()) + "</b> ")
                        + escape(Text.oneLine(b.message(), 400));
                for (String d : b.diagnosis()) {
                    detail += "<br><small>" + escape(Text.oneLine(d, 300)) + "</small>";
                }
            }
            out.append("<tr id=\"b").append(i).append("\"><td class=\"num\">").append(i + 1).append("</td><td>")
                    .append(escape(b.image() + "/" + b.env())).append("</td><td>").append(escape(b.target()))
                    .append("</td><td><span class=\"pill ").append(b.state().name().toLowerCase(Locale.ROOT))
                    .append("\">").append(escape(Text.lower(b.state()))).append("</span></td><td class=\"num\">")
                    .append(b.attempts().size()).append("</td><td class=\"num\">").append(Text.duration(b.waited()))
                    .append("</td><td class=\"num\">").append(run.startOf(b).map(Text::duration).orElse("–"))
                    .append("</td><td class=\"num\">").append(run.forecastStartOf(b).map(Text::duration).orElse("–"))
                    .append("</td><td class=\"num\">").append(Text.duration(b.ran())).append("</td><td>")
                    .append(detail).append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n</section>\n");
    }

    private void artifacts() {
        out.append("<section>\n<h2>Artifacts</h2>\n");
        List<Build> made = run.builds().stream().filter(b -> !b.artifacts().isEmpty() || !b.verified().isEmpty())
                .toList();
        if (made.isEmpty()) {
            out.append("<p class=\"hint\">No build reported an artifact.</p>\n</section>\n");
            return;
        }
        out.append("<table>\n<thead><tr><th>build</th><th>target</th><th>image name</th><th>artifact</th>")
                .append("<th>verified by the provider</th></tr></thead>\n<tbody>\n");
        for (Build b : made) {
            out.append("<tr><td>").append(escape(b.image() + "/" + b.env())).append("</td><td>")
                    .append(escape(b.target())).append("</td><td><code>")
                    .append(escape(b.imageName() == null ? "" : b.imageName())).append("</code></td><td><code>")
                    .append(escape(String.join(", ", b.artifacts()))).append("</code></td><td>")
                    .append(b.verified().isEmpty() ? "<span class=\"pill failed\">no</span>"
                            : "<span class=\"pill succeeded\">yes</span> <code>"
                            + escape(String.join(", ", b.verified())) + "</code>")
                    .append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n</section>\n");
    }

    private void refusals() {
        if (run.refusals().isEmpty()) {
            return;
        }
        out.append("<section>\n<h2>Refused in preflight</h2>\n<table>\n<thead><tr><th>subject</th><th>why</th>")
                .append("<th>message</th></tr></thead>\n<tbody>\n");
        for (Refusal r : run.refusals()) {
            out.append("<tr><td>").append(escape(r.subject())).append("</td><td>").append(escape(r.kind().name()))
                    .append("</td><td>").append(escape(r.message())).append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n</section>\n");
    }

    private void quotas() {
        if (run.quotas().isEmpty()) {
            return;
        }
        out.append("<section>\n<h2>Quotas at preflight</h2>\n<table>\n<thead><tr><th>target</th><th>metric</th>")
                .append("<th class=\"num\">limit</th><th class=\"num\">in use</th><th class=\"num\">headroom</th>")
                .append("</tr></thead>\n<tbody>\n");
        for (Map.Entry<String, Map<String, Quota>> e : run.quotas().entrySet()) {
            for (Quota q : new TreeMap<>(e.getValue()).values()) {
                out.append("<tr><td>").append(escape(e.getKey())).append("</td><td>").append(escape(q.metric()))
                        .append("</td><td class=\"num\">").append(q.limit()).append("</td><td class=\"num\">")
                        .append(q.usage()).append("</td><td class=\"num\">").append(q.headroom()).append("</td></tr>\n");
            }
        }
        out.append("</tbody>\n</table>\n</section>\n");
    }

    // ------------------------------------------------------------------ plumbing

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String scriptHash() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(SCRIPT.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static final String CSS = """
            :root{--ink:#1d2330;--muted:#667085;--line:#e4e7ec;--bg:#f5f6f8;--card:#fff;--accent:#e0662f}
            *{box-sizing:border-box}
            body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",\
            Roboto,"Helvetica Neue",Arial,sans-serif}
            header{background:linear-gradient(135deg,#1f2430,#2b3245);color:#fff;padding:22px 32px 20px;\
            border-bottom:4px solid var(--accent)}
            header.bad{border-bottom-color:#d64545}
            .brand{font-size:12px;letter-spacing:.12em;text-transform:uppercase;color:#f3b391}
            .flame{color:var(--accent)}
            h1{margin:4px 0 2px;font-size:26px;font-weight:650}
            .meta{margin:0 0 14px;color:#c9cfdb;font-size:13px}
            .meta code{color:#fff}
            .tiles{display:flex;flex-wrap:wrap;gap:10px}
            .tile{background:rgba(255,255,255,.08);border-radius:8px;padding:8px 14px;min-width:104px}
            .tile b{display:block;font-size:20px}
            .tile span{font-size:12px;color:#c9cfdb}
            .tile.ok b{color:#7ee2a8}.tile.failed b{color:#ff9c9c}.tile.cancelled b{color:#d0d4db}
            main{padding:8px 32px 24px;max-width:1240px}
            section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 18px;\
            margin:18px 0;box-shadow:0 1px 2px rgba(16,24,40,.05)}
            h2{font-size:17px;margin:0 0 6px}
            .hint{color:var(--muted);margin:0 0 10px;font-size:13px}
            .scroll{overflow-x:auto}
            .legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--muted);margin:4px 0 8px}
            .legend.small{margin:0 0 10px 220px}
            .legend i{display:inline-block;width:12px;height:10px;border-radius:2px;margin-right:5px;\
            vertical-align:-1px}
            .legend .thr{color:#d64545}
            svg text{font-family:inherit}
            .axis line{stroke:#eef0f3}
            .axis text{font-size:10px;fill:var(--muted)}
            .axis text:not([text-anchor]){text-anchor:middle}
            .lane{fill:#fff}.lane.even{fill:#f8f9fb}
            .lanelabel{font-size:12px;fill:var(--ink)}
            .lanelabel .prov{font-weight:650}
            .account{font-size:10px;fill:var(--muted)}
            .build{cursor:pointer}
            .build rect{rx:2px}
            .build rect.wait{opacity:.28}
            .build:hover rect.run{filter:brightness(1.12)}
            .build:hover rect.wait{opacity:.45}
            .barlabel{font-size:9px;fill:#fff;pointer-events:none}
            .chart svg{display:block}
            .plot{fill:#fafbfc;stroke:var(--line)}
            .grid{stroke:#e9ecf1;stroke-dasharray:2 3}
            .pct{font-size:9px;fill:var(--muted);text-anchor:end}
            polyline{fill:none;stroke-width:1.6;stroke-linejoin:round}
            polyline.steady{stroke-dasharray:4 3;stroke-width:1.1;opacity:.8}
            .throttle{fill:#d64545}
            table{border-collapse:collapse;width:100%;font-size:13px}
            th{text-align:left;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line);padding:6px 8px}
            td{border-bottom:1px solid var(--line);padding:5px 8px;vertical-align:top;word-break:break-word}
            tr.hl td{background:#fff3cd;transition:background .3s}
            .num{text-align:right;white-space:nowrap}
            code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
            .pill{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;background:#eef1f5;\
            white-space:nowrap}
            .pill.succeeded{background:#dcf3e6;color:#1e7a49}.pill.failed{background:#fde2e2;color:#a52a2a}
            .pill.cancelled{background:#eceef1;color:#555}
            footer{color:var(--muted);font-size:12px;padding:0 32px 28px}
            """;
}
