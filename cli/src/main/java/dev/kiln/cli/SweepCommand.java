package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.job.JobState;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Target;
import dev.kiln.report.RunReport;
import dev.kiln.spi.SweepReport;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kiln sweep}. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = false,
        header = "Deletes what builds left behind: everything tagged with their build ids.",
        description = {
            "Kiln sweeps every failed or cancelled build itself. This command is for what a killed kiln (or a"
                + " machine that died) could not sweep: each provider deletes everything on the plan's targets that"
                + " carries the build's id tag (kiln-build-id), in dependency order. Sweeping is idempotent.",
            "",
            "--build-id sweeps the given builds on every target of the plan (or, when a run under --runs-dir"
                + " recorded the build, on its target). A build that succeeded is refused unless --force: sweeping it"
                + " would delete the image it made.",
            "",
            "--expired asks each target's provider to delete whatever carries a kiln_expires_at tag that has"
                + " passed (Kiln passes every template that variable: the build's start, its timeout and an hour;"
                + " templates tag what they create with it). It needs no run directory, so it also finds what"
                + " builds on other machines left; providers that cannot list resources by tag delete nothing.",
            "",
            "--older-than reads the run directories under --runs-dir (their events.jsonl) and sweeps builds"
                + " that started at least DURATION ago and did not end clean: the run stopped before they ended, or"
                + " their sweep reported something it could not delete. Succeeded builds are never swept. A run"
                + " counts only once it recorded its end or its journal has been quiet for DURATION, so a run still"
                + " going on this machine is left alone. Runs recorded elsewhere (another machine's --runs-dir)"
                + " are not found: sweep those by --build-id, or with --expired.",
            ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:everything found was deleted (or nothing was left)",
            "1:something could not be deleted (listed)",
            "2:invalid input: a missing file, a plan error, an unknown provider, a bad flag or setting"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  kiln sweep --build-id k3x9a2b1-004 plans/base.yaml",
            "  kiln sweep --older-than 6h --dry-run plans/base.yaml",
            "  kiln sweep --expired plans/base.yaml"})
final class SweepCommand implements Callable<Integer> {

    @ParentCommand
    KilnCommand parent;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
        @Option(names = "--build-id", paramLabel = "ID", split = ",", required = true,
                description = "Sweep these build ids (comma-separated or repeated), e.g. k3x9a2b1-004.")
        List<String> buildIds;

        @Option(names = "--older-than", paramLabel = "DURATION", converter = Durations.class, required = true,
                description = "Sweep builds recorded under --runs-dir that started at least this long ago and did"
                        + " not end clean, e.g. 6h, 2d.")
        Duration olderThan;

        @Option(names = "--expired", required = true,
                description = "Ask each target's provider to delete what builds tagged with an expiry"
                        + " (kiln_expires_at) that has passed: the dead man's switch, which needs no run directory.")
        boolean expired;
    }

    @Mixin
    PlanOptions plan;

    @Mixin
    ProviderOptions providers;

    @Option(names = "--runs-dir", paramLabel = "DIR",
            description = "Where run directories are. Environment: KILN_RUNS_DIR. Default: ./kiln-runs.")
    Path runsDir;

    @Option(names = "--dry-run", description = "Say what would be swept; delete nothing.")
    boolean dryRun;

    @Option(names = "--force", description = "Sweep a build given by --build-id even if it succeeded.")
    boolean force;

    /** One build to sweep, on one target. */
    private record Orphan(String buildId, Target target, String job, String run, Instant started) {
    }

    @Override
    public Integer call() {
        CliContext ctx = parent.ctx;
        BuildPlan p = plan.load(Providers.planContext(ctx), ctx);
        Path runs = new Settings(ctx).path(runsDir, "KILN_RUNS_DIR", RunnerOptions.DEFAULT_RUNS);
        PrintStream out = ctx.out();
        if (which.expired) {
            return sweepExpired(p, ctx, out);
        }
        List<RunReport> recorded = readRuns(runs);
        List<Orphan> orphans = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        if (which.buildIds != null) {
            byId(p, recorded, orphans);
        } else {
            byAge(p, recorded, TimeSource.system().now().minus(which.olderThan), runs, orphans, skipped);
        }
        for (String s : skipped) {
            out.println("skipped: " + s);
        }
        if (orphans.isEmpty()) {
            out.println("nothing to sweep" + (which.olderThan != null ? " (no unfinished build older than "
                    + which.olderThan.toString().substring(2).toLowerCase(java.util.Locale.ROOT) + " under " + runs + ")"
                    : ""));
            return ExitCode.OK;
        }
        if (dryRun) {
            Table t = new Table("BUILD ID", "TARGET", "JOB", "RUN");
            orphans.forEach(o -> t.row(o.buildId(), o.target().key(), o.job(), o.run()));
            out.println("would sweep " + orphans.size() + (orphans.size() == 1 ? " build" : " builds") + ":");
            out.print(t);
            return ExitCode.OK;
        }
        Providers ps = Providers.of(Providers.idsOf(p), providers, ctx);
        Table t = new Table("BUILD ID", "TARGET", "DELETED", "COULD NOT DELETE");
        boolean clean = true;
        Kiln.Builder b = Kiln.builder().files(f -> f.withEventLog(false).withReports(false));
        ps.registerWith(b);
        Kiln kiln = b.build();
        try {
            for (Orphan o : orphans) {
                SweepReport r;
                try {
                    r = ps.get(o.target().provider()).sweep(o.target(), o.buildId());
                } catch (RuntimeException e) {
                    r = new SweepReport(List.of(), List.of("sweep failed: " + e.getMessage()));
                }
                clean &= r.clean();
                t.row(o.buildId(), o.target().key(), r.deleted().isEmpty() ? "-" : String.join(", ", r.deleted()),
                        String.join("; ", r.failed()));
            }
        } finally {
            kiln.close();
        }
        out.print(t);
        return clean ? ExitCode.OK : ExitCode.FAILED;
    }

    /** Every target's provider removes what carries an expiry that has passed. */
    private int sweepExpired(BuildPlan p, CliContext ctx, PrintStream out) {
        if (dryRun) {
            throw new UsageException("--dry-run cannot preview --expired: providers find expired resources as they"
                    + " delete them. List what --older-than would sweep instead, or run without --dry-run.");
        }
        Providers ps = Providers.of(Providers.idsOf(p), providers, ctx);
        Table t = new Table("TARGET", "DELETED", "COULD NOT DELETE");
        boolean clean = true;
        Instant now = TimeSource.system().now();
        Kiln.Builder b = Kiln.builder().files(f -> f.withEventLog(false).withReports(false));
        ps.registerWith(b);
        // The Kiln hands each provider the API gate its calls go through.
        Kiln kiln = b.build();
        try {
            for (Target target : p.targets()) {
                SweepReport r;
                try {
                    r = ps.get(target.provider()).sweepExpired(target, now);
                } catch (RuntimeException e) {
                    r = new SweepReport(List.of(), List.of("sweep failed: " + e.getMessage()));
                }
                clean &= r.clean();
                t.row(target.key(), r.deleted().isEmpty() ? "-" : String.join(", ", r.deleted()),
                        String.join("; ", r.failed()));
            }
        } finally {
            kiln.close();
        }
        out.println("swept what expired before " + now + " (providers that cannot list by tag delete nothing):");
        out.print(t);
        return clean ? ExitCode.OK : ExitCode.FAILED;
    }

    private void byId(BuildPlan p, List<RunReport> recorded, List<Orphan> orphans) {
        for (String id : which.buildIds) {
            RunReport.Build found = null;
            String run = "";
            for (RunReport r : recorded) {
                for (RunReport.Build b : r.builds()) {
                    if (id.equals(b.buildId())) {
                        found = b;
                        run = r.runId();
                    }
                }
            }
            if (found != null && found.state() == JobState.SUCCEEDED && !force) {
                throw new UsageException("build " + id + " (" + found.jobId() + ") succeeded in run " + run
                        + ": sweeping it would delete the image it made. Pass --force to sweep it anyway.");
            }
            if (found != null) {
                Target t = targetOf(p, found.target());
                if (t == null) {
                    throw new UsageException("build " + id + " ran on " + found.target() + ", which " + plan.file
                            + " does not name; sweep it with the plan that built it");
                }
                orphans.add(new Orphan(id, t, found.jobId(), run, null));
            } else {
                for (Target t : p.targets()) {
                    orphans.add(new Orphan(id, t, "", "", null));
                }
            }
        }
    }

    private void byAge(BuildPlan p, List<RunReport> recorded, Instant cutoff, Path runs, List<Orphan> orphans,
                       List<String> skipped) {
        for (RunReport r : recorded) {
            boolean over = r.finished() || quietSince(r, runs).isBefore(cutoff);
            if (!over) {
                skipped.add("run " + r.runId() + " may still be going (its journal was written after the cutoff)");
                continue;
            }
            for (RunReport.Build b : r.builds()) {
                if (b.buildId() == null || b.attempts().isEmpty() || b.state() == JobState.SUCCEEDED) {
                    continue;
                }
                boolean sweptClean = b.state().isTerminal() && b.diagnosis().stream()
                        .noneMatch(d -> d.startsWith("not swept"));
                Instant lastStart = b.attempts().get(b.attempts().size() - 1).started();
                if (sweptClean || lastStart.isAfter(cutoff)) {
                    continue;
                }
                Target t = targetOf(p, b.target());
                if (t == null) {
                    skipped.add("build " + b.buildId() + " of run " + r.runId() + " ran on " + b.target()
                            + ", which the plan does not name");
                    continue;
                }
                orphans.add(new Orphan(b.buildId(), t, b.jobId(), r.runId(), lastStart));
            }
        }
    }

    private static Instant quietSince(RunReport r, Path runs) {
        try {
            Path journal = runs.resolve(r.runId()).resolve("events.jsonl");
            return Files.getLastModifiedTime(journal).toInstant();
        } catch (IOException e) {
            return r.endedAt();
        }
    }

    private static Target targetOf(BuildPlan p, String key) {
        for (Target t : p.targets()) {
            if (t.key().equals(key)) {
                return t;
            }
        }
        return null;
    }

    private static List<RunReport> readRuns(Path runs) {
        List<RunReport> out = new ArrayList<>();
        if (!Files.isDirectory(runs)) {
            return out;
        }
        Map<String, RunReport> byId = new LinkedHashMap<>();
        try (Stream<Path> dirs = Files.list(runs)) {
            for (Path d : dirs.sorted().toList()) {
                if (Files.isRegularFile(d.resolve("events.jsonl"))) {
                    try {
                        RunReport r = RunReport.read(d);
                        byId.put(r.runId(), r);
                    } catch (RuntimeException e) {
                        // An unreadable journal is not a run this command can reason about.
                    }
                }
            }
        } catch (IOException e) {
            throw new UsageException("cannot list the runs directory " + runs + ": " + e.getMessage());
        }
        out.addAll(byId.values());
        return out;
    }
}
