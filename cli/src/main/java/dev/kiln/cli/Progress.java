package dev.kiln.cli;

import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.job.JobState;
import dev.kiln.report.TextTable;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Shows a run as it goes. On a terminal: a line per build as it ends, and under them a live block
 * with one line per running build (its last packer message) and a bar for the whole run. Otherwise
 * (a pipe, a CI log, {@code CI} set): plain timestamped lines, one per start, end, retry, refusal
 * and throttle, each ending build with its count.
 */
abstract class Progress implements KilnListener, AutoCloseable {

    /** How progress is shown. */
    enum Mode {
        /** A live block on a terminal outside CI, plain lines otherwise. */
        AUTO,
        /** The live block. */
        TTY,
        /** Timestamped lines. */
        PLAIN,
        /** Nothing until the run ends. */
        NONE
    }

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    protected final PrintStream out;
    protected final Map<String, Live> jobs = new LinkedHashMap<>();
    protected final Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
    protected int total;
    protected Instant started;

    Progress(PrintStream out) {
        this.out = out;
    }

    static Mode mode(Mode flag, CliContext ctx) {
        Mode m = new Settings(ctx).pick(flag, "KILN_PROGRESS", s -> Mode.valueOf(s.toUpperCase(Locale.ROOT)),
                Mode.AUTO);
        if (m != Mode.AUTO) {
            return m;
        }
        String term = ctx.env("TERM");
        return ctx.terminal() && !ctx.ci() && !"dumb".equals(term) ? Mode.TTY : Mode.PLAIN;
    }

    static Progress create(Mode mode, CliContext ctx) {
        return switch (mode) {
            case TTY -> new Tty(ctx.out(), width(ctx), Instant::now);
            case NONE -> new Plain(ctx.out(), true);
            default -> new Plain(ctx.out(), false);
        };
    }

    private static int width(CliContext ctx) {
        try {
            String cols = ctx.env("COLUMNS");
            return cols == null ? 120 : Math.max(40, Integer.parseInt(cols));
        } catch (NumberFormatException e) {
            return 120;
        }
    }

    /** One build as the progress display knows it. */
    static final class Live {
        final String job;
        JobState state = JobState.PLANNED;
        int attempt;
        Instant runningSince;
        String last = "";

        Live(String job) {
            this.job = job;
        }
    }

    @Override
    public synchronized void onEvent(KilnEvent event) {
        if (event instanceof KilnEvent.RunStarted e) {
            started = e.at();
            total = e.jobs();
        } else if (event instanceof KilnEvent.JobStateChanged e) {
            Live j = jobs.computeIfAbsent(e.jobId(), Live::new);
            counts.merge(j.state, -1, Integer::sum);
            counts.merge(e.to(), 1, Integer::sum);
            j.state = e.to();
            j.attempt = e.attempt();
            if (e.to() == JobState.RUNNING) {
                j.runningSince = e.at();
                j.last = "starting packer";
            }
            moved(e, j);
        } else if (event instanceof KilnEvent.PackerOutput e) {
            Live j = jobs.get(e.jobId());
            if (j != null && !e.text().isBlank()) {
                j.last = ("error".equals(e.kind()) ? "error: " : "") + e.text().strip();
                changed();
            }
        } else if (event instanceof KilnEvent.Refused e) {
            line(e.at(), "REFUSED", e.subject() + ": " + oneLine(e.message()));
        } else if (event instanceof KilnEvent.ThrottleObserved e) {
            line(e.at(), "THROTTLE", e.limit() + " (" + e.source() + ")");
        }
    }

    protected void moved(KilnEvent.JobStateChanged e, Live j) {
        switch (e.to()) {
            case RUNNING -> started(e, j);
            case SUCCEEDED -> line(e.at(), "SUCCEEDED", e.jobId() + "  " + done() + ran(e, j));
            case FAILED -> line(e.at(), "FAILED", e.jobId() + "  " + done() + "  " + oneLine(e.reason()));
            case CANCELLED -> line(e.at(), "CANCELLED", e.jobId() + "  " + done() + "  " + oneLine(e.reason()));
            case RETRY_WAIT -> line(e.at(), "RETRY", e.jobId() + "  " + oneLine(e.reason()));
            default -> changed();
        }
    }

    protected void started(KilnEvent.JobStateChanged e, Live j) {
        changed();
    }

    /** Something the live view shows changed. */
    protected void changed() {
    }

    /** A permanent line. */
    protected abstract void line(Instant at, String what, String text);

    protected String done() {
        return "[" + finished() + "/" + total + "]";
    }

    protected int finished() {
        return counts.getOrDefault(JobState.SUCCEEDED, 0) + counts.getOrDefault(JobState.FAILED, 0)
                + counts.getOrDefault(JobState.CANCELLED, 0);
    }

    /** How long the build ran here; for a job that never ran here (built by another node), who built it. */
    private static String ran(KilnEvent.JobStateChanged e, Live j) {
        if (j.runningSince == null) {
            String why = oneLine(e.reason());
            return why.isEmpty() ? "" : "  " + why;
        }
        return "  in " + TextTable.duration(Duration.between(j.runningSince, e.at()));
    }

    static String clock(Instant at) {
        return CLOCK.format(at);
    }

    static String oneLine(String s) {
        String t = s == null ? "" : s.replaceAll("\\s+", " ").trim();
        return t.length() > 300 ? t.substring(0, 299) + "…" : t;
    }

    @Override
    public void close() {
    }

    /** Timestamped lines, for logs. */
    static final class Plain extends Progress {
        private final boolean quiet;

        Plain(PrintStream out, boolean quiet) {
            super(out);
            this.quiet = quiet;
        }

        @Override
        protected void started(KilnEvent.JobStateChanged e, Live j) {
            line(e.at(), "RUNNING", e.jobId() + "  (attempt " + e.attempt() + ")");
        }

        @Override
        protected void line(Instant at, String what, String text) {
            if (!quiet) {
                out.printf("%s  %-9s %s%n", clock(at), what, text);
                out.flush();
            }
        }
    }

    /** The live block, for terminals. */
    static final class Tty extends Progress {
        private static final String UP_AND_CLEAR = "\033[%dA\r\033[J";
        private static final String GREEN = "\033[32m";
        private static final String RED = "\033[31m";
        private static final String YELLOW = "\033[33m";
        private static final String DIM = "\033[2m";
        private static final String RESET = "\033[0m";

        private final int width;
        private final ScheduledExecutorService ticker;
        private final Supplier<Instant> now;
        private final List<String> pending = new ArrayList<>();
        private int drawn;
        private long lastPaint;
        private boolean closed;

        Tty(PrintStream out, int width, Supplier<Instant> now) {
            super(out);
            this.width = width;
            this.now = now;
            this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kiln-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        }

        synchronized void tick() {
            paint(true);
        }

        @Override
        protected synchronized void line(Instant at, String what, String text) {
            String color = switch (what) {
                case "SUCCEEDED" -> GREEN;
                case "FAILED", "REFUSED", "THROTTLE" -> RED;
                case "RETRY", "CANCELLED" -> YELLOW;
                default -> "";
            };
            pending.add(DIM + clock(at) + RESET + "  " + color + String.format("%-9s", what) + RESET + " "
                    + fit(text, width - 21));
            paint(true);
        }

        @Override
        protected void changed() {
            paint(false);
        }

        private void paint(boolean force) {
            if (closed) {
                return;
            }
            long t = System.nanoTime();
            if (!force && t - lastPaint < 100_000_000L) {
                return;
            }
            lastPaint = t;
            StringBuilder sb = new StringBuilder();
            if (drawn > 0) {
                sb.append(String.format(UP_AND_CLEAR, drawn));
            }
            for (String p : pending) {
                sb.append(p).append('\n');
            }
            pending.clear();
            List<String> block = block();
            for (String b : block) {
                sb.append(b).append('\n');
            }
            drawn = block.size();
            out.print(sb);
            out.flush();
        }

        private List<String> block() {
            List<String> lines = new ArrayList<>();
            if (started == null) {
                return lines;
            }
            Instant n = now.get();
            int shown = 0;
            int running = 0;
            for (Live j : jobs.values()) {
                if (j.state != JobState.RUNNING && j.state != JobState.SWEEPING) {
                    continue;
                }
                running++;
                if (shown++ >= 20) {
                    continue;
                }
                String clock = j.runningSince == null ? "" : mmss(Duration.between(j.runningSince, n));
                String head = String.format("  %s %-22s %-26s %6s  ", j.state == JobState.SWEEPING ? "~" : ">",
                        fit(shortName(j.job), 22), fit(where(j.job), 26), clock);
                lines.add(head + DIM + fit(j.last, width - head.length() - 1) + RESET);
            }
            if (running > shown) {
                lines.add(DIM + "  ... and " + (running - shown) + " more running" + RESET);
            }
            int done = finished();
            int barWidth = Math.max(10, Math.min(40, width - 70));
            int filled = total == 0 ? 0 : (int) Math.round((double) done / total * barWidth);
            String bar = "[" + GREEN + "#".repeat(filled) + RESET + DIM + "-".repeat(barWidth - filled) + RESET + "]";
            lines.add(bar + " " + done + "/" + total + " done · " + running + " running · "
                    + counts.getOrDefault(JobState.WAITING, 0) + " waiting · "
                    + counts.getOrDefault(JobState.FAILED, 0) + " failed · "
                    + mmss(Duration.between(started, n)));
            return lines;
        }

        /** {@code image/env} of a job id {@code image/provider/account/region/env}. */
        private static String shortName(String jobId) {
            String[] p = jobId.split("/");
            return p.length >= 5 ? p[0] + "/" + p[p.length - 1] : jobId;
        }

        /** {@code provider/region} of a job id. */
        private static String where(String jobId) {
            String[] p = jobId.split("/");
            return p.length >= 5 ? p[1] + "/" + p[p.length - 2] : "";
        }

        private static String mmss(Duration d) {
            long s = Math.max(0, d.getSeconds());
            return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60)
                    : String.format("%d:%02d", s / 60, s % 60);
        }

        private static String fit(String s, int max) {
            if (max <= 1) {
                return "";
            }
            return s.length() > max ? s.substring(0, max - 1) + "…" : s;
        }

        @Override
        public synchronized void close() {
            paint(true);
            if (drawn > 0) {
                out.print(String.format(UP_AND_CLEAR, drawn));
                out.flush();
                drawn = 0;
            }
            closed = true;
            ticker.shutdownNow();
        }
    }
}
