package dev.kiln.internal.packer;

import dev.kiln.KilnException;
import dev.kiln.packer.PackerVersion;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PackerPins;
import dev.kiln.spi.Refusal;
import dev.kiln.template.PackerTemplate;
import dev.kiln.template.RequiredPlugin;
import dev.kiln.template.VersionRequirement;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Preflight's plugin checks: the plan's plugin pins, and what each template asks of packer and its
 * plugins ({@code required_version}, {@code required_plugins}), against the plugins packer would find.
 * Apart from the runner because it answers one question before any build starts (can this packer
 * and its plugins serve the plan?) and keeps nothing: it shares with the runner only how a short
 * command runs.
 */
final class PluginChecks {

    private static final PackerVersion PLUGINS_COMMAND_SINCE = PackerVersion.of(1, 8, 0);
    private static final PackerVersion REQUIRED_PLUGINS_SINCE = PackerVersion.of(1, 7, 0);

    private final RunnerSettings settings;
    private final Commands commands;

    PluginChecks(RunnerSettings settings, Commands commands) {
        this.settings = settings;
        this.commands = commands;
    }

    /** The plan's plugin pins, then its templates' requirements, each refused where this packer cannot meet it. */
    List<Refusal> check(BuildPlan plan, Path exe, PackerVersion version) {
        List<Refusal> refusals = new ArrayList<>(checkPlugins(plan.pins(), exe, version));
        refusals.addAll(checkTemplateRequirements(plan, plan.pins(), exe, version));
        return refusals;
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
        List<Path> deep = pluginDirectories(settings);
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
            jobsByTemplate.computeIfAbsent(j.image().template().toAbsolutePath().normalize(), k -> new LinkedHashSet<>())
                    .add(j.id().value());
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
            Commands.Result r = commands.run(List.of(p.binary().toString(), "describe"), null,
                    DefaultProcessRunner.baseEnv(settings), settings.commandTimeout(),
                    DefaultProcessRunner.MAX_COMMAND_LINES);
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
            Commands.Result r = commands.run(List.of(exe.toString(), "plugins", "installed"), null,
                    DefaultProcessRunner.baseEnv(settings), settings.commandTimeout(),
                    DefaultProcessRunner.MAX_COMMAND_LINES);
            return r.exitCode() == 0 ? Plugins.fromInstalledListing(r.lines()) : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Where packer looks for plugins besides its own directory; what packer validate finds depends on them too. */
    static List<Path> pluginDirectories(RunnerSettings settings) {
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
}
