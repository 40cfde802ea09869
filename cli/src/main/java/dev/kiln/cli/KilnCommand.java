package dev.kiln.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code kiln}: the command line of Kiln. */
@Command(name = "kiln", mixinStandardHelpOptions = true, versionProvider = KilnCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = false,
        header = "Runs fleets of packer image builds across clouds as fast as their API limits and quotas allow.",
        description = {
            "Plans are YAML (or JSON): images x targets x environments. Every command that takes a plan reads,"
                + " expands and validates it first; a mistake is reported with file:line:column and exit status 2.",
            ""},
        subcommands = {PlanCommand.class, RunCommand.class, QuotasCommand.class, SweepCommand.class,
            ReportCommand.class, DemoCommand.class, CommandLine.HelpCommand.class},
        commandListHeading = "%nCommands:%n",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:every build succeeded (or the command did what it was asked)",
            "1:some builds failed (run, demo); something could not be swept (sweep)",
            "2:invalid input: a plan error (an unknown provider, region or limit), a bad flag or setting, a template"
                + " packer rejects, missing or rejected credentials",
            "3:preflight refused builds (a quota that can never fit, plugin drift, a name taken), or kiln plan"
                + " predicts throttles or quota breaches",
            "70:Kiln failed unexpectedly; the message names the file with the full trace",
            "130:interrupted (Ctrl-C): the run was cancelled, packer cleaned up, builds were swept"},
        footerHeading = "%nConfiguration%n",
        footer = {
            "A flag wins over its KILN_* environment variable, which wins over the plan file, which wins over"
                + " Kiln's default:",
            "",
            "  setting            flag                   environment          plan file",
            "  runs directory     --runs-dir             KILN_RUNS_DIR        -  (default ./kiln-runs)",
            "  packer processes   --slots                KILN_SLOTS           -  (default 16)",
            "  packer executable  --packer               KILN_PACKER          packer.version (allowed versions)",
            "  plugin directory   --plugin-path          KILN_PLUGIN_PATH     packer.plugins (pins)",
            "  environments       --env                  KILN_ENVIRONMENTS    environments",
            "  images             --image                KILN_IMAGES          images",
            "  retry attempts     --retry-attempts       KILN_RETRY_ATTEMPTS  retry.attempts",
            "  grace period       --grace                KILN_GRACE           -  (default 30s)",
            "  gate               --gate                 KILN_GATE            -  (default on)",
            "  gate routes        --gate-route           KILN_GATE_ROUTES     -  (default none: the real hosts)",
            "  provider settings  --provider-setting     KILN_<ID>_<KEY>      targets[].options (per target)",
            "  metrics port       --metrics-port         KILN_METRICS_PORT    -  (default off)",
            "  progress           --progress             KILN_PROGRESS, CI    -  (default auto)",
            "  step summary       -                      GITHUB_STEP_SUMMARY  -",
            "  shared database    --coordination         KILN_COORDINATION    -  (default none; password: PGPASSWORD)",
            "  node id            --node                 KILN_NODE            -  (default host name and process id)",
            "  shared run         --run-id               KILN_RUN_ID          -  (default a run of this node alone)",
            "  lease TTL          --lease-ttl            KILN_LEASE_TTL       -  (default 30s)",
            "  rebuild identical  --rebuild              KILN_REBUILD         -  (default reuse)",
            "",
            "Limits (API token buckets, windows) and retry backoff are set in the plan file only.",
            "Run 'kiln help COMMAND' or 'kiln COMMAND --help' for a command's options."})
public final class KilnCommand implements Callable<Integer> {

    final CliContext ctx;

    @Spec
    CommandSpec spec;

    public KilnCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** Runs {@code kiln args} in {@code ctx} and returns the exit status. */
    public static int execute(CliContext ctx, String... args) {
        CommandLine cl = commandLine(ctx);
        int code = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        return code;
    }

    static CommandLine commandLine(CliContext ctx) {
        CommandLine cl = new CommandLine(new KilnCommand(ctx));
        cl.setOut(new PrintWriter(new OutputStreamWriter(ctx.out(), StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(ctx.err(), StandardCharsets.UTF_8), true));
        cl.setExecutionExceptionHandler(new ErrorHandlers.Execution());
        cl.setParameterExceptionHandler(new ErrorHandlers.Parameters());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpWidth(110);
        return cl;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("kiln: say what to do, e.g. 'kiln demo' or 'kiln run plan.yaml'.");
        err.println();
        spec.commandLine().usage(err);
        return ExitCode.USAGE;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = KilnCommand.class.getPackage().getImplementationVersion();
            return new String[] {"kiln " + (v == null ? "(development build)" : v) + ", Java "
                    + Runtime.version()};
        }
    }
}
