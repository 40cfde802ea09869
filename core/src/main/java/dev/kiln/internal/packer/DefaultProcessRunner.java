package dev.kiln.internal.packer;

import dev.kiln.KilnException;
import dev.kiln.internal.plan.Values;
import dev.kiln.packer.PackerVersion;
import dev.kiln.packer.ProcessPackerRunner;
import dev.kiln.packer.Redactor;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PackerPins;
import dev.kiln.spi.BuildCallbacks;
import dev.kiln.spi.BuildHandle;
import dev.kiln.spi.BuildRequest;
import dev.kiln.spi.Refusal;
import dev.kiln.time.TimeSource;
import dev.kiln.time.Wakeup;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs real {@code packer} processes. Made by {@link dev.kiln.packer.PackerRunners}. Finds packer and
 * its version, preflights a plan (the run's {@code RunSnapshots}, {@code PluginChecks}, {@code Validations}),
 * starts builds with their inputs, and closes what is still running.
 */
public final class DefaultProcessRunner implements ProcessPackerRunner {

    private static final Pattern MACHINE_VERSION = Pattern.compile("^\\d+,[^,]*,version,(.+)$");
    private static final Pattern HUMAN_VERSION = Pattern.compile("Packer v(\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?)");
    static final int MAX_COMMAND_LINES = 2000;
    private static final String NULL_BUILDER = "null";
    /** tcpmux's port on loopback: nothing listens there, so a request through it fails at once, locally. */
    private static final String CLOSED_LOOPBACK_PROXY = "http://127.0.0.1:1";

    private final RunnerSettings settings;
    private final TimeSource time;
    private final Redactor redactor;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final AlarmClock clock;
    private final Commands commands;
    /** By the binary's {@link PackerCache#fileIdentity identity}: a packer replaced in place is asked again. */
    private final Map<String, PackerVersion> versions = new ConcurrentHashMap<>();
    private final RunSnapshots snapshots = new RunSnapshots();
    private final PluginChecks plugins;
    private final Validations validations;
    private final Map<String, String> runIdsByBuildId = new ConcurrentHashMap<>();
    private final Set<RunningBuild> running = ConcurrentHashMap.newKeySet();
    private final Wakeup someEnded = new Wakeup();
    private volatile boolean closed;

    /**
     * @param ownedExecutor the executor to shut down on close, when the runner made it; null when
     *                      {@code executor} was handed in
     */
    public DefaultProcessRunner(RunnerSettings settings, TimeSource time, Redactor redactor, Executor executor,
                                ExecutorService ownedExecutor) {
        this.settings = settings;
        this.time = time;
        this.redactor = redactor;
        this.executor = executor;
        this.ownedExecutor = ownedExecutor;
        this.clock = new AlarmClock(time, executor);
        this.commands = new Commands(clock);
        this.plugins = new PluginChecks(settings, commands);
        this.validations = new Validations(settings, redactor, commands, snapshots);
    }

    @Override
    public Path executable() {
        return locate().orElseThrow(() -> new KilnException(notFoundMessage()));
    }

    @Override
    public PackerVersion version() {
        return version(null);
    }

    /**
     * packer's version, asked once per binary: remembered by the binary's identity (real path, size,
     * modification time), in this runner and, given a run's directory, under the runs directory.
     */
    private PackerVersion version(Path runDirectory) {
        Path exe = executable();
        String identity = PackerCache.fileIdentity(exe);
        PackerVersion known = versions.get(identity);
        if (known != null) {
            return known;
        }
        PackerCache cache = runDirectory == null && settings.cacheDirectory() == null ? null
                : PackerCache.of(runDirectory, settings);
        Optional<PackerVersion> remembered = cache == null ? Optional.empty() : cache.version(identity)
                .flatMap(DefaultProcessRunner::parsedVersion);
        if (remembered.isPresent()) {
            versions.put(identity, remembered.get());
            return remembered.get();
        }
        Commands.Result result;
        try {
            result = commands.run(List.of(exe.toString(), "version", "-machine-readable"), null, baseEnv(settings),
                    settings.commandTimeout(), MAX_COMMAND_LINES);
        } catch (IOException e) {
            throw new KilnException("could not run " + exe + " version: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException("interrupted while asking " + exe + " for its version", e);
        }
        PackerVersion version = parseVersion(result.lines()).orElseThrow(() -> new KilnException(exe
                + " is not HashiCorp packer, or too old: 'version -machine-readable' exited " + result.exitCode()
                + (result.timedOut() ? " after timing out" : "") + " and printed '" + result.firstLine()
                + "', where packer prints 'version,X.Y.Z'"));
        versions.put(identity, version);
        if (cache != null) {
            cache.recordVersion(identity, version.toString());
        }
        return version;
    }

    private static Optional<PackerVersion> parsedVersion(String text) {
        try {
            return Optional.of(PackerVersion.parse(text));
        } catch (KilnException e) {
            return Optional.empty();
        }
    }

    @Override
    public String describe() {
        return describe(null);
    }

    @Override
    public String describe(Path runDirectory) {
        Optional<Path> exe = locate();
        if (exe.isEmpty()) {
            return "packer (not found)";
        }
        try {
            return "packer " + version(runDirectory) + " at " + exe.get();
        } catch (KilnException e) {
            return "packer (unknown version) at " + exe.get();
        }
    }

    @Override
    public List<Refusal> preflight(BuildPlan plan, Path runDirectory) {
        return preflight(plan, runDirectory, job -> Map.of());
    }

    @Override
    public List<Refusal> preflight(BuildPlan plan, Path runDirectory,
            Function<BuildJob, Map<String, String>> environment) {
        plan.jobs().forEach(j -> runIdsByBuildId.put(j.buildId(), plan.runId()));
        List<Refusal> refusals = new ArrayList<>(snapshots.take(plan, runDirectory));
        Optional<Path> exe = locate();
        if (exe.isEmpty()) {
            refusals.add(new Refusal("packer", Refusal.Kind.PACKER_VERSION, notFoundMessage()));
            return refusals;
        }
        PackerVersion version;
        try {
            version = version(runDirectory);
        } catch (KilnException e) {
            refusals.add(new Refusal("packer", Refusal.Kind.PACKER_VERSION, e.getMessage()));
            return refusals;
        }
        PackerPins pins = plan.pins();
        if (pins.version() != null && !pins.version().isBlank()) {
            try {
                VersionConstraint wanted = VersionConstraint.parse(pins.version());
                if (!wanted.allows(version)) {
                    refusals.add(new Refusal("packer", Refusal.Kind.PACKER_VERSION, "expected packer " + wanted
                            + " (the plan's pin), found " + version + " at " + exe.get()
                            + "; install a matching packer or change the pin"));
                }
            } catch (KilnException e) {
                refusals.add(new Refusal("packer", Refusal.Kind.PACKER_VERSION, "the plan's packer pin is invalid: "
                        + e.getMessage()));
            }
        }
        refusals.addAll(plugins.check(plan, exe.get(), version));
        if (settings.validate()) {
            Set<String> refused = refusals.stream().flatMap(r -> r.jobs().stream()).collect(Collectors.toSet());
            List<BuildJob> unrefused = plan.jobs().stream().filter(j -> !refused.contains(j.id().value())).toList();
            refusals.addAll(validations.validate(unrefused, plan.runId(), runDirectory, exe.get(), version, environment));
        }
        return refusals;
    }

    @Override
    public BuildHandle start(BuildRequest request, BuildCallbacks callbacks) {
        if (closed) {
            throw new KilnException("this packer runner is closed; build " + request.job().id() + " was not started",
                    KilnException.Context.of(request.job()));
        }
        BuildJob job = request.job();
        Map<String, Object> variables = variables(job, request);
        Map<String, String> env = buildEnv(request);
        List<String> secrets = new ArrayList<>(sensitiveValues(job, request, variables));
        secrets.addAll(request.secrets());
        Redactor buildRedactor = redactor.withSecrets(secrets).withSecretsFrom(env);
        RunningBuild build = new RunningBuild(this, request, callbacks, buildRedactor, clock, executor, settings);
        running.add(build);
        Optional<Path> exe = locate();
        List<String> argv = new ArrayList<>();
        argv.add(exe.map(Path::toString).orElse("packer"));
        argv.add("build");
        argv.add("-machine-readable");
        argv.add("-only=" + job.connection().build());
        build.launch(argv, workspace -> prepare(job, request, workspace), env, variables,
                exe.isEmpty() ? notFoundMessage() : null);
        return build;
    }

    /** A start copies the template's snapshot and spawns packer: starts may overlap, from any thread. */
    @Override
    public boolean startsConcurrently() {
        return true;
    }

    /** Kills the builds still running, waits for their {@code onExit}, and stops the threads it owns. */
    @Override
    public void close() {
        closed = true;
        for (RunningBuild b : running) {
            b.abort();
        }
        long deadline = time.nanoTime() + settings.commandTimeout().toNanos() * 2;
        try {
            while (!running.isEmpty() && deadline - time.nanoTime() > 0) {
                time.await(someEnded, deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clock.shutdown();
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
            try {
                if (!ownedExecutor.awaitTermination(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    ownedExecutor.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ownedExecutor.shutdownNow();
            }
        }
    }

    @Override
    public String toString() {
        return "ProcessPackerRunner[" + describe() + ", " + running.size() + " running]";
    }

    void ended(RunningBuild build) {
        running.remove(build);
        someEnded.signal();
    }

    // --- the installation

    private Optional<Path> locate() {
        if (settings.executable() != null) {
            Path p = settings.executable().toAbsolutePath();
            return Files.isExecutable(p) && !Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
        }
        String fromEnv = System.getenv("KILN_PACKER");
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path p = Path.of(fromEnv).toAbsolutePath();
            return Files.isExecutable(p) && !Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        boolean windows = Plugins.goOs().equals("windows");
        for (String dir : path.split(Pattern.quote(File.pathSeparator))) {
            if (dir.isBlank()) {
                continue;
            }
            for (String name : windows ? List.of("packer.exe", "packer") : List.of("packer")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                    return Optional.of(candidate.toAbsolutePath());
                }
            }
        }
        return Optional.empty();
    }

    private String notFoundMessage() {
        if (settings.executable() != null) {
            return "packer not found: " + settings.executable() + " (set as the runner's executable) is not an"
                    + " executable file";
        }
        String fromEnv = System.getenv("KILN_PACKER");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return "packer not found: KILN_PACKER=" + fromEnv + " is not an executable file";
        }
        return "packer not found: no executable 'packer' on PATH and KILN_PACKER is not set; install packer or"
                + " point KILN_PACKER (or the runner's executable) at it";
    }

    static Optional<PackerVersion> parseVersion(List<String> lines) {
        for (String line : lines) {
            Matcher m = MACHINE_VERSION.matcher(line.strip());
            if (m.matches()) {
                try {
                    return Optional.of(PackerVersion.parse(m.group(1).strip()));
                } catch (KilnException e) {
                    // keep looking: the human-readable line may follow
                }
            }
        }
        for (String line : lines) {
            Matcher m = HUMAN_VERSION.matcher(line);
            if (m.find()) {
                return Optional.of(PackerVersion.parse(m.group(1)));
            }
        }
        return Optional.empty();
    }

    // --- a build's inputs

    /**
     * Where and what packer runs for one attempt of a build: a null stand-in in a simulated run;
     * else, once preflight has snapshot the template's directory, a copy of that snapshot of the
     * attempt's own ({@code src-N} in the workspace), so relative paths resolve as next to the template
     * and no other build or attempt shares its files; without a snapshot (a runner used without
     * preflight), the template where it is, from the workspace.
     */
    private RunningBuild.Prepared prepare(BuildJob job, BuildRequest request, Path workspace) throws IOException {
        if (standsIn(job)) {
            return new RunningBuild.Prepared(standIn(job, request, workspace), workspace);
        }
        TemplateSnapshots.Snapshot snapshot = snapshots.of(runIdsByBuildId.get(job.buildId()), job);
        if (snapshot == null) {
            return new RunningBuild.Prepared(template(job, request, job.image().template().toAbsolutePath(),
                    workspace), workspace);
        }
        TemplateSnapshots.Snapshot own = snapshot.copyTo(workspace.resolve("src-" + request.attempt()));
        return new RunningBuild.Prepared(template(job, request, own.template(), own.directory()), own.directory());
    }

    /**
     * The template packer runs for one build: the template itself, or (when Kiln sets builder fields)
     * the build's own rewritten copy in {@code directory}.
     */
    private static Path template(BuildJob job, BuildRequest request, Path template, Path directory)
            throws IOException {
        if (job.connection().fields().isEmpty()) {
            return template;
        }
        Path copy = directory.resolve(".kiln-template-" + request.attempt() + ".json");
        Files.copy(template, copy, StandardCopyOption.REPLACE_EXISTING);
        TemplateCopy.write(copy, job.connection().builderIndex(), job.connection().fields());
        return copy;
    }

    private boolean standsIn(BuildJob job) {
        return settings.standIns() && !NULL_BUILDER.equals(job.connection().builderType());
    }

    /**
     * The null build that stands in for a real one in a simulated run: the name {@code -only=}
     * selects and nothing else, so no builder, provisioner or post-processor of the template runs.
     */
    private static Path standIn(BuildJob job, BuildRequest request, Path workspace) throws IOException {
        Path standIn = workspace.resolve(".kiln-stand-in-" + request.attempt() + ".json");
        String name = job.connection().build().replace("\\", "\\\\").replace("\"", "\\\"");
        Files.writeString(standIn, "{\"builders\": [{\"type\": \"null\", \"name\": \"" + name
                + "\", \"communicator\": \"none\"}]}\n");
        return standIn;
    }

    private Map<String, Object> variables(BuildJob job, BuildRequest request) {
        Map<String, Object> variables = new LinkedHashMap<>(job.connection().variables());
        variables.putAll(request.variables());
        String runId = request.variables().getOrDefault("kiln_run_id",
                runIdsByBuildId.getOrDefault(job.buildId(), ""));
        variables.putAll(kilnVariables(job, runId));
        return forTemplate(job, variables);
    }

    /** A JSON template's variables are strings: numbers and bools are written as text. */
    static Map<String, Object> forTemplate(BuildJob job, Map<String, Object> variables) {
        String file = String.valueOf(job.image().template().getFileName());
        if (!file.endsWith(".json")) {
            return variables;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        variables.forEach((k, v) -> out.put(k, Values.isScalar(v) ? Values.text(v) : v));
        return out;
    }

    /** The variables Kiln passes to every template; templates that do not declare them only warn. */
    static Map<String, String> kilnVariables(BuildJob job, String runId) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("kiln_image_name", job.imageName());
        v.put("kiln_build_id", job.buildId());
        v.put("kiln_run_id", runId == null ? "" : runId);
        v.put("kiln_env", job.environment());
        v.put("kiln_region", job.target().region());
        v.put("kiln_account", job.target().account());
        v.put("kiln_provider", job.target().provider());
        v.put("kiln_instance", job.image().instanceSize() == null ? "" : job.image().instanceSize());
        return v;
    }

    static List<String> sensitiveValues(BuildJob job, BuildRequest request, Map<String, Object> variables) {
        Set<String> names = new LinkedHashSet<>(job.image().sensitive());
        names.addAll(job.connection().sensitive());
        if (request != null) {
            names.addAll(request.sensitive());
        }
        List<String> values = new ArrayList<>();
        for (String name : names) {
            if (variables.get(name) instanceof String v) {
                values.add(v);
            }
        }
        return values;
    }

    /** The environment every packer this runner starts gets, a build's adding to it. */
    static Map<String, String> baseEnv(RunnerSettings settings) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeAll(settings.withheldEnv());
        env.remove("PACKER_LOG_PATH");
        env.remove("PACKER_LOG");
        env.putAll(settings.extraEnv());
        env.put("CHECKPOINT_DISABLE", "1");
        env.put("PACKER_NO_COLOR", "1");
        if (settings.pluginPath() != null) {
            env.put("PACKER_PLUGIN_PATH", settings.pluginPath().toAbsolutePath().toString());
        }
        if (settings.standIns()) {
            // A simulated run must not reach a cloud: proxy-aware clients (packer's SDKs, curl in a
            // shell-local script) get a loopback port nothing listens on, and no exemption.
            for (String proxy : List.of("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                    "all_proxy")) {
                env.put(proxy, CLOSED_LOOPBACK_PROXY);
            }
            env.remove("NO_PROXY");
            env.remove("no_proxy");
        }
        return env;
    }

    private Map<String, String> buildEnv(BuildRequest request) {
        Map<String, String> env = baseEnv(settings);
        env.put("PACKER_LOG", "1");
        env.putAll(request.env());
        // The debug log holds whatever packer and its plugins print, secrets included: it comes to
        // Kiln through the stderr pipe, to be redacted, and never lands in a file of packer's own.
        env.put("PACKER_LOG_PATH", "/dev/stderr");
        return env;
    }
}
