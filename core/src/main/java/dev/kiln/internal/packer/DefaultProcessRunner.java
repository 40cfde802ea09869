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
import dev.kiln.template.PackerTemplate;
import dev.kiln.template.RequiredPlugin;
import dev.kiln.template.VersionRequirement;
import dev.kiln.time.TimeSource;
import dev.kiln.time.Wakeup;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Runs real {@code packer} processes. Made by {@link dev.kiln.packer.PackerRunners}. */
public final class DefaultProcessRunner implements ProcessPackerRunner {

    private static final Pattern MACHINE_VERSION = Pattern.compile("^\\d+,[^,]*,version,(.+)$");
    private static final Pattern HUMAN_VERSION = Pattern.compile("Packer v(\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?)");
    private static final PackerVersion PLUGINS_COMMAND_SINCE = PackerVersion.of(1, 8, 0);
    private static final PackerVersion REQUIRED_PLUGINS_SINCE = PackerVersion.of(1, 7, 0);
    private static final int MAX_COMMAND_LINES = 2000;
    /** The start of the name of the var-file {@code packer validate} is given, deleted right after. */
    static final String VALIDATE_VAR_FILE_PREFIX = ".kiln-validate-";
    private static final String NULL_BUILDER = "null";
    /** packer validate starts packer and its plugins, mostly waiting on each other: a few at once pay off even on 2 cores. */
    private static final int VALIDATIONS_AT_ONCE = Math.max(4, Runtime.getRuntime().availableProcessors());
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
    /** Each run's snapshot of each template's directory, by run id and template. */
    private final Map<String, TemplateSnapshots.Snapshot> snapshots = new ConcurrentHashMap<>();
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
        PackerCache cache = runDirectory == null ? null : PackerCache.of(runDirectory);
        Optional<PackerVersion> remembered = cache == null ? Optional.empty() : cache.version(identity)
                .flatMap(DefaultProcessRunner::parsedVersion);
        if (remembered.isPresent()) {
            versions.put(identity, remembered.get());
            return remembered.get();
        }
        Commands.Result result;
        try {
            result = commands.run(List.of(exe.toString(), "version", "-machine-readable"), null, baseEnv(),
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
        List<Refusal> refusals = new ArrayList<>(snapshot(plan, runDirectory));
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
        refusals.addAll(checkPlugins(pins, exe.get(), version));
        refusals.addAll(checkTemplateRequirements(plan, pins, exe.get(), version));
        if (settings.validate()) {
            Set<String> refused = refusals.stream().flatMap(r -> r.jobs().stream()).collect(Collectors.toSet());
            refusals.addAll(validate(plan.jobs().stream().filter(j -> !refused.contains(j.id().value())).toList(),
                    plan.runId(), runDirectory, exe.get(), version, environment));
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

    private List<Refusal> checkPlugins(PackerPins pins, Path exe, PackerVersion packerVersion) {
        if (pins.plugins().isEmpty()) {
            return List.of();
        }
        InstalledPlugins installed = installedPlugins(exe, packerVersion);
        List<Refusal> refusals = new ArrayList<>();
        for (PackerPins.PluginPin pin : pins.plugins().values()) {
            checkPlugin(pin, installed.plugins(), installed.where()).ifPresent(refusals::add);
        }
        return refusals;
    }

    /** The plugins packer would find, and where Kiln looked, to say so. */
    private record InstalledPlugins(List<Plugins.Installed> plugins, String where) {
    }

    private InstalledPlugins installedPlugins(Path exe, PackerVersion packerVersion) {
        List<Path> deep = pluginDirectories();
        List<Plugins.Installed> installed = new ArrayList<>();
        String where;
        if (packerVersion.compareTo(PLUGINS_COMMAND_SINCE) >= 0) {
            installed.addAll(listInstalled(exe));
            where = "'packer plugins installed' and " + deep;
        } else {
            where = deep + " and " + exe.getParent();
        }
        installed.addAll(Plugins.scan(deep));
        if (exe.getParent() != null) {
            try (var files = Files.list(exe.getParent())) {
                files.filter(f -> f.getFileName().toString().startsWith("packer-plugin-"))
                        .forEach(f -> Plugins.read(f).ifPresent(installed::add));
            } catch (IOException e) {
                // packer's own directory is unreadable: it holds no plugin we can find
            }
        }
        return new InstalledPlugins(installed, where);
    }

    // --- what templates require

    /**
     * Checks what each template asks of packer ({@code required_version}, {@code min_packer_version})
     * and of its plugins ({@code packer { required_plugins }}), together with the plan's pins, and
     * refuses the builds of a template whose requirement this packer or its plugins cannot meet.
     */
    private List<Refusal> checkTemplateRequirements(BuildPlan plan, PackerPins pins, Path exe, PackerVersion version) {
        Map<Path, Set<String>> jobsByTemplate = new LinkedHashMap<>();
        for (BuildJob j : plan.jobs()) {
            jobsByTemplate.computeIfAbsent(key(j), k -> new LinkedHashSet<>()).add(j.id().value());
        }
        List<Refusal> refusals = new ArrayList<>();
        InstalledPlugins installed = null;
        for (Map.Entry<Path, Set<String>> e : jobsByTemplate.entrySet()) {
            PackerTemplate template;
            try {
                template = PackerTemplate.read(e.getKey());
            } catch (RuntimeException ex) {
                continue; // the plan was read with it: what is wrong was said there, and validate says it again
            }
            String subject = e.getKey().toString();
            VersionRequirement required = template.requiredVersion();
            if (required != null) {
                try {
                    if (!VersionConstraint.parse(required.constraint()).allows(version)) {
                        refusals.add(new Refusal(subject, Refusal.Kind.PACKER_VERSION, required.position()
                                + ": the template requires packer " + required.constraint() + ", found " + version
                                + " at " + exe + "; install a packer that satisfies both the template and the plan's"
                                + " pin" + (plan.pins().version() == null ? "" : " (" + plan.pins().version() + ")"),
                                null, e.getValue()));
                    }
                } catch (KilnException ex) {
                    refusals.add(new Refusal(subject, Refusal.Kind.PACKER_VERSION, required.position() + ": "
                            + ex.getMessage(), null, e.getValue()));
                }
            }
            if (template.requiredPlugins().isEmpty()) {
                continue;
            }
            if (version.compareTo(REQUIRED_PLUGINS_SINCE) < 0) {
                RequiredPlugin first = template.requiredPlugins().get(0);
                refusals.add(new Refusal(subject, Refusal.Kind.PLUGIN_DRIFT, first.position() + ": the template"
                        + " declares required_plugins (" + template.requiredPlugins().stream().map(RequiredPlugin::name)
                        .collect(Collectors.joining(", ")) + "), which packer reads from 1.7.0 on; packer " + version
                        + " at " + exe + " refuses the block and cannot install or check those plugins. Install"
                        + " packer 1.7 or later and run 'packer init' on the template, or remove the"
                        + " required_plugins block and pin the plugins in the plan's packer.plugins", null,
                        e.getValue()));
                continue;
            }
            if (installed == null) {
                installed = installedPlugins(exe, version);
            }
            for (RequiredPlugin rp : template.requiredPlugins()) {
                checkRequiredPlugin(subject, rp, pins, installed, e.getValue()).ifPresent(refusals::add);
            }
        }
        return refusals;
    }

    private Optional<Refusal> checkRequiredPlugin(String subject, RequiredPlugin rp, PackerPins pins,
            InstalledPlugins installed, Set<String> jobs) {
        String name = pluginName(rp);
        if (rp.version() == null || rp.version().isBlank()) {
            return Optional.empty();
        }
        VersionConstraint wanted;
        try {
            wanted = VersionConstraint.parse(rp.version());
        } catch (KilnException ex) {
            return Optional.of(new Refusal(subject, Refusal.Kind.PLUGIN_DRIFT, rp.position() + ": required_plugins "
                    + rp.name() + ": " + ex.getMessage(), null, jobs));
        }
        PackerPins.PluginPin pin = pins.plugins().get(name);
        if (pin != null && pin.version() != null && !pin.version().isBlank()) {
            PackerVersion pinned;
            try {
                pinned = PackerVersion.parse(pin.version());
            } catch (KilnException ex) {
                return Optional.empty(); // the pin's own check says it is invalid
            }
            if (!wanted.allows(pinned)) {
                return Optional.of(new Refusal(subject, Refusal.Kind.PLUGIN_DRIFT, rp.position() + ": the template"
                        + " requires plugin " + name + " " + wanted + ", but the plan pins it at " + pinned
                        + "; change the plan's packer.plugins." + name + " or the template's constraint so they agree",
                        null, jobs));
            }
            return Optional.empty(); // the pin's check finds the pinned version installed, or says it is not
        }
        List<Plugins.Installed> named = installed.plugins().stream().filter(p -> p.name().equals(name)).distinct()
                .map(this::withDescribedVersion).toList();
        if (named.stream().anyMatch(p -> p.version().map(wanted::allows).orElse(false))) {
            return Optional.empty();
        }
        String found = named.isEmpty() ? "none in " + installed.where() : named.stream()
                .map(p -> p.version().map(PackerVersion::toString).orElse("unknown version") + " at " + p.binary())
                .collect(Collectors.joining(", "));
        return Optional.of(new Refusal(subject, Refusal.Kind.PLUGIN_DRIFT, rp.position() + ": the template requires"
                + " plugin " + name + " " + wanted + (rp.source() == null ? "" : " (" + rp.source() + ")") + ", found "
                + found + "; run 'packer init' on the template, or install it into PACKER_PLUGIN_PATH", null, jobs));
    }

    /** The name of a required plugin's binary: {@code github.com/hashicorp/amazon} is packer-plugin-amazon. */
    private static String pluginName(RequiredPlugin rp) {
        if (rp.source() == null || rp.source().isBlank()) {
            return rp.name();
        }
        String last = rp.source().substring(rp.source().lastIndexOf('/') + 1);
        return last.startsWith("packer-plugin-") ? last.substring("packer-plugin-".length()) : last;
    }

    private Optional<Refusal> checkPlugin(PackerPins.PluginPin pin, List<Plugins.Installed> installed, String where) {
        String subject = "plugin " + pin.name();
        PackerVersion wanted;
        try {
            wanted = pin.version() == null || pin.version().isBlank() ? null : PackerVersion.parse(pin.version());
        } catch (KilnException e) {
            return Optional.of(new Refusal(subject, Refusal.Kind.PLUGIN_DRIFT, "the plan pins plugin " + pin.name()
                    + " at an invalid version: " + e.getMessage()));
        }
        String expected = "expected plugin " + pin.name() + (wanted == null ? "" : " " + wanted)
                + (pin.sha256() == null ? "" : " with sha256 " + pin.sha256().toLowerCase(Locale.ROOT));
        List<Plugins.Installed> named = installed.stream().filter(p -> p.name().equals(pin.name())).distinct().toList();
        if (named.isEmpty()) {
            return Optional.of(new Refusal(subject, Refusal.Kind.PLUGIN_DRIFT, expected + ", found none: no packer-plugin-"
                    + pin.name() + " in " + where + "; install it (packer init, or copy it into PACKER_PLUGIN_PATH)"));
        }
        List<Plugins.Installed> withVersions = named.stream().map(this::withDescribedVersion).toList();
        Optional<Plugins.Installed> match = withVersions.stream()
                .filter(p -> wanted == null || p.version().map(wanted::equals).orElse(false)).findFirst();
        if (match.isEmpty()) {
            String found = withVersions.stream().map(p -> p.version().map(PackerVersion::toString).orElse("unknown version")
                    + " at " + p.binary()).collect(Collectors.joining(", "));
            return Optional.of(new Refusal(subject, Refusal.Kind.PLUGIN_DRIFT, expected + ", found " + found));
        }
        Plugins.Installed plugin = match.get();
        if (pin.sha256() == null && plugin.recordedSha256().isEmpty()) {
            return Optional.empty();
        }
        String actual;
        try {
            actual = Plugins.sha256(plugin.binary());
        } catch (IOException e) {
            return Optional.of(new Refusal(subject, Refusal.Kind.PLUGIN_DRIFT, expected + ", but " + plugin.binary()
                    + " could not be read to check its checksum: " + e.getMessage()));
        }
        if (plugin.recordedSha256().isPresent() && !plugin.recordedSha256().get().equals(actual)) {
            return Optional.of(new Refusal(subject, Refusal.Kind.PLUGIN_DRIFT, plugin.binary() + " has sha256 " + actual
                    + " but its _SHA256SUM file records " + plugin.recordedSha256().get()
                    + "; the binary changed after installation, reinstall it"));
        }
        if (pin.sha256() != null && !pin.sha256().strip().equalsIgnoreCase(actual)) {
            return Optional.of(new Refusal(subject, Refusal.Kind.PLUGIN_DRIFT, expected + ", found sha256 " + actual
                    + " at " + plugin.binary()));
        }
        return Optional.empty();
    }

    private Plugins.Installed withDescribedVersion(Plugins.Installed p) {
        if (p.version().isPresent()) {
            return p;
        }
        try {
            Commands.Result r = commands.run(List.of(p.binary().toString(), "describe"), null, baseEnv(),
                    settings.commandTimeout(), MAX_COMMAND_LINES);
            return new Plugins.Installed(p.name(), r.exitCode() == 0 ? Plugins.versionFromDescribe(r.lines())
                    : Optional.empty(), p.binary(), p.recordedSha256());
        } catch (IOException e) {
            return p;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return p;
        }
    }

    private List<Plugins.Installed> listInstalled(Path exe) {
        try {
            Commands.Result r = commands.run(List.of(exe.toString(), "plugins", "installed"), null, baseEnv(),
                    settings.commandTimeout(), MAX_COMMAND_LINES);
            return r.exitCode() == 0 ? Plugins.fromInstalledListing(r.lines()) : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private List<Path> pluginDirectories() {
        Set<Path> dirs = new LinkedHashSet<>();
        if (settings.pluginPath() != null) {
            dirs.add(settings.pluginPath().toAbsolutePath());
        } else {
            String env = settings.extraEnv().getOrDefault("PACKER_PLUGIN_PATH", System.getenv("PACKER_PLUGIN_PATH"));
            if (env != null) {
                for (String d : env.split(Pattern.quote(File.pathSeparator))) {
                    if (!d.isBlank()) {
                        dirs.add(Path.of(d).toAbsolutePath());
                    }
                }
            }
        }
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank()) {
            dirs.add(Path.of(home, ".packer.d", "plugins"));
            String xdg = System.getenv("XDG_CONFIG_HOME");
            dirs.add(xdg == null || xdg.isBlank() ? Path.of(home, ".config", "packer", "plugins")
                    : Path.of(xdg, "packer", "plugins"));
        }
        return List.copyOf(dirs);
    }

    // --- snapshots

    /**
     * Snapshots the directory of each template of the plan into the run's directory, once per run
     * (a resumed run keeps the snapshot it started with). A template whose directory cannot be
     * copied is refused, with its builds.
     */
    private List<Refusal> snapshot(BuildPlan plan, Path runDirectory) {
        Map<Path, List<BuildJob>> byTemplate = new LinkedHashMap<>();
        for (BuildJob j : plan.jobs()) {
            byTemplate.computeIfAbsent(key(j), k -> new ArrayList<>()).add(j);
        }
        List<Refusal> refusals = new ArrayList<>();
        // Absolute: packer runs from the snapshot's directory, where a relative runs directory means nothing
        Path root = runDirectory.toAbsolutePath().resolve("templates");
        int n = 0;
        for (Map.Entry<Path, List<BuildJob>> e : byTemplate.entrySet()) {
            Path template = e.getKey();
            Path into = root.resolve(++n + "-" + TemplateSnapshots.sourceOf(template).getFileName());
            try {
                snapshots.put(snapshotKey(plan.runId(), e.getValue().get(0)), Files.isDirectory(into)
                        ? new TemplateSnapshots.Snapshot(TemplateSnapshots.sourceOf(template), into,
                                into.resolve(TemplateSnapshots.sourceOf(template).relativize(template)))
                        : TemplateSnapshots.take(template, into, runDirectory));
            } catch (IOException | RuntimeException ex) {
                refusals.add(new Refusal(template.toString(), Refusal.Kind.TEMPLATE_INVALID, "could not copy the"
                        + " directory of template " + template + " for its builds: " + ex.getMessage(), null,
                        e.getValue().stream().map(j -> j.id().value()).collect(Collectors.toSet())));
            }
        }
        return refusals;
    }

    // --- validate

    /**
     * Validates each distinct build of the plan once: its template, the build {@code -only=} selects, and
     * the variables it gets (the image's, its target's and environment's, Kiln's of its region), so a
     * build is judged with its own values, whatever other images or builds share the template. Builds
     * whose inputs are the same in all that decides the verdict ({@link PackerCache}) are validated
     * once, and not at all when they passed in an earlier run; the rest run several at once.
     */
    private List<Refusal> validate(List<BuildJob> jobsToValidate, String runId, Path runDirectory, Path exe,
            PackerVersion version, Function<BuildJob, Map<String, String>> environment) {
        Map<String, List<BuildJob>> combinations = new LinkedHashMap<>();
        for (BuildJob j : jobsToValidate) {
            combinations.computeIfAbsent(validationKey(j), k -> new ArrayList<>()).add(j);
        }
        if (combinations.isEmpty()) {
            return List.of();
        }
        Path dir = runDirectory.resolve("preflight");
        try {
            Files0600.createDirectories(dir);
        } catch (IOException e) {
            return List.of(new Refusal("packer", Refusal.Kind.TEMPLATE_INVALID, "could not create " + dir
                    + " to validate templates in: " + e.getMessage()));
        }
        PackerCache cache = PackerCache.of(runDirectory);
        String packer = PackerCache.packerIdentity(exe, version.toString(), pluginDirectories());
        Map<Path, Optional<SnapshotFacts>> facts = new HashMap<>();
        List<Validation> all = new ArrayList<>();
        int n = 0;
        for (List<BuildJob> jobs : combinations.values()) {
            TemplateSnapshots.Snapshot snapshot = snapshots.get(snapshotKey(runId, jobs.get(0)));
            if (snapshot != null) {
                all.add(validation(jobs, runId, dir, snapshot, exe, ++n, environment, packer, facts));
            }
        }
        Map<String, List<Validation>> alike = new LinkedHashMap<>();
        List<Validation> first = new ArrayList<>();
        for (Validation v : all) {
            if (v.key == null) {
                first.add(v);
            } else if (cache.passed(v.key)) {
                v.verdict = Optional.empty();
            } else {
                List<Validation> same = alike.computeIfAbsent(v.key, k -> new ArrayList<>());
                if (same.isEmpty()) {
                    first.add(v);
                }
                same.add(v);
            }
        }
        runAll(first);
        List<Validation> again = new ArrayList<>();
        for (Validation v : first) {
            if (v.key == null) {
                continue;
            }
            List<Validation> same = alike.get(v.key);
            if (v.verdict.isEmpty()) {
                cache.recordPass(v.key);
                same.forEach(s -> s.verdict = Optional.empty());
            } else {
                // the same verdict, but each is told with its own builds and variables
                again.addAll(same.subList(1, same.size()));
            }
        }
        runAll(again);
        List<Refusal> refusals = new ArrayList<>();
        all.forEach(v -> v.verdict.ifPresent(refusals::add));
        return refusals;
    }

    /** A snapshot's content and what its template declares, once per snapshot: the parts of a validation's key. */
    private record SnapshotFacts(String digest, Set<String> declared, String referencedPaths) {
    }

    private static Optional<SnapshotFacts> facts(TemplateSnapshots.Snapshot snapshot) {
        try {
            PackerTemplate template = PackerTemplate.read(snapshot.template());
            Set<String> declared = new java.util.HashSet<>();
            template.variables().forEach(v -> declared.add(v.name()));
            return Optional.of(new SnapshotFacts(PackerCache.snapshotDigest(snapshot.directory()), declared,
                    PackerCache.referencedPaths(template.files())));
        } catch (IOException | RuntimeException e) {
            // a template Kiln cannot read is validated every time; packer says what is wrong with it
            return Optional.empty();
        }
    }

    /** What makes two builds validate alike: template, build, variables, fields set, and Kiln's values of the target. */
    private static String validationKey(BuildJob j) {
        StringBuilder key = new StringBuilder(j.image().template().toAbsolutePath().normalize().toString());
        key.append('\n').append(j.connection().build());
        new java.util.TreeMap<>(j.connection().variables()).forEach((k, v) -> key.append('\n').append(k).append('=')
                .append(Values.show(v)));
        key.append('\n').append(new java.util.TreeSet<>(j.connection().fields().keySet()));
        key.append('\n').append(j.target().key()).append('\n').append(j.environment());
        return key.toString();
    }

    /** One {@code packer validate} to run, or known to have passed; {@link #verdict} is its outcome once known. */
    private static final class Validation {
        final List<BuildJob> jobs;
        final int n;
        final Path dir;
        final TemplateSnapshots.Snapshot snapshot;
        final Map<String, Object> variables;
        final Map<String, String> env;
        final Redactor redactor;
        final Path exe;
        final String what;
        /** The hash of all that decides the verdict, or null when Kiln cannot tell (then it is always run). */
        final String key;
        Path validated;
        Path varFile;
        Path output;
        Commands.Started started;
        Optional<Refusal> verdict;

        Validation(List<BuildJob> jobs, int n, Path dir, TemplateSnapshots.Snapshot snapshot,
                   Map<String, Object> variables, Map<String, String> env, Redactor redactor, Path exe, String what,
                   String key) {
            this.jobs = jobs;
            this.n = n;
            this.dir = dir;
            this.snapshot = snapshot;
            this.variables = variables;
            this.env = env;
            this.redactor = redactor;
            this.exe = exe;
            this.what = what;
            this.key = key;
        }

        BuildJob job() {
            return jobs.get(0);
        }

        Path template() {
            return job().image().template().toAbsolutePath().normalize();
        }

        Set<String> ids() {
            Set<String> ids = new LinkedHashSet<>();
            jobs.forEach(j -> ids.add(j.id().value()));
            return ids;
        }

        Refusal refusal(String message) {
            return new Refusal(template().toString(), Refusal.Kind.TEMPLATE_INVALID, message, null, ids());
        }
    }

    /** A build's validation as it will run: the snapshot, from the snapshot's directory, with the build's variables. */
    private Validation validation(List<BuildJob> jobs, String runId, Path dir, TemplateSnapshots.Snapshot snapshot,
            Path exe, int n, Function<BuildJob, Map<String, String>> environment, String packer,
            Map<Path, Optional<SnapshotFacts>> facts) {
        BuildJob job = jobs.get(0);
        Path template = job.image().template().toAbsolutePath().normalize();
        Map<String, Object> variables = new LinkedHashMap<>(job.connection().variables());
        variables.putAll(kilnVariables(job, runId));
        variables = forTemplate(job, variables);
        Map<String, String> env = baseEnv();
        env.putAll(environment.apply(job));
        Redactor r = redactor.withSecrets(sensitiveValues(job, null, variables)).withSecretsFrom(env);
        String what = template + " -only=" + job.connection().build() + " (image '" + job.image().name() + "', "
                + (jobs.size() == 1 ? "build " + job.id() : jobs.size() + " builds, with the variables of " + job.id())
                + ")";
        String key = null;
        Optional<SnapshotFacts> known = facts.computeIfAbsent(snapshot.directory(), d -> facts(snapshot));
        if (known.isPresent()) {
            Map<String, Object> declared = new TreeMap<>();
            List<String> undeclared = new ArrayList<>();
            variables.forEach((name, value) -> {
                if (known.get().declared().contains(name)) {
                    declared.put(name, value);
                } else {
                    undeclared.add(name);
                }
            });
            StringBuilder fields = new StringBuilder();
            new TreeMap<>(job.connection().fields()).forEach((k, v) -> fields.append(k).append('=')
                    .append(Values.show(v)).append('\n'));
            key = PackerCache.key(new PackerCache.Inputs(packer, known.get().digest(), fields.toString(),
                    snapshot.directory().relativize(snapshot.template()) + "\n" + job.connection().build(), declared,
                    undeclared, env, known.get().referencedPaths()));
        }
        return new Validation(jobs, n, dir, snapshot, variables, env, r, exe, what, key);
    }

    /** Runs these validations, {@link #VALIDATIONS_AT_ONCE} at a time, each ending with its verdict. */
    private void runAll(List<Validation> validations) {
        java.util.ArrayDeque<Validation> running = new java.util.ArrayDeque<>();
        for (Validation v : validations) {
            if (running.size() >= VALIDATIONS_AT_ONCE) {
                finish(running.poll());
            }
            start(v);
            if (v.verdict == null) {
                running.add(v);
            }
        }
        while (!running.isEmpty()) {
            finish(running.poll());
        }
    }

    private void start(Validation v) {
        BuildJob job = v.job();
        try {
            v.validated = v.snapshot.template();
            if (!job.connection().fields().isEmpty()) {
                v.validated = v.dir.resolve(".kiln-validate-" + v.n + "-" + v.template().getFileName());
                Files.copy(v.snapshot.template(), v.validated, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                TemplateCopy.write(v.validated, job.connection().builderIndex(), job.connection().fields());
            }
            v.varFile = Files0600.writeVarFile(v.dir, VALIDATE_VAR_FILE_PREFIX, v.variables);
            v.output = Files0600.createTempFile(v.dir, VALIDATE_VAR_FILE_PREFIX + "out-", ".txt");
            v.started = commands.start(List.of(v.exe.toString(), "validate",
                    "-machine-readable", "-only=" + job.connection().build(), "-var-file=" + v.varFile.toAbsolutePath(),
                    v.validated.toString()), v.snapshot.directory(), v.env, settings.commandTimeout(), v.output);
        } catch (IOException e) {
            v.verdict = Optional.of(v.refusal("could not run packer validate on " + v.what + ": "
                    + v.redactor.redact(String.valueOf(e.getMessage()))));
            cleanUp(v);
        }
    }

    private void finish(Validation v) {
        try {
            Commands.Result result = commands.await(v.started, MAX_COMMAND_LINES);
            v.verdict = judge(v, result);
        } catch (IOException e) {
            v.verdict = Optional.of(v.refusal("could not run packer validate on " + v.what + ": "
                    + v.redactor.redact(String.valueOf(e.getMessage()))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            v.verdict = Optional.of(v.refusal("interrupted while validating " + v.what));
        } finally {
            cleanUp(v);
        }
    }

    private Optional<Refusal> judge(Validation v, Commands.Result result) throws IOException {
        if (result.timedOut()) {
            return Optional.of(v.refusal("packer validate " + v.what + " did not finish within "
                    + settings.commandTimeout()));
        }
        if (result.exitCode() == 0) {
            return Optional.empty();
        }
        // packer names the snapshot's files; the team knows them where they wrote them
        String said = validationMessage(result.lines()).replace(v.snapshot.directory().toString(),
                v.snapshot.source().toString());
        ValidateOutput.Message message = ValidateOutput.of(said, Files.readAllLines(v.varFile), v.job().image());
        String rejected = "packer validate rejected " + v.what + ": ";
        return Optional.of(new Refusal(v.template().toString(), Refusal.Kind.TEMPLATE_INVALID,
                rejected + v.redactor.redact(message.concise()), rejected + v.redactor.redact(message.full()), v.ids()));
    }

    private static void cleanUp(Validation v) {
        for (Path p : new Path[] {v.varFile, v.output}) {
            if (p != null) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left in the run directory, 0600; the run directory is Kiln's own
                }
            }
        }
    }

    private static String validationMessage(List<String> lines) {
        List<String> errors = new ArrayList<>();
        for (String line : lines) {
            if (MachineReadable.isErrorLine(line)) {
                errors.add(MachineReadable.text(line).strip());
            }
        }
        if (errors.isEmpty()) {
            for (String line : lines) {
                String text = MachineReadable.text(line).strip();
                if (!text.isEmpty()) {
                    errors.add(text);
                }
            }
        }
        String joined = String.join("\n", errors).replaceAll("\\n{3,}", "\n\n");
        return joined.isEmpty() ? "(packer printed nothing)" : joined;
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
        TemplateSnapshots.Snapshot snapshot = snapshots.get(snapshotKey(runIdsByBuildId.get(job.buildId()), job));
        if (snapshot == null) {
            return new RunningBuild.Prepared(template(job, request, job.image().template().toAbsolutePath(),
                    workspace), workspace);
        }
        TemplateSnapshots.Snapshot own = snapshot.copyTo(workspace.resolve("src-" + request.attempt()));
        return new RunningBuild.Prepared(template(job, request, own.template(), own.directory()), own.directory());
    }

    private static Path key(BuildJob job) {
        return job.image().template().toAbsolutePath().normalize();
    }

    private static String snapshotKey(String runId, BuildJob job) {
        return runId + "\n" + key(job);
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
        Files.copy(template, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
    private static Map<String, Object> forTemplate(BuildJob job, Map<String, Object> variables) {
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

    private static List<String> sensitiveValues(BuildJob job, BuildRequest request, Map<String, Object> variables) {
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

    private Map<String, String> baseEnv() {
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
        Map<String, String> env = baseEnv();
        env.put("PACKER_LOG", "1");
        env.putAll(request.env());
        // The debug log holds whatever packer and its plugins print, secrets included: it comes to
        // Kiln through the stderr pipe, to be redacted, and never lands in a file of packer's own.
        env.put("PACKER_LOG_PATH", "/dev/stderr");
        return env;
    }
}
