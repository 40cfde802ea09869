package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.RunResult;
import dev.kiln.event.KilnEvent;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.Quota;
import dev.kiln.packer.PackerRunners;
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
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
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
            "The plan is checked against what the providers on kiln's class path know, offline too: a provider,"
                + " region or limit none of them has is a plan error with what was probably meant.",
            "",
            "--offline makes no provider calls and needs no secrets: preflight runs against the simulated cloud,"
                + " so it refuses what kiln run --simulate would (packer and its plugins, packer validate, quotas"
                + " that can never fit, image names), with the providers' documented default limits and simulated"
                + " quotas; a sensitive variable whose environment variable is not set is left empty. --simulate"
                + " does the same, secrets required.",
            "",
            "A prediction that breaches a quota or is throttled is a refusal: Kiln exists to keep both at zero.",
            "",
            "The prediction uses each image's 'expected' duration (or the provider's cost model) and one cost"
                + " model per provider; real builds vary, so read it as the shape of the run, not a promise.",
            ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:the plan is valid, preflight refused nothing and the prediction has no throttle or quota breach",
            "2:invalid input: a missing file, a plan error (an unknown provider, region or limit), a bad flag or"
                + " setting, a template packer rejects, or credentials a provider cannot find or its cloud rejects",
            "3:preflight refused builds (they are listed; the prediction leaves them out), or the prediction"
                + " breaches a quota or is throttled"},
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

    @Option(names = "--offline",
            description = "Make no provider calls and need no secrets: preflight against the simulated cloud.")
    boolean offline;

    @Option(names = "--json", description = "Print the prediction as JSON instead of tables.")
    boolean json;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write the predicted run as an HTML timeline report to FILE.")
    Path html;

    @Option(names = "--verbose",
            description = "Show refusals in full (all packer said about a template, not only the errors) and every"
                    + " predicted build, not only each image and target group.")
    boolean verbose;

    /** What preflight found, and the limits the simulation should use. */
    private record Preflight(BuildPlan plan, List<Refusal> refusals, Map<String, Map<String, Quota>> quotas,
                             Map<String, LimitsTable> limits, Map<String, CostModel> costs, String packer) {
    }

    /** The predicted run: its report and what the simulated cloud saw. Empty when nothing was left to predict. */
    private record Prediction(RunReport report, Duration makespan, long calls, long throttles,
                              Map<String, Long> throttlesByLimit, long quotaBreaches) {
    }

    @Override
    public Integer call() throws IOException {
        CliContext ctx = parent.ctx;
        // Live, the plan is read first to learn which providers to connect to. Simulated, every
        // provider Kiln simulates is there, and the plan is read once (expanding 50,000 builds
        // twice was a tenth of such a plan's time); a provider Kiln does not know is added after.
        boolean simulated = offline || providers.simulate;
        Set<String> ids = simulated ? new TreeSet<>(Providers.SIMULATED)
                : Providers.idsOf(plan.load(Providers.planContext(ctx).withSecretsOptional(offline), ctx));
        int slots = runner.slots(ctx);
        Path scratch = Files.createTempDirectory("kiln-plan-");
        Speculation speculation = new Speculation();
        Preflight preflight;
        try {
            preflight = preflight(ids, scratch, ctx, read -> {
                if (simulated && ids.containsAll(Providers.idsOf(read))) {
                    speculation.start(read, slots);
                }
            });
            Set<String> named = Providers.idsOf(preflight.plan());
            if (!ids.containsAll(named)) {
                ids.addAll(named);
                preflight = preflight(ids, scratch, ctx, read -> { });
            }
        } catch (RuntimeException | Error e) {
            speculation.abandon();
            throw e;
        } finally {
            deleteTree(scratch);
        }
        BuildPlan p = preflight.plan();
        Prediction prediction;
        if (preflight.refusals().isEmpty() && speculation.started(p)) {
            prediction = speculation.result();
        } else {
            speculation.abandon();
            prediction = predict(withoutRefused(p, preflight.refusals()), preflight.quotas(), preflight.limits(),
                    preflight.costs(), slots, null);
        }
        List<String> problems = problems(prediction);
        if (html != null) {
            Files.writeString(html, Reports.html(prediction.report()), StandardCharsets.UTF_8);
        }
        if (json) {
            Json.write(ctx.out(), json(p, preflight, prediction, problems));
        } else {
            print(ctx.out(), p, preflight, prediction, problems, slots);
        }
        return exitCode(preflight.refusals(), problems);
    }

    /**
     * Invalid input (a template packer cannot read, credentials missing) wins over a refusal; a
     * prediction that breaches quotas or is throttled is a refusal.
     */
    static int exitCode(List<Refusal> refusals, List<String> predictionProblems) {
        if (refusals.stream().anyMatch(PlanCommand::invalidInput)) {
            return ExitCode.USAGE;
        }
        return refusals.isEmpty() && predictionProblems.isEmpty() ? ExitCode.OK : ExitCode.REFUSED;
    }

    /** Refusals that are the input's fault, not the cloud's: exit status 2. */
    static boolean invalidInput(Refusal r) {
        return r.kind() == Refusal.Kind.TEMPLATE_INVALID || r.kind() == Refusal.Kind.CREDENTIALS;
    }

    /**
     * The preflight of a run, stopped before admission. Offline and with --simulate it runs
     * against the simulated cloud, which makes no provider call, so it refuses exactly what
     * {@code kiln run --simulate} would.
     */
    private Preflight preflight(Set<String> ids, Path scratch, CliContext ctx, Consumer<BuildPlan> read) {
        boolean simulated = offline || providers.simulate;
        Providers ps = simulated ? Providers.simulated(ids, TimeSource.system()) : Providers.of(ids, providers, ctx);
        Map<String, Map<String, Quota>> quotas = new LinkedHashMap<>();
        PackerRunners.Builder packerRunner = RunCommand.packerRunnerBuilder(runner, ctx, simulated);
        Path runs = runner.runsDir(ctx);
        if (Files.isDirectory(runs)) {
            // what packer told earlier runs and plans (its version, the templates that passed) holds here
            // too; a plan creates no runs directory
            packerRunner.cacheDirectory(runs);
        }
        try (ProcessPackerRunner packer = packerRunner.build()) {
            Kiln.Builder b = Kiln.builder().packerRunner(packer)
                    .files(f -> f.withRunsDirectory(scratch).withEventLog(false).withReports(false)).listener(e -> {
                        if (e instanceof KilnEvent.QuotaProbed q) {
                            quotas.put(q.target(), q.quotas());
                        }
                    });
            ps.registerWith(b);
            try (Kiln kiln = b.build()) {
                PlanContext context = Providers.checked(kiln.planContext().withEnv(ctx.env()))
                        .withSecretsOptional(offline);
                BuildPlan p = plan.narrow(PlanFile.load(plan.file, context), ctx);
                read.accept(p);
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
                return new Preflight(p, result.refusals(), simulated ? Map.of() : quotas, limits, costs,
                        packer.describe());
            }
        }
    }

    /**
     * The run of {@code p} in virtual time, under the limits and quotas preflight found; null {@code p}:
     * nothing. A {@code speculation} may cancel it.
     */
    private static Prediction predict(BuildPlan p, Map<String, Map<String, Quota>> probed,
            Map<String, LimitsTable> providerLimits, Map<String, CostModel> costs, int slots,
            Speculation speculation) {
        RunReport.Collector predicted = RunReport.collector();
        if (p == null) {
            return new Prediction(predicted.report(), Duration.ZERO, 0, 0, Map.of(), 0);
        }
        SimulationResult sim = Simulation.builder().seed(1).hostSlots(slots)
                .onStart(k -> {
                    if (speculation != null) {
                        speculation.running(k);
                    }
                })
                .cloud(c -> {
                    providerLimits.forEach((id, limits) -> c.provider(id, limits, costs.get(id)));
                    probed.forEach((target, quotas) -> quotas.values().forEach(q -> {
                        c.quota(target, q.metric(), q.limit());
                        c.outsideUsage(target, q.metric(), q.usage());
                    }));
                    // The plan's limits are what its accounts really allow (raised ones included): the
                    // predicted cloud holds them too, so only Kiln's own mistakes show as throttles.
                    p.targets().forEach(t -> c.limits(t.key(), p.limitOverridesFor(t)));
                })
                // A prediction is the only run on its store: no identical build elsewhere to wait for and
                // reuse, so no build leases to renew every 10 s of a run that may last hundreds of hours.
                .kiln(k -> k.listener(predicted).listener(e -> {
                    if (speculation != null) {
                        speculation.heard();
                    }
                }).sharing(s -> s.withReuseIdenticalBuilds(false))
                        .scheduling(s -> s.withBudgetSampleInterval(sampleInterval(p, slots))))
                .build().run(p);
        return new Prediction(predicted.report(), sim.makespan(), sim.calls(), sim.throttles(), sim.throttlesByLimit(),
                sim.quotaBreaches());
    }

    /**
     * The prediction of the plan as read, made on a second thread while preflight runs on the first.
     * Simulated ({@code --offline}, {@code --simulate}), preflight gives the prediction nothing but
     * its refusals: limits, costs and quotas are the simulated cloud's. When preflight refuses
     * nothing, as it does for most plans, this is the prediction, and a big plan's answer comes in
     * the time of the longer of the two instead of their sum (a 50,000-build plan's preflight is a
     * third of its time); otherwise it is cancelled and what preflight left is predicted after.
     */
    private static final class Speculation {
        private final AtomicBoolean abandoned = new AtomicBoolean();
        private final AtomicReference<Kiln> kiln = new AtomicReference<>();
        private final CompletableFuture<Prediction> result = new CompletableFuture<>();
        private BuildPlan plan;

        void start(BuildPlan p, int slots) {
            plan = p;
            Thread thread = new Thread(() -> {
                try {
                    result.complete(predict(p, Map.of(), Map.of(), Map.of(), slots, this));
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            }, "kiln-plan-prediction");
            thread.setDaemon(true);
            thread.start();
        }

        /** Whether this predicts {@code p} itself (the plan preflight ran on). */
        boolean started(BuildPlan p) {
            return plan == p;
        }

        /** The simulation's Kiln, as its run starts: an abandoned speculation cancels it. */
        void running(Kiln k) {
            kiln.set(k);
            heard();
        }

        /** Any event of the simulation's run: abandoned before its run had begun, it is cancelled now. */
        void heard() {
            Kiln k = kiln.get();
            if (k != null && abandoned.get()) {
                k.cancelAll();
            }
        }

        Prediction result() {
            try {
                return result.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw e;
            }
        }

        /** Cancels the prediction, if one was started, and waits for it to end, so it takes no core from what follows. */
        void abandon() {
            if (plan == null) {
                return;
            }
            abandoned.set(true);
            Kiln k = kiln.get();
            if (k != null) {
                k.cancelAll();
            }
            try {
                result.join();
            } catch (CompletionException | CancellationException ignored) {
                // what an abandoned prediction came to is of no use
            }
        }
    }

    /**
     * How often the prediction samples every limit's level: every 10 s, or coarser for a fleet
     * whose expected work spread over its slots would take over about 500 samples. Sampling is
     * the cost of a big plan's prediction: 5,000 builds on 100 targets have 1,900 limits and run
     * 55 hours, 38 million levels at 10 s.
     */
    static Duration sampleInterval(BuildPlan p, int slots) {
        Duration work = Duration.ZERO;
        for (BuildJob j : p.jobs()) {
            if (j.image().expectedDuration() != null) {
                work = work.plus(j.image().expectedDuration());
            }
        }
        Duration spread = work.dividedBy(Math.max(1, slots)).dividedBy(500);
        return spread.compareTo(Duration.ofSeconds(10)) > 0 ? spread : Duration.ofSeconds(10);
    }

    /**
     * Why the prediction is itself a refusal: Kiln exists to keep throttles and quota breaches at
     * zero, so a plan predicted to cause them would fail builds (or slow every build down) for real.
     */
    private static List<String> problems(Prediction prediction) {
        List<String> out = new ArrayList<>();
        if (prediction.quotaBreaches() > 0) {
            List<String> failed = new ArrayList<>();
            for (RunReport.Build b : prediction.report().builds()) {
                if (b.failure() == dev.kiln.job.FailureClass.QUOTA) {
                    failed.add(b.image() + "/" + b.env() + " on " + b.target() + ": " + Progress.oneLine(b.message()));
                }
            }
            out.add("the prediction breaches quotas " + times(prediction.quotaBreaches()) + ": the cloud would"
                    + " refuse what these builds ask for, after Kiln let them start (" + first(failed, 3) + "). Kiln"
                    + " holds a running build's instances and vCPUs, but the images it makes stay: a plan making"
                    + " more images on a target than its images quota leaves room for fails there; raise the quota,"
                    + " delete old images or spread the builds");
        }
        if (prediction.throttles() > 0) {
            List<String> limits = prediction.throttlesByLimit().entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .map(e -> e.getKey() + " " + times(e.getValue())).toList();
            out.add("the prediction is throttled " + times(prediction.throttles()) + " (" + first(limits, 3) + "):"
                    + " builds would call faster than the providers' limits allow; check the plan's limits:"
                    + " overrides against what the provider really allows");
        }
        return out;
    }

    private static String times(long n) {
        return n == 1 ? "once" : n + " times";
    }

    private static String first(List<String> items, int n) {
        return String.join("; ", items.subList(0, Math.min(n, items.size())))
                + (items.size() > n ? "; and " + (items.size() - n) + " more" : "");
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

    /** The plan without builds preflight refused (and what depends on them); null when nothing is left. */
    private static BuildPlan withoutRefused(BuildPlan p, List<Refusal> refusals) {
        List<String> refused = refusals.stream().map(Refusal::subject).toList();
        if (refusals.stream().anyMatch(r -> r.jobs().isEmpty() && (r.kind() == Refusal.Kind.PACKER_VERSION
                || r.kind() == Refusal.Kind.PLUGIN_DRIFT))) {
            return null;
        }
        List<BuildJob> kept = new ArrayList<>();
        for (BuildJob j : p.jobs()) {
            String id = j.id().value();
            String template = j.image().template().toAbsolutePath().normalize().toString();
            boolean gone = refusals.stream().anyMatch(r -> r.jobs().isEmpty()
                    ? r.subject().equals(id) || r.subject().equals(template) : r.jobs().contains(id))
                    || j.dependsOn().stream().anyMatch(d -> refused.contains(d.value()));
            if (!gone) {
                kept.add(j);
            }
        }
        boolean dropped = true;
        while (dropped) {
            List<String> keptIds = kept.stream().map(j -> j.id().value()).toList();
            dropped = kept.removeIf(j -> j.dependsOn().stream().anyMatch(d -> !keptIds.contains(d.value())));
        }
        return kept.isEmpty() ? null : p.withJobs(kept);
    }

    // ------------------------------------------------------------------ output

    private void print(PrintStream out, BuildPlan p, Preflight pf, Prediction prediction, List<String> problems,
            int slots) {
        RunReport report = prediction.report();
        out.printf("Plan %s (%s): %d builds on %d targets (%s)%n", p.name(), plan.file, p.jobs().size(),
                p.targets().size(), String.join(", ", Providers.idsOf(p)));
        out.println("Templates (how each image's builds get their region, name, build id and size):");
        for (BuildJob j : firstOfEachImage(p)) {
            out.println("  " + j.image().name() + ": " + shown(j.image().template()) + " "
                    + j.connection().describe());
        }
        out.println("Preflight: " + (offline ? "offline (no provider calls: against the simulated cloud, with the"
                + " documented default limits and simulated quotas)" : providers.simulate ? "against the simulated"
                + " cloud" : "quotas probed on " + pf.quotas().size() + (pf.quotas().size() == 1 ? " target"
                : " targets")) + "; " + pf.packer());
        if (pf.refusals().isEmpty()) {
            out.println("  nothing refused");
        } else {
            out.println("  refused (" + pf.refusals().size() + "):");
            // In full: a refusal's message is already what matters, and its end is usually the reason.
            for (Refusal r : pf.refusals()) {
                out.println("    " + r.subject() + " " + r.kind() + ": " + (verbose
                        ? r.detail().strip().replace("\n", "\n      ") : r.message().replaceAll("\\s+", " ").strip()));
            }
        }
        out.println();
        if (report.builds().isEmpty()) {
            out.println("Predicted builds: none; preflight refused every build");
        } else {
            printPrediction(out, report, prediction, verbose);
        }
        out.println();
        out.printf("Predicted makespan: %s with %d packer processes at most (%d API calls, %d throttles, %d quota"
                + " breaches predicted)%n", TextTable.duration(prediction.makespan()), slots, prediction.calls(),
                prediction.throttles(), prediction.quotaBreaches());
        for (String problem : problems) {
            out.println("Refused: " + problem + ".");
        }
        if (html != null) {
            out.println("Predicted timeline: " + html.toAbsolutePath());
        }
    }

    /** The first job of each image: its connection says how every build of the image is connected. */
    private static List<BuildJob> firstOfEachImage(BuildPlan p) {
        Map<String, BuildJob> first = new LinkedHashMap<>();
        p.jobs().forEach(j -> first.putIfAbsent(j.image().name(), j));
        return List.copyOf(first.values());
    }

    /** A template's path as the plan would write it: relative to the plan's directory when under it. */
    private String shown(Path template) {
        Path base = plan.file.toAbsolutePath().normalize().getParent();
        Path t = template.toAbsolutePath().normalize();
        return base != null && t.startsWith(base) ? base.relativize(t).toString() : t.toString();
    }

    private static void printPrediction(PrintStream out, RunReport report, Prediction prediction, boolean verbose) {
        Instant t0 = report.startedAt();
        if (verbose) {
            Table builds = new Table("BUILD", "TARGET", "START", "END", "WAIT", "STATE").right(2, 3, 4);
            for (RunReport.Build b : report.builds()) {
                Instant start = firstRun(b);
                Instant end = b.phases().isEmpty() ? null : b.phases().get(b.phases().size() - 1).to();
                builds.row(b.image() + "/" + b.env(), b.target(), start == null ? "-" : clock(t0, start),
                        end == null ? "-" : clock(t0, end), TextTable.duration(b.waited()),
                        b.succeeded() ? "" : b.state() + (b.message().isEmpty() ? ""
                                : ": " + Progress.oneLine(b.message())));
            }
            out.println("Predicted builds (start and end from the run's start):");
            out.print(builds);
        } else {
            printGroups(out, report);
        }
        out.println();
        out.println(verbose ? "Waits per target:" : "Waits per target group:");
        Table waits = new Table(verbose ? "TARGET" : "TARGETS", "BUILDS", "WAITED (SUM)", "LONGEST WAIT",
                "MOST COMMON REASON").right(1, 2, 3);
        for (TargetWaits w : waits(report, verbose ? t -> t : t -> group(t) + "/*").values()) {
            waits.row(w.target, w.builds, TextTable.duration(w.sum), TextTable.duration(w.longest), w.reason);
        }
        out.print(waits);
        out.println();
        out.println("API budget (peak share in use per limit; the busiest " + Math.min(12, report.budgets().size())
                + " of " + report.budgets().size() + "):");
        Table budget = new Table("LIMIT", "PEAK USE", "THROTTLES").right(1, 2);
        for (RunReport.LimitSeries s : busiest(report, 12)) {
            budget.row(s.limit(), Math.round(s.peakUse() * 100) + "%",
                    prediction.throttlesByLimit().getOrDefault(s.limit(), 0L));
        }
        out.print(budget.isEmpty() ? "  (no limits sampled)\n" : budget.toString());
    }

    /**
     * The prediction per image and target group (provider and account): a plan of thousands of
     * builds is read by its groups, and a line per build is what --verbose and --json are for.
     */
    private static void printGroups(PrintStream out, RunReport report) {
        Instant t0 = report.startedAt();
        Map<String, BuildGroup> groups = new LinkedHashMap<>();
        for (RunReport.Build b : report.builds()) {
            String targets = group(b.target());
            groups.computeIfAbsent(b.image() + "\0" + targets, k -> new BuildGroup(b.image(), targets)).add(b);
        }
        Table table = new Table("IMAGE", "TARGETS", "BUILDS", "FIRST START", "LAST END", "LONGEST WAIT", "NOT SUCCEEDED")
                .right(2, 3, 4, 5);
        for (BuildGroup g : groups.values()) {
            table.row(g.image, g.targets + "/*", g.builds, g.firstStart == null ? "-" : clock(t0, g.firstStart),
                    g.lastEnd == null ? "-" : clock(t0, g.lastEnd), TextTable.duration(g.longestWait),
                    g.failed == 0 ? "" : g.failed + ", e.g. " + g.example);
        }
        out.println("Predicted builds per image and target group (start and end from the run's start; each build"
                + " with --verbose):");
        out.print(table);
    }

    /** A target's group: its provider and account, {@code aws/123456789012} of {@code aws/123456789012/us-east-1}. */
    private static String group(String target) {
        int slash = target.lastIndexOf('/');
        return slash < 0 ? target : target.substring(0, slash);
    }

    private static final class BuildGroup {
        final String image;
        final String targets;
        int builds;
        int failed;
        String example = "";
        Instant firstStart;
        Instant lastEnd;
        Duration longestWait = Duration.ZERO;

        BuildGroup(String image, String targets) {
            this.image = image;
            this.targets = targets;
        }

        void add(RunReport.Build b) {
            builds++;
            Instant start = firstRun(b);
            Instant end = b.phases().isEmpty() ? null : b.phases().get(b.phases().size() - 1).to();
            if (start != null && (firstStart == null || start.isBefore(firstStart))) {
                firstStart = start;
            }
            if (end != null && (lastEnd == null || end.isAfter(lastEnd))) {
                lastEnd = end;
            }
            if (b.waited().compareTo(longestWait) > 0) {
                longestWait = b.waited();
            }
            if (!b.succeeded()) {
                if (failed++ == 0) {
                    example = b.image() + "/" + b.env() + " on " + b.target() + " " + b.state()
                            + (b.message().isEmpty() ? "" : ": " + Progress.oneLine(b.message()));
                }
            }
        }
    }

    private Map<String, Object> json(BuildPlan p, Preflight pf, Prediction prediction, List<String> problems) {
        RunReport report = prediction.report();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("plan", p.name());
        root.put("file", plan.file.toString());
        root.put("builds", p.jobs().size());
        root.put("targets", p.targets().stream().map(Target::key).toList());
        root.put("preflight", offline ? "offline" : providers.simulate ? "simulated" : "online");
        root.put("packer", pf.packer());
        List<Map<String, Object>> connections = new ArrayList<>();
        for (BuildJob j : firstOfEachImage(p)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", j.image().name());
            m.put("template", shown(j.image().template()));
            m.put("only", j.connection().build());
            m.put("builder", j.connection().builderType());
            List<Map<String, Object>> links = new ArrayList<>();
            for (var l : j.connection().links()) {
                Map<String, Object> link = new LinkedHashMap<>();
                link.put("role", l.role().key());
                link.put("via", l.via().name());
                link.put("field", l.field());
                link.put("variable", l.variable());
                link.put("describe", l.describe());
                links.add(link);
            }
            m.put("links", links);
            connections.add(m);
        }
        root.put("connections", connections);
        List<Map<String, Object>> refusals = new ArrayList<>();
        for (Refusal r : pf.refusals()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("subject", r.subject());
            m.put("kind", r.kind().name());
            m.put("message", verbose ? r.detail() : r.message());
            refusals.add(m);
        }
        root.put("refusals", refusals);
        Instant t0 = report.startedAt();
        // Made as written, one build at a time: a big plan's builds are most of the document.
        Iterable<Map<String, Object>> builds = () -> report.builds().stream().map(b -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("job", b.jobId());
            m.put("target", b.target());
            Instant start = firstRun(b);
            Instant end = b.phases().isEmpty() ? null : b.phases().get(b.phases().size() - 1).to();
            m.put("startSeconds", start == null ? null : seconds(t0, start));
            m.put("endSeconds", end == null ? null : seconds(t0, end));
            m.put("waitedSeconds", Json.round(b.waited().toMillis() / 1000.0, 3));
            m.put("state", b.state().name());
            return m;
        }).iterator();
        root.put("predicted", builds);
        List<Map<String, Object>> waits = new ArrayList<>();
        for (TargetWaits w : waits(report, t -> t).values()) {
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
            m.put("throttles", prediction.throttlesByLimit().getOrDefault(s.limit(), 0L));
            limits.add(m);
        }
        root.put("budget", limits);
        root.put("makespanSeconds", Json.round(prediction.makespan().toMillis() / 1000.0, 3));
        root.put("apiCalls", prediction.calls());
        root.put("throttles", prediction.throttles());
        root.put("quotaBreaches", prediction.quotaBreaches());
        root.put("predictionProblems", problems);
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

    /** Waits by {@code key} of each build's target. */
    private static Map<String, TargetWaits> waits(RunReport report, UnaryOperator<String> key) {
        Map<String, TargetWaits> out = new LinkedHashMap<>();
        for (RunReport.Build b : report.builds()) {
            TargetWaits w = out.computeIfAbsent(key.apply(b.target()), TargetWaits::new);
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
        // Each series' peak once: a big plan has thousands of limits and a sort compares each many times.
        Map<RunReport.LimitSeries, Double> peak = new IdentityHashMap<>();
        report.budgets().forEach(s -> peak.put(s, s.peakUse()));
        return report.budgets().stream().sorted(Comparator.comparingDouble(peak::get).reversed()).limit(n).toList();
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
