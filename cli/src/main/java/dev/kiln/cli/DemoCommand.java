package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.KilnException;
import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.emulators.spi.EmulatorProvider;
import dev.kiln.emulators.spi.EmulatorProviders;
import dev.kiln.gate.GateNetwork;
import dev.kiln.limits.LimitSpec;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.PlanFile;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderFactory;
import dev.kiln.spi.ProviderSettings;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kiln demo}. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = false,
        header = "Runs the demo fleet: real packer builds for every provider, each against its emulator.",
        description = {
            "The demo fleet is examples/plans/demo/demo.yaml: per provider (aws, azure, gcp, vsphere) three images"
                + " on two or three regions or hosts, 44 builds in all. Each part builds for real against its"
                + " provider's emulator, started here on the loopback interface, through Kiln's provider for it:"
                + " packer's own amazon-ebs, azure-arm and googlecompute builders, unmodified, on the EC2, ARM and"
                + " Compute Engine emulators, every call of theirs through Kiln's gate (which routes the clouds'"
                + " API hosts to the emulators and meters each call against Kiln's limits); vsphere: packer's"
                + " vsphere-clone on the vCenter emulator. A part whose provider or emulator is missing from kiln's"
                + " class path, every part with --stand-ins, and the gated parts with --gate off, run as stand-ins"
                + " instead: packer's null builder, scheduled under that provider's documented limits and quotas"
                + " in the simulated cloud.",
            "",
            "Shows progress, then a table of every build, what each emulator answered (calls, throttles, quota"
                + " errors), and writes events.jsonl, junit.xml, report.html and summary.md into the run"
                + " directory, whose path it prints. Needs packer; bin/kiln installs Debian's when it is missing.",
            ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:every build succeeded",
            "1:some builds failed",
            "2:invalid input: the demo plans cannot be found or read, a bad flag",
            "3:preflight refused builds (packer missing or too old?)",
            "130:interrupted: cancelled, cleaned up and swept"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  bin/kiln demo",
            "  bin/kiln demo --stand-ins --progress plain"})
final class DemoCommand implements Callable<Integer> {

    @ParentCommand
    KilnCommand parent;

    @Option(names = "--plans", paramLabel = "DIR",
            description = "Where demo.yaml and its plans are. Environment: KILN_DEMO_PLANS. Default:"
                    + " $KILN_HOME/examples/plans/demo (bin/kiln sets KILN_HOME), else ./examples/plans/demo.")
    Path plans;

    @Option(names = "--stand-ins", description = "Run every part as its stand-in, even where an emulator could serve.")
    boolean standIns;

    @Mixin
    RunnerOptions runner;

    @Option(names = "--progress", paramLabel = "MODE",
            description = "auto, tty, plain or none. Environment: KILN_PROGRESS.")
    Progress.Mode progress;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Kiln's meters at http://127.0.0.1:PORT/metrics while the demo runs.")
    Integer metricsPort;

    /** A part as it will run. */
    private record Running(DemoFleet.Part part, boolean live, String why, Emulator emulator) {
    }

    @Override
    public Integer call() {
        CliContext ctx = parent.ctx;
        PrintStream out = ctx.out();
        DemoFleet fleet = DemoFleet.read(plansDir(ctx).resolve("demo.yaml"));
        RunSession session = new RunSession(ctx).progress(progress).metricsPort(metricsPort).grace(runner.grace(ctx));
        Map<String, ProviderFactory> factories = Providers.factories();
        Map<String, EmulatorProvider> emulators = new LinkedHashMap<>();
        EmulatorProviders.all(DemoCommand.class.getClassLoader()).forEach(e -> emulators.put(e.name(), e));
        List<Running> parts = new ArrayList<>();
        try {
            for (DemoFleet.Part part : fleet.parts()) {
                parts.add(decide(part, factories, emulators));
            }
            return run(ctx, out, fleet, parts, factories, session);
        } finally {
            for (Running r : parts) {
                if (r.emulator() != null) {
                    r.emulator().close();
                }
            }
        }
    }

    private Running decide(DemoFleet.Part part, Map<String, ProviderFactory> factories,
                           Map<String, EmulatorProvider> emulators) {
        DemoFleet.Live live = part.live();
        if (live == null) {
            return new Running(part, false, "demo.yaml has no live part for " + part.provider() + " yet", null);
        }
        if (standIns) {
            return new Running(part, false, "--stand-ins", null);
        }
        if (!factories.containsKey(part.provider())) {
            return new Running(part, false, "no " + part.provider() + " provider on kiln's class path", null);
        }
        EmulatorProvider emulator = emulators.get(live.emulator());
        if (emulator == null) {
            return new Running(part, false, "no '" + live.emulator() + "' emulator on kiln's class path", null);
        }
        Emulator started = emulator.start(EmulatorSettings.defaults());
        if (!started.routes().isEmpty() && !runner.gate(parent.ctx)) {
            started.close();
            return new Running(part, false, "--gate off: packer reaches the " + live.emulator()
                    + " emulator only through Kiln's gate", null);
        }
        try {
            prepare(started, live);
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        return new Running(part, true, "", started);
    }

    /** What a real account has before a build (an Azure resource group...), made over the emulator's wire. */
    private static void prepare(Emulator emulator, DemoFleet.Live live) {
        if (live.setup().isEmpty()) {
            return;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String base = emulator.endpoint().toString().replaceAll("/+$", "");
        for (DemoFleet.Request r : live.setup()) {
            String body = DemoFleet.substitute(r.body(), base);
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + DemoFleet.substitute(r.path(), base)))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .method(r.method(), body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body)).build();
            try {
                HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() / 100 != 2) {
                    throw new KilnException("demo setup " + r.method() + " " + r.path() + " on the "
                            + emulator.provider() + " emulator answered " + answer.statusCode() + ": " + answer.body());
                }
            } catch (IOException e) {
                throw new KilnException("demo setup " + r.method() + " " + r.path() + " failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KilnException("interrupted during the demo's setup", e);
            }
        }
    }

    private int run(CliContext ctx, PrintStream out, DemoFleet fleet, List<Running> parts,
                    Map<String, ProviderFactory> factories, RunSession session) {
        List<String> simulatedIds = new ArrayList<>();
        Map<String, String> packerEnv = new LinkedHashMap<>();
        Map<String, URI> routes = new LinkedHashMap<>();
        Map<String, String> routedEnv = new LinkedHashMap<>();
        List<CloudProvider> live = new ArrayList<>();
        for (Running r : parts) {
            if (r.live()) {
                String endpoint = r.emulator().endpoint().toString();
                DemoFleet.Live l = r.part().live();
                ProviderSettings settings = new ProviderSettings(r.part().provider(),
                        DemoFleet.substitute(l.providerSettings(), endpoint));
                // The demo owns this JVM: fake keys for the emulator, where nobody set real ones.
                DemoFleet.substitute(l.sdkProperties(), endpoint).forEach((k, v) -> {
                    if (System.getProperty(k) == null) {
                        System.setProperty(k, v);
                    }
                });
                live.add(factories.get(r.part().provider()).create(settings));
                packerEnv.putAll(DemoFleet.substitute(l.packerEnv(), endpoint));
                routes.putAll(r.emulator().routes());
                routedEnv.putAll(r.emulator().packerEnv());
            } else if (!simulatedIds.contains(r.part().provider())) {
                simulatedIds.add(r.part().provider());
            }
        }
        PackerRunners.Builder packer = PackerRunners.processBuilder().extraEnv(packerEnv);
        if (runner.packer(ctx) != null) {
            packer.executable(runner.packer(ctx));
        }
        if (runner.pluginPath(ctx) != null) {
            packer.pluginPath(runner.pluginPath(ctx));
        }
        try (ProcessPackerRunner packerRunner = packer.build()) {
            Kiln.Builder builder = Kiln.builder().packerRunner(packerRunner)
                    .files(f -> f.withRunsDirectory(runner.runsDir(ctx)))
                    .scheduling(s -> s.withHostSlots(runner.slots(ctx)));
            live.forEach(builder::provider);
            if (!routes.isEmpty()) {
                // packer's own builders reach the emulators through Kiln's gate, metered as on real clouds.
                builder.network(GateNetwork.builder(ctx.env()).route(routes).env(routedEnv)
                        .upstreamProxy(Optional.empty()).build());
            }
            if (!simulatedIds.isEmpty()) {
                SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.system()).acceptNullBuilds()
                        .only(simulatedIds.toArray(String[]::new)).build();
                for (String id : simulatedIds) {
                    builder.provider(cloud.provider(id));
                }
            }
            out.println("kiln demo: " + fleet.name() + " from " + fleet.file());
            int exit = session.run(builder, kiln -> {
                BuildPlan merged = merge(fleet, parts, kiln, ctx);
                describe(out, parts, merged);
                return merged;
            });
            answered(out, parts);
            return exit;
        }
    }

    /**
     * What each emulator answered over the whole run, Kiln's own calls and packer's together: the
     * proof that the fleet kept to the limits is zero throttles and zero quota errors where the
     * emulators enforce the providers' own, and nothing queued by vCenter.
     */
    private static void answered(PrintStream out, List<Running> parts) {
        if (parts.stream().noneMatch(Running::live)) {
            return;
        }
        out.println("emulators (every call of the run, Kiln's and packer's):");
        for (Running r : parts) {
            if (r.live()) {
                ActionCounts total = r.emulator().counters().total();
                out.printf("  %-8s %-26s %5d calls, %d throttled, %d over quota, %d queued%n", r.part().provider(),
                        r.emulator().endpoint(), total.calls(), total.throttled(), total.quotaErrors(),
                        total.queued());
            }
        }
        out.flush();
    }

    /** Every part's plan as one fleet: one run, one report. Each part keeps its own build ids. */
    private static BuildPlan merge(DemoFleet fleet, List<Running> parts, Kiln kiln, CliContext ctx) {
        String runId = PlanContext.newRunId();
        PlanContext base = Providers.checked(kiln.planContext().withEnv(ctx.env()));
        BuildPlan.Builder merged = null;
        List<BuildJob> jobs = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Running r = parts.get(i);
            Path file = r.live() ? r.part().live().plan() : r.part().standIn();
            BuildPlan p = PlanFile.load(file, base.withRunId(runId + i));
            if (merged == null) {
                merged = BuildPlan.builder(fleet.name()).runId(runId).createdAt(p.createdAt()).source(fleet.file())
                        .pins(p.pins()).retryPolicy(p.retryPolicy());
            }
            for (Map.Entry<String, Map<String, LimitSpec>> e : p.limitOverrides().entrySet()) {
                for (Map.Entry<String, LimitSpec> l : e.getValue().entrySet()) {
                    merged.limitOverride(e.getKey(), l.getKey(), l.getValue());
                }
            }
            jobs.addAll(p.jobs());
        }
        return merged.jobs(jobs).build();
    }

    private static void describe(PrintStream out, List<Running> parts, BuildPlan plan) {
        for (Running r : parts) {
            String id = r.part().provider();
            long n = plan.jobs().stream().filter(j -> j.target().provider().equals(id)).count();
            long targets = plan.targets().stream().filter(t -> t.provider().equals(id)).count();
            String what = r.live()
                    ? "live: " + n + " builds on " + targets + " targets against the " + r.part().live().emulator()
                    + " emulator at " + r.emulator().endpoint()
                    : "stand-in: " + n + " null builds on " + targets + " targets under the simulated cloud ("
                    + r.why() + ")";
            out.printf("  %-8s %s%n", id, what);
        }
        out.flush();
    }

    private Path plansDir(CliContext ctx) {
        Path dir = new Settings(ctx).path(plans, "KILN_DEMO_PLANS", null);
        if (dir == null) {
            String home = ctx.env("KILN_HOME");
            Path fromHome = home == null ? null : Path.of(home, "examples", "plans", "demo");
            dir = fromHome != null && Files.isDirectory(fromHome) ? fromHome : Path.of("examples", "plans", "demo");
        }
        if (!Files.isRegularFile(dir.resolve("demo.yaml"))) {
            throw new UsageException("cannot find the demo fleet: no demo.yaml in " + dir.toAbsolutePath()
                    + ". Run bin/kiln from a checkout of Kiln (it sets KILN_HOME), or pass --plans DIR.");
        }
        return dir;
    }
}
