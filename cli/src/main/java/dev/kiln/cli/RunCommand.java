package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.Resume;
import dev.kiln.gate.GateNetwork;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.PlanFile;
import dev.kiln.postgres.PostgresCoordination;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln run FILE}. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = false,
        header = "Runs a plan: every build, under the providers' API limits and quotas.",
        description = {
            "Reads and validates the plan, builds its providers (found through ServiceLoader, configured from"
                + " KILN_<ID>_<KEY> and --provider-setting), checks packer, plugins, quotas and image names, then"
                + " runs real packer builds as fast as the limits allow. Failed builds are classified, swept and"
                + " retried as the plan says.",
            "",
            "Progress: on a terminal, a line per running build and a bar; otherwise (a pipe, or CI set) plain"
                + " timestamped lines. Ctrl-C cancels the run gracefully: packer cleans up, then every build is"
                + " swept, then kiln exits with status 130.",
            "",
            "The run directory (--runs-dir/<run id>) holds events.jsonl, each build's redacted log, junit.xml,"
                + " report.html and summary.md. With GITHUB_STEP_SUMMARY set, the summary is appended there too.",
            "",
            "Crash recovery: when kiln itself died (killed, the machine rebooted), --resume RUN_DIR replays the run's"
                + " journal (events.jsonl) and goes on: builds that ended stay as they ended, builds the crash caught"
                + " under way are stopped (a packer still running is killed), swept and built again, the rest run."
                + " The plan is re-read from the file the run started from, with the run's own id and names; the"
                + " reports then cover the whole run.",
            "",
            "Many nodes: with --coordination, every kiln pointed at the same PostgreSQL database shares one set of"
                + " API buckets, quota reservations and image names, so the fleet as a whole stays under the limits."
                + " Nodes given the same plan and --run-id run one fleet together: each job is leased to one node"
                + " and built exactly once; every node waits for the whole run and reports every job. A node that"
                + " dies stops renewing its leases; after --lease-ttl another node sweeps what its builds left and"
                + " builds those jobs again.",
            ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:every build succeeded",
            "1:some builds failed",
            "2:invalid input: a missing file, a plan error (an unknown provider, region or limit), a bad flag or"
                + " setting, a template packer rejects, or credentials a provider cannot find or its cloud rejects",
            "3:preflight refused builds: a quota that can never fit, plugin drift, a name taken",
            "130:interrupted: cancelled, cleaned up and swept"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  kiln run plans/base.yaml",
            "  kiln run --env prod --image ubuntu-base plans/base.yaml",
            "  kiln run --provider-setting aws.endpoint=http://127.0.0.1:8600 plans/base.yaml",
            "  kiln run --simulate examples/plans/null-fleet.yaml      # null builds under simulated limits",
            "  kiln run --metrics-port 9464 plans/base.yaml            # Prometheus at 127.0.0.1:9464/metrics",
            "  kiln run --resume kiln-runs/20261125-1403-base-7f3a     # go on after kiln itself crashed",
            "  PGPASSWORD=... kiln run --coordination postgres://kiln@db:5432/kiln --run-id p4711 plans/base.yaml",
            "                                                          # one node of many: run it on each"})
final class RunCommand implements Callable<Integer> {

    @ParentCommand
    KilnCommand parent;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
            description = "The plan file (YAML, or JSON when named *.json). Not with --resume, which reads the plan"
                    + " the run started from.")
    Path file;

    @Mixin
    PlanFilter filter;

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Resume the run in RUN_DIR after kiln crashed: replay its journal, sweep and rebuild the"
                    + " builds it caught under way, run the rest. Takes no FILE, --env or --image.")
    Path resume;

    @Mixin
    ProviderOptions providers;

    @Mixin
    RunnerOptions runner;

    @Mixin
    CoordinationOptions coordination;

    @Option(names = "--progress", paramLabel = "MODE",
            description = "auto, tty, plain or none. auto: tty on a terminal outside CI, plain otherwise."
                    + " Environment: KILN_PROGRESS.")
    Progress.Mode progress;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Kiln's meters in Prometheus' text format at http://127.0.0.1:PORT/metrics while"
                    + " the run goes (0 picks a free port). Environment: KILN_METRICS_PORT.")
    Integer metricsPort;

    @Option(names = "--verbose",
            description = "At the end, show every refusal in full: all packer said about a template, not only its"
                    + " errors.")
    boolean verbose;

    @Override
    public Integer call() {
        CliContext ctx = parent.ctx;
        CoordinationOptions.Fleet fleet = coordination.resolve(ctx);
        Map<String, URI> routes = gateRoutes(ctx);
        if (resume != null) {
            return resume(ctx, fleet, routes);
        }
        if (file == null) {
            throw new UsageException("missing the plan FILE: kiln run FILE, or kiln run --resume RUN_DIR to go on"
                    + " with a run kiln crashed in");
        }
        BuildPlan draft = filter.narrow(PlanFile.load(file, draftContext(ctx)), file, ctx);
        return run(draft, ctx, fleet, routes, kiln -> filter.narrow(reload(draft, kiln, ctx, fleet), file, ctx),
                RunSession::run);
    }

    private int resume(CliContext ctx, CoordinationOptions.Fleet fleet, Map<String, URI> routes) {
        if (file != null) {
            throw new UsageException("give a plan FILE or --resume RUN_DIR, not both: a resumed run re-reads the"
                    + " plan it started from (" + file + " given)");
        }
        if (fleet != null) {
            throw new UsageException("--resume is for a run of one kiln; a shared run goes on when a node starts"
                    + " again with its --coordination and --run-id (its leases expire, another node takes its jobs)");
        }
        if (filter.narrows()) {
            throw new UsageException("--env and --image do not apply with --resume: a resumed run keeps the builds"
                    + " it started with");
        }
        Resume crashed = Resume.read(resume);
        BuildPlan draft = PlanFile.load(crashed.planFile(), draftContext(ctx));
        return run(draft, ctx, null, routes, kiln -> filter.retries(crashed.readPlan(kiln.planContext()), ctx),
                (session, builder, planFor) -> session.resume(builder, planFor, crashed));
    }

    /** How a session runs: start a plan, or resume a run. */
    private interface Start {
        int run(RunSession session, Kiln.Builder builder, Function<Kiln, BuildPlan> planFor);
    }

    /** Runs with the providers {@code draft} names, on a Kiln with real packer, as {@code start} says. */
    private int run(BuildPlan draft, CliContext ctx, CoordinationOptions.Fleet fleet, Map<String, URI> routes,
            Function<Kiln, BuildPlan> planFor, Start start) {
        RunSession session = new RunSession(ctx).progress(progress).metricsPort(metricsPort).grace(runner.grace(ctx))
                .verbose(verbose);
        Providers ps = Providers.of(Providers.idsOf(draft), providers, ctx);
        try (PostgresCoordination store = fleet == null ? null : fleet.open(ctx);
             // PGPASSWORD is the store's, not the builds': packer and its provisioners never see it.
             ProcessPackerRunner packer = fleet == null ? packerRunner(runner, ctx, ps.isSimulated())
                     : packerRunner(runner, ctx, ps.isSimulated(), CoordinationOptions.PASSWORD_VARIABLE)) {
            Kiln.Builder builder = Kiln.builder().packerRunner(packer)
                    .files(f -> f.withRunsDirectory(runner.runsDir(ctx)))
                    .scheduling(s -> s.withHostSlots(runner.slots(ctx)));
            ps.registerWith(builder);
            List<String> where = new ArrayList<>();
            boolean gate = runner.gate(ctx);
            if (ps.isSimulated()) {
                where.add("against the simulated cloud (null builds stand in)");
            } else if (gate) {
                builder.network(GateNetwork.builder(ctx.env()).route(routes).build());
                where.add("packer's API calls metered through Kiln's gate" + (routes.isEmpty() ? ""
                        : " (" + String.join(", ", routes.entrySet().stream().map(e -> e.getKey() + " to "
                                + e.getValue()).toList()) + ")"));
            }
            if (fleet != null) {
                fleet.configure(builder, store);
                where.add(fleet.describe(store.database()));
            }
            session.describe(String.join(", ", where));
            return start.run(session, builder, planFor);
        }
    }

    /** The gate's routes, read and checked before anything else is: they need the gate. */
    private Map<String, URI> gateRoutes(CliContext ctx) {
        Map<String, URI> routes = runner.gateRoutes(ctx);
        if (!routes.isEmpty() && !runner.gate(ctx)) {
            throw new UsageException((runner.gateRoutes != null && !runner.gateRoutes.isEmpty() ? "--gate-route"
                    : "KILN_GATE_ROUTES") + " needs the gate, which is off here (--gate off or KILN_GATE=off): turn it"
                    + " on, or drop the routes and name the endpoints in the templates");
        }
        return routes;
    }

    private static PlanContext draftContext(CliContext ctx) {
        return Providers.planContext(ctx);
    }

    /**
     * The plan again, named under the providers' own naming rules: with the draft's run id, or as
     * the shared run, whose start every node takes from the store so all agree on every name.
     */
    private BuildPlan reload(BuildPlan draft, Kiln kiln, CliContext ctx, CoordinationOptions.Fleet fleet) {
        PlanContext context = fleet != null && fleet.runId() != null ? kiln.planContext(fleet.runId())
                : kiln.planContext().withRunId(draft.runId());
        return PlanFile.load(file, Providers.checked(context.withEnv(ctx.env())));
    }

    /** The packer runner of a run; a simulated one replaces every build by a null stand-in (issue 16, item 8). */
    static ProcessPackerRunner packerRunner(RunnerOptions options, CliContext ctx, boolean simulated,
            String... withheldEnv) {
        return packerRunnerBuilder(options, ctx, simulated, withheldEnv).build();
    }

    /** As {@link #packerRunner}, for a caller with settings of its own to add. */
    static PackerRunners.Builder packerRunnerBuilder(RunnerOptions options, CliContext ctx, boolean simulated,
            String... withheldEnv) {
        PackerRunners.Builder b = PackerRunners.processBuilder().withholdEnv(withheldEnv);
        if (simulated) {
            b.standIns();
        }
        Path exe = options.packer(ctx);
        if (exe != null) {
            b.executable(exe);
        }
        Path plugins = options.pluginPath(ctx);
        if (plugins != null) {
            b.pluginPath(plugins);
        }
        return b;
    }
}
