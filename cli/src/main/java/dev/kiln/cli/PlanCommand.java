package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.KilnException;
import dev.kiln.RunResult;
import dev.kiln.event.KilnEvent;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.Quota;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.PlanFile;
import dev.kiln.plan.Target;
import dev.kiln.report.Reports;
import dev.kiln.report.RunReport;
import dev.kiln.report.TextTable;
import dev.kiln.sim.Simulation;
import dev.kiln.sim.SimulationResult;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.Refusal;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kiln plan FILE}. */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = false,
        header = "Checks a plan and predicts its run: when each build starts and ends, the waits, the API budget.",
        description = {
            "Reads, expands and validates the plan; runs preflight (packer version and plugin pins, packer"
                + " validate, each target's quota probe, never-fits checks, image names); then simulates the run in"
                + " virtual time with Kiln's own scheduler under the providers' limits and the probed quotas. Nothing"
                + " is built.",
            "",
            "--offline makes no provider calls: packer is still checked, and the simulation uses the providers'"
                + " documented default limits and simulated quotas. With --simulate, preflight runs against the"
                + " simulated cloud.",
            "",
            "The prediction uses each image's 'expected' duration (or the provider's cost model) and one cost"
                + " model per provider; real builds vary, so read it as the shape of the run, not a promise.",
            ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:the plan is valid and preflight refused nothing",
            "2:invalid input: a missing file, a plan error, an unknown provider, a bad flag or setting",
            "3:preflight refused builds (they are listed; the prediction leaves them out)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  kiln plan plans/base.yaml",
            "  kiln plan --offline --json plans/base.yaml > prediction.json",
            "  kiln plan --offline --html predicted.html examples/plans/null-fleet.yaml"})
final class PlanCommand implements Callable<Integer> {

    @ParentCommand
    KilnCommand parent;

    @Mixin
    PlanOptions plan;

    @Mixin
    ProviderOptions providers;

    @Mixin
    RunnerOptions runner;

    @Option(names = "--offline", description = "Make no provider calls: skip quota probes and name checks.")
    boolean offline;

    @Option(names = "--json", description = "Print the prediction as JSON instead of tables.")
    boolean json;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write the predicted run as an HTML timeline report to FILE.")
    Path html;

    /** What preflight found, and the limits the simulation should use. */
    private record Preflight(List<Refusal> refusals, Map<String, Map<String, Quota>> quotas,
                             Map<String, LimitsTable> limits, Map<String, CostModel> costs, String packer) {
    }

    @Override
    public Integer call() throws IOException {
        CliContext ctx = parent.ctx;
        BuildPlan p = plan.load(PlanContext.of(TimeSource.system()).withEnv(ctx.env()), ctx);
        Path scratch = Files.createTempDirectory("kiln-plan-");
        Preflight preflight;
        try {
            preflight = offline ? offlinePreflight(p, scratch, ctx) : preflight(p, scratch, ctx);
        } finally {
            deleteTree(scratch);
        }
        RunReport.Collector predicted = RunReport.collector();
        int slots = runner.slots(ctx);
        SimulationResult sim = Simulation.builder().seed(1).hostSlots(slots)
                .cloud(c -> {
                    preflight.limits().forEach((id, limits) -> c.provider(id, limits, preflight.costs().get(id)));
                    preflight.quotas().forEach((target, quotas) -> quotas.values().forEach(q -> {
                        c.quota(target, q.metric(), q.limit());
                        c.outsideUsage(target, q.metric(), q.usage());
                    }));
                })
                .kiln(k -> k.listener(predicted).scheduling(s -> s.withBudgetSampleInterval(Duration.ofSeconds(10))))
                .build().run(withoutRefused(p, preflight.refusals()));
        RunReport report = predicted.report();
        if (html != null) {
            Files.writeString(html, Reports.html(report), StandardCharsets.UTF_8);
        }
        if (json) {
            ctx.out().println(Json.write(json(p, preflight, sim, report)));
        } else {
            print(ctx.out(), p, preflight, sim, report, slots);
        }
        return preflight.refusals().isEmpty() ? ExitCode.OK : ExitCode.REFUSED;
    }

    private Preflight preflight(BuildPlan draft, Path scratch, CliContext ctx) {
        Providers ps = Providers.of(Providers.idsOf(draft), providers, ctx);
        Map<String, Map<String, Quota>> quotas = new LinkedHashMap<>();
        try (ProcessPackerRunner packer = RunCommand.packerRunner(runner, ctx)) {
            Kiln.Builder b = Kiln.builder().packerRunner(packer)
                    .files(f -> f.withRunsDirectory(scratch).withEventLog(false).withReports(false)).listener(e -> {
                        if (e instanceof KilnEvent.QuotaProbed q) {
                            quotas.put(q.target(), q.quotas());
                        }
                    });
            ps.registerWith(b);
            try (Kiln kiln = b.build()) {
                BuildPlan p = plan.narrow(PlanFile.load(plan.file, kiln.planContext().withEnv(ctx.env())
                        .withRunId(draft.runId())), ctx);
                RunResult result = kiln.preflight(p);
                Map<String, LimitsTable> limits = new LinkedHashMap<>();
                Map<String, CostModel> costs = new LinkedHashMap<>();
                if (!ps.isSimulated()) {
                    for (BuildJob j : p.jobs()) {
                        CloudProvider provider = ps.get(j.target().provider());
                        if (!limits.containsKey(provider.id())) {
                            limits.put(provider.id(), provider.apiLimits(j.target()));
                            costs.put(provider.id(), provider.costModel(j.image(), j.target()));
                        }
                    }
                } else {
                    unknownProviders(p, limits, costs);
                }
                return new Preflight(result.refusals(), quotas, limits, costs, packer.describe());
            }
        }
    }

    private Preflight offlinePreflight(BuildPlan p, Path scratch, CliContext ctx) {
        List<Refusal> refusals;
        String describe;
        try (ProcessPackerRunner packer = RunCommand.packerRunner(runner, ctx)) {
            try {
                refusals = packer.preflight(p, scratch);
            } catch (KilnException e) {
                refusals = List.of(new Refusal("packer", Refusal.Kind.PACKER_VERSION, e.getMessage()));
            }
            describe = packer.describe();
        }
        Map<String, LimitsTable> limits = new LinkedHashMap<>();
        Map<String, CostModel> costs = new LinkedHashMap<>();
        unknownProviders(p, limits, costs);
        return new Preflight(refusals, Map.of(), limits, costs, describe);
    }

    /** Providers the simulated cloud does not model get no limits and builds that only take time. */
    private static void unknownProviders(BuildPlan p, Map<String, LimitsTable> limits, Map<String, CostModel> costs) {
        for (String id : Providers.idsOf(p)) {
            if (!Providers.SIMULATED.contains(id)) {
                limits.put(id, LimitsTable.none());
                costs.put(id, CostModel.free(Duration.ofMinutes(5)));
            }
        }
    }

    /** The plan without builds preflight refused (and what depends on them); all of it when packer was refused. */
    private static BuildPlan withoutRefused(BuildPlan p, List<Refusal> refusals) {
        List<String> refused = refusals.stream().map(Refusal::subject).toList();
        List<BuildJob> kept = new ArrayList<>();
        for (BuildJob j : p.jobs()) {
            boolean gone = refused.contains(j.id().value())
                    || j.dependsOn().stream().anyMatch(d -> refused.contains(d.value()));
            if (!gone) {
                kept.add(j);
            }
        }
        List<String> keptIds = kept.stream().map(j -> j.id().value()).toList();
        kept.removeIf(j -> j.dependsOn().stream().anyMatch(d -> !keptIds.contains(d.value())));
        return kept.isEmpty() ? p : p.withJobs(kept);
    }

    // ------------------------------------------------------------------ output

    private void print(PrintStream out, BuildPlan p, Preflight pf, SimulationResult sim, RunReport report, int slots) {
        out.printf("Plan %s (%s): %d builds on %d targets (%s)%n", p.name(), plan.file, p.jobs().size(),
                p.targets().size(), String.join(", ", Providers.idsOf(p)));
        out.println("Preflight: " + (offline ? "offline (no provider calls; documented default limits, simulated"
                + " quotas)" : providers.simulate ? "against the simulated cloud" : "quotas probed on "
                + pf.quotas().size() + (pf.quotas().size() == 1 ? " target" : " targets")) + "; " + pf.packer());
        if (pf.refusals().isEmpty()) {
            out.println("  nothing refused");
        } else {
            out.println("  refused (" + pf.refusals().size() + "):");
            for (Refusal r : pf.refusals()) {
                out.println("    " + r.subject() + " " + r.kind() + ": " + Progress.oneLine(r.message()));
            }
        }
        out.println();
        Instant t0 = report.startedAt();
        Table builds = new Table("BUILD", "TARGET", "START", "END", "WAIT", "STATE").right(2, 3, 4);
        for (RunReport.Build b : report.builds()) {
            Instant start = firstRun(b);
            Instant end = b.phases().isEmpty() ? null : b.phases().get(b.phases().size() - 1).to();
            builds.row(b.image() + "/" + b.env(), b.target(), start == null ? "-" : clock(t0, start),
                    end == null ? "-" : clock(t0, end), TextTable.duration(b.waited()),
                    b.succeeded() ? "" : b.state() + (b.message().isEmpty() ? "" : ": " + Progress.oneLine(b.message())));
        }
        out.println("Predicted builds (start and end from the run's start):");
        out.print(builds);
        out.println();
        out.println("Waits per target:");
        Table waits = new Table("TARGET", "BUILDS", "WAITED (SUM)", "LONGEST WAIT", "MOST COMMON REASON")
                .right(1, 2, 3);
        for (TargetWaits w : waits(report).values()) {
            waits.row(w.target, w.builds, TextTable.duration(w.sum), TextTable.duration(w.longest), w.reason);
        }
        out.print(waits);
        out.println();
        out.println("API budget (peak share in use per limit; the busiest " + Math.min(12, report.budgets().size())
                + " of " + report.budgets().size() + "):");
        Table budget = new Table("LIMIT", "PEAK USE", "THROTTLES").right(1, 2);
        for (RunReport.LimitSeries s : busiest(report, 12)) {
            budget.row(s.limit(), Math.round(s.peakUse() * 100) + "%", sim.throttlesByLimit().getOrDefault(s.limit(), 0L));
        }
        out.print(budget.isEmpty() ? "  (no limits sampled)\n" : budget.toString());
        out.println();
        out.printf("Predicted makespan: %s with %d packer processes at most (%d API calls, %d throttles, %d quota"
                + " breaches predicted)%n", TextTable.duration(sim.makespan()), slots, sim.calls(), sim.throttles(),
                sim.quotaBreaches());
        if (html != null) {
            out.println("Predicted timeline: " + html.toAbsolutePath());
        }
    }

    private Map<String, Object> json(BuildPlan p, Preflight pf, SimulationResult sim, RunReport report) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("plan", p.name());
        root.put("file", plan.file.toString());
        root.put("builds", p.jobs().size());
        root.put("targets", p.targets().stream().map(Target::key).toList());
        root.put("preflight", offline ? "offline" : providers.simulate ? "simulated" : "online");
        root.put("packer", pf.packer());
        List<Map<String, Object>> refusals = new ArrayList<>();
        for (Refusal r : pf.refusals()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("subject", r.subject());
            m.put("kind", r.kind().name());
            m.put("message", r.message());
            refusals.add(m);
        }
        root.put("refusals", refusals);
        Instant t0 = report.startedAt();
        List<Map<String, Object>> builds = new ArrayList<>();
        for (RunReport.Build b : report.builds()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("job", b.jobId());
            m.put("target", b.target());
            Instant start = firstRun(b);
            Instant end = b.phases().isEmpty() ? null : b.phases().get(b.phases().size() - 1).to();
            m.put("startSeconds", start == null ? null : seconds(t0, start));
            m.put("endSeconds", end == null ? null : seconds(t0, end));
            m.put("waitedSeconds", Json.round(b.waited().toMillis() / 1000.0, 3));
            m.put("state", b.state().name());
            builds.add(m);
        }
        root.put("predicted", builds);
        List<Map<String, Object>> waits = new ArrayList<>();
        for (TargetWaits w : waits(report).values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", w.target);
            m.put("builds", w.builds);
            m.put("waitedSeconds", Json.round(w.sum.toMillis() / 1000.0, 3));
            m.put("longestWaitSeconds", Json.round(w.longest.toMillis() / 1000.0, 3));
            m.put("reason", w.reason);
            waits.add(m);
        }
        root.put("waits", waits);
        List<Map<String, Object>> limits = new ArrayList<>();
        for (RunReport.LimitSeries s : busiest(report, Integer.MAX_VALUE)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("limit", s.limit());
            m.put("peakUse", Json.round(s.peakUse(), 4));
            m.put("throttles", sim.throttlesByLimit().getOrDefault(s.limit(), 0L));
            limits.add(m);
        }
        root.put("budget", limits);
        root.put("makespanSeconds", Json.round(sim.makespan().toMillis() / 1000.0, 3));
        root.put("apiCalls", sim.calls());
        root.put("throttles", sim.throttles());
        root.put("quotaBreaches", sim.quotaBreaches());
        return root;
    }

    private static final class TargetWaits {
        final String target;
        int builds;
        Duration sum = Duration.ZERO;
        Duration longest = Duration.ZERO;
        String reason = "";
        final Map<String, Integer> reasons = new LinkedHashMap<>();

        TargetWaits(String target) {
            this.target = target;
        }
    }

    private static Map<String, TargetWaits> waits(RunReport report) {
        Map<String, TargetWaits> out = new LinkedHashMap<>();
        for (RunReport.Build b : report.builds()) {
            TargetWaits w = out.computeIfAbsent(b.target(), TargetWaits::new);
            w.builds++;
            w.sum = w.sum.plus(b.waited());
            for (RunReport.Phase ph : b.phases()) {
                if (ph.state() == dev.kiln.job.JobState.WAITING) {
                    if (ph.duration().compareTo(w.longest) > 0) {
                        w.longest = ph.duration();
                    }
                    if (!ph.reason().isEmpty() && !ph.duration().isZero()) {
                        w.reasons.merge(reasonKind(ph.reason()), 1, Integer::sum);
                    }
                }
            }
        }
        for (TargetWaits w : out.values()) {
            w.reason = w.reasons.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                    .orElse("-");
        }
        return out;
    }

    /** A wait reason without the specifics that make every one different. */
    private static String reasonKind(String reason) {
        String r = reason.replaceAll(" [a-z0-9_.-]+/[^ ]+", "").replaceAll("\\(.*\\)", "").trim();
        return r.length() > 60 ? r.substring(0, 59) + "…" : r;
    }

    private static List<RunReport.LimitSeries> busiest(RunReport report, int n) {
        return report.budgets().stream().sorted(Comparator.comparingDouble(RunReport.LimitSeries::peakUse).reversed())
                .limit(n).toList();
    }

    private static Instant firstRun(RunReport.Build b) {
        for (RunReport.Phase ph : b.phases()) {
            if (ph.state() == dev.kiln.job.JobState.RUNNING) {
                return ph.from();
            }
        }
        return null;
    }

    private static String clock(Instant t0, Instant t) {
        long s = Duration.between(t0, t).getSeconds();
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }

    private static double seconds(Instant t0, Instant t) {
        return Json.round(Duration.between(t0, t).toMillis() / 1000.0, 3);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A scratch directory left in the temporary directory harms nothing.
        }
    }
}
