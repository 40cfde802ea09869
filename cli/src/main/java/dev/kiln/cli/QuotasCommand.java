package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Target;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.CredentialsException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kiln quotas FILE}. */
@Command(name = "quotas", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = false,
        header = "Shows each target's live quotas and the API limits Kiln holds builds to.",
        description = {
            "Probes every target of the plan through its provider (one quota probe each, under the provider's"
                + " own API budget) and prints, per target, each quota's limit, usage and headroom, then each API"
                + " limit Kiln will hold the fleet to: its shape, capacity (burst) and refill, after the plan's"
                + " overrides.",
            ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:every target answered",
            "1:a target's probe failed (the others are still shown)",
            "2:invalid input: a missing file, a plan error (an unknown provider, region or limit), a bad flag or"
                + " setting, or credentials a provider cannot find or its cloud rejects"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  kiln quotas plans/base.yaml",
            "  kiln quotas --json --provider-setting aws.endpoint=http://127.0.0.1:8600 plans/base.yaml"})
final class QuotasCommand implements Callable<Integer> {

    @ParentCommand
    KilnCommand parent;

    @Mixin
    PlanOptions plan;

    @Mixin
    ProviderOptions providers;

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    @Override
    public Integer call() {
        CliContext ctx = parent.ctx;
        BuildPlan p = plan.load(Providers.planContext(ctx), ctx);
        Providers ps = Providers.of(Providers.idsOf(p), providers, ctx);
        List<Map<String, Object>> targets = new ArrayList<>();
        boolean failed = false;
        boolean noCredentials = false;
        // Building a Kiln hands each provider the API gate its probes go through.
        Kiln.Builder b = Kiln.builder().files(f -> f.withEventLog(false).withReports(false));
        ps.registerWith(b);
        Kiln kiln = b.build();
        try {
            for (Target t : p.targets()) {
                CloudProvider provider = ps.get(t.provider());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("target", t.key());
                try {
                    QuotaSnapshot snapshot = provider.probeQuotas(t);
                    List<Map<String, Object>> quotas = new ArrayList<>();
                    for (Quota q : new TreeMap<>(snapshot.quotas()).values()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("metric", q.metric());
                        m.put("scope", q.scope().name().toLowerCase(Locale.ROOT));
                        m.put("limit", q.limit());
                        m.put("usage", q.usage());
                        m.put("headroom", q.headroom());
                        quotas.add(m);
                    }
                    row.put("quotas", quotas);
                } catch (CredentialsException e) {
                    noCredentials = true;
                    row.put("error", e.getMessage());
                } catch (RuntimeException e) {
                    failed = true;
                    row.put("error", String.valueOf(e.getMessage()));
                }
                LimitsTable limits = provider.apiLimits(t).withOverrides(p.limitOverridesFor(t));
                List<Map<String, Object>> ls = new ArrayList<>();
                for (Limit l : limits.declaredLimits()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("limit", l.name());
                    m.put("scope", l.scope().name().toLowerCase(Locale.ROOT));
                    describe(l.spec(), m);
                    m.put("overridden", p.limitOverridesFor(t).containsKey(l.name()));
                    ls.add(m);
                }
                row.put("limits", ls);
                targets.add(row);
            }
        } finally {
            kiln.close();
        }
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("plan", p.name());
            root.put("simulated", ps.isSimulated());
            root.put("targets", targets);
            ctx.out().println(Json.write(root));
        } else {
            print(ctx.out(), p, ps, targets);
        }
        return noCredentials ? ExitCode.USAGE : failed ? ExitCode.FAILED : ExitCode.OK;
    }

    private static void describe(LimitSpec spec, Map<String, Object> m) {
        if (spec instanceof LimitSpec.TokenBucket tb) {
            m.put("shape", "token bucket");
            m.put("capacity", tb.capacity());
            m.put("refillPerSecond", tb.refillPerSecond());
        } else if (spec instanceof LimitSpec.FixedWindow fw) {
            m.put("shape", "fixed window");
            m.put("capacity", fw.limit());
            m.put("window", fw.window().toString());
            m.put("refillPerSecond", Json.round(fw.sustainedPerSecond(), 4));
        } else if (spec instanceof LimitSpec.Concurrency c) {
            m.put("shape", "concurrency");
            m.put("capacity", c.maxCost());
        }
    }

    @SuppressWarnings("unchecked")
    private static void print(PrintStream out, BuildPlan p, Providers ps, List<Map<String, Object>> targets) {
        out.println("Quotas and API limits of " + p.name() + (ps.isSimulated() ? " (simulated cloud)" : ""));
        for (Map<String, Object> t : targets) {
            out.println();
            out.println(t.get("target"));
            if (t.containsKey("error")) {
                out.println("  quota probe failed: " + t.get("error"));
            } else {
                Table q = new Table("  QUOTA", "SCOPE", "LIMIT", "USAGE", "HEADROOM").right(2, 3, 4);
                for (Map<String, Object> m : (List<Map<String, Object>>) t.get("quotas")) {
                    q.row("  " + m.get("metric"), m.get("scope"), m.get("limit"), m.get("usage"), m.get("headroom"));
                }
                out.print(q.isEmpty() ? "  (the provider reports no quotas)\n" : q.toString());
            }
            Table l = new Table("  API LIMIT", "SCOPE", "SHAPE", "CAPACITY", "REFILL/S", "").right(3, 4);
            for (Map<String, Object> m : (List<Map<String, Object>>) t.get("limits")) {
                Object refill = m.containsKey("refillPerSecond") ? m.get("refillPerSecond") : "-";
                String shape = m.get("shape") + (m.containsKey("window") ? " " + m.get("window") : "");
                l.row("  " + m.get("limit"), m.get("scope"), shape, m.get("capacity"), refill,
                        Boolean.TRUE.equals(m.get("overridden")) ? "(plan)" : "");
            }
            out.print(l.isEmpty() ? "  (no API limits)\n" : l.toString());
        }
    }
}
