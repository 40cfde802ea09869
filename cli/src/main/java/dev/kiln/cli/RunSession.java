package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.Resume;
import dev.kiln.RunHandle;
import dev.kiln.RunResult;
import dev.kiln.plan.BuildPlan;
import dev.kiln.report.Reports;
import dev.kiln.report.RunReport;
import dev.kiln.report.TextTable;
import dev.kiln.spi.Refusal;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One run from the command line, as {@code kiln run} and {@code kiln demo} do it: start it, show
 * its progress, cancel it gracefully on Ctrl-C, then print its table and where its reports are,
 * append the GitHub step summary, and say how it ended as an exit status.
 */
final class RunSession {

    private final CliContext ctx;
    private Progress.Mode mode = Progress.Mode.AUTO;
    private Integer metricsPort;
    private String describe = "";
    private Duration grace = RunnerOptions.DEFAULT_GRACE;
    private boolean verbose;

    RunSession(CliContext ctx) {
        this.ctx = ctx;
    }

    RunSession progress(Progress.Mode m) {
        this.mode = Progress.mode(m, ctx);
        return this;
    }

    RunSession metricsPort(Integer port) {
        this.metricsPort = new Settings(ctx).pick(port, "KILN_METRICS_PORT", Settings::wholeNumber, null);
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new UsageException(Settings.source(port, "--metrics-port", "KILN_METRICS_PORT")
                    + " must be 0 to 65535 (0 picks a free port), got " + metricsPort);
        }
        return this;
    }

    RunSession describe(String text) {
        this.describe = text;
        return this;
    }

    RunSession grace(Duration g) {
        this.grace = g;
        return this;
    }

    /** Whether to print every refusal in full at the end (all packer said about a template). */
    RunSession verbose(boolean v) {
        this.verbose = v;
        return this;
    }

    /** Runs the plan {@code planFor} gives for the Kiln built from {@code builder}; returns the exit status. */
    int run(Kiln.Builder builder, Function<Kiln, BuildPlan> planFor) {
        return run(builder, planFor, Kiln::start, "run");
    }

    /**
     * Resumes the crashed run with the plan {@code planFor} gives (the one it started with);
     * returns the exit status.
     */
    int resume(Kiln.Builder builder, Function<Kiln, BuildPlan> planFor, Resume crashed) {
        return run(builder, planFor, (kiln, plan) -> kiln.start(crashed.withPlan(plan)), "resuming run");
    }

    private int run(Kiln.Builder builder, Function<Kiln, BuildPlan> planFor,
            BiFunction<Kiln, BuildPlan, RunHandle> start, String what) {
        PrintStream out = ctx.out();
        MetricsServer metrics = metricsPort == null ? null : MetricsServer.start(metricsPort);
        Progress progress = Progress.create(mode, ctx);
        builder.listener(progress)
                .scheduling(s -> s.withBudgetSampleInterval(Duration.ofSeconds(1)).withGracePeriod(grace));
        if (metrics != null) {
            builder.listener(metrics.listener());
        }
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = null;
        try (Kiln kiln = builder.build()) {
            BuildPlan plan = planFor.apply(kiln);
            int targets = plan.targets().size();
            out.printf("kiln: %s %s of %s: %d builds on %d %s%s%n", what, plan.runId(), plan.name(),
                    plan.jobs().size(), targets, targets == 1 ? "target" : "targets",
                    describe.isEmpty() ? "" : " " + describe);
            if (metrics != null) {
                out.println("kiln: metrics at " + metrics.url());
            }
            out.flush();
            RunHandle handle = start.apply(kiln, plan);
            if (ctx.handleSignals()) {
                hook = cancelOnShutdown(handle, finished);
                Runtime.getRuntime().addShutdownHook(hook);
            }
            RunResult result;
            try {
                result = handle.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                handle.cancel();
                result = awaitQuietly(handle);
            }
            progress.close();
            return finish(result);
        } finally {
            progress.close();
            if (metrics != null) {
                metrics.close();
            }
            removeHook(hook);
            finished.countDown();
        }
    }

    /**
     * Ctrl-C (SIGINT) and SIGTERM start the JVM's shutdown; the hook cancels the run and holds the
     * shutdown until packer has cleaned up, the builds are swept and the reports are written.
     */
    private Thread cancelOnShutdown(RunHandle handle, CountDownLatch finished) {
        return new Thread(() -> {
            ctx.err().println("\nkiln: interrupted; cancelling the run (packer cleans up, then the builds are swept)."
                    + " Waiting up to " + TextTable.duration(grace.plus(Duration.ofMinutes(2))) + ".");
            ctx.err().flush();
            handle.cancel();
            try {
                finished.await(grace.plus(Duration.ofMinutes(2)).toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kiln-cancel-on-exit");
    }

    private static void removeHook(Thread hook) {
        if (hook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Shutting down already: the hook is what is waiting for us.
        }
    }

    private static RunResult awaitQuietly(RunHandle handle) {
        while (true) {
            try {
                return handle.await();
            } catch (InterruptedException again) {
                // Keep waiting: the run is being cancelled and swept.
            }
        }
    }

    private int finish(RunResult result) {
        PrintStream out = ctx.out();
        out.println();
        out.print(TextTable.of(result));
        if (verbose && !result.refusals().isEmpty()) {
            out.println("Refused in preflight, in full:");
            for (Refusal r : result.refusals()) {
                out.println("  " + r.subject() + " " + r.kind() + ": " + r.detail().strip().replace("\n", "\n    "));
            }
        }
        Path dir = result.runDirectory().toAbsolutePath();
        if (Files.exists(dir.resolve("events.jsonl"))) {
            RunReport report = RunReport.read(dir);
            report.forecast().ifPresent(f -> report.forecastRatio().ifPresent(ratio -> out.printf(Locale.ROOT,
                    "forecast after preflight: %.1f s; took %.1f s from then (%+.1f %%)%n",
                    f.makespan().toMillis() / 1000.0, Duration.between(f.at(), report.endedAt()).toMillis() / 1000.0,
                    (ratio - 1) * 100)));
        }
        out.println("run directory: " + dir);
        out.println("  events:  " + dir.resolve("events.jsonl"));
        out.println("  junit:   " + dir.resolve(Reports.JUNIT_XML));
        out.println("  report:  " + dir.resolve(Reports.HTML));
        String summary = ctx.env("GITHUB_STEP_SUMMARY");
        if (summary != null) {
            Reports.appendMarkdownSummary(RunReport.read(dir), Path.of(summary));
            out.println("  summary: appended to " + summary + " (GITHUB_STEP_SUMMARY)");
        }
        out.flush();
        return exitCode(result);
    }

    static int exitCode(RunResult result) {
        if (result.interrupted()) {
            return ExitCode.INTERRUPTED;
        }
        if (result.refusals().stream().anyMatch(PlanCommand::invalidInput)) {
            return ExitCode.USAGE;
        }
        if (!result.refusals().isEmpty()) {
            return ExitCode.REFUSED;
        }
        return result.allSucceeded() ? ExitCode.OK : ExitCode.FAILED;
    }
}
