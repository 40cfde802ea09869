package dev.kiln.internal.packer;

import dev.kiln.internal.plan.Values;
import dev.kiln.packer.PackerVersion;
import dev.kiln.packer.Redactor;
import dev.kiln.plan.BuildJob;
import dev.kiln.spi.Refusal;
import dev.kiln.template.PackerTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Preflight's {@code packer validate} of each distinct build, against the run's template snapshots:
 * which builds validate alike, which passed before ({@link PackerCache}), running several at once,
 * and turning what packer said into refusals. Apart from the runner because it ends with preflight:
 * its var-files, outputs and processes are gone before any build starts, and what it remembers is
 * in the runs directory's cache, not in the runner.
 */
final class Validations {

    /** The start of the name of the var-file {@code packer validate} is given, deleted right after. */
    static final String VALIDATE_VAR_FILE_PREFIX = ".kiln-validate-";
    /** packer validate starts packer and its plugins, mostly waiting on each other: a few at once pay off even on 2 cores. */
    private static final int VALIDATIONS_AT_ONCE = Math.max(4, Runtime.getRuntime().availableProcessors());

    private final RunnerSettings settings;
    private final Redactor redactor;
    private final Commands commands;
    private final RunSnapshots snapshots;

    Validations(RunnerSettings settings, Redactor redactor, Commands commands, RunSnapshots snapshots) {
        this.settings = settings;
        this.redactor = redactor;
        this.commands = commands;
        this.snapshots = snapshots;
    }

    /**
     * Validates each distinct build of the plan once: its template, the build {@code -only=} selects, and
     * the variables it gets (the image's, its target's and environment's, Kiln's of its region), so a
     * build is judged with its own values, whatever other images or builds share the template. Builds
     * whose inputs are the same in all that decides the verdict ({@link PackerCache}) are validated
     * once, and not at all when they passed in an earlier run; the rest run several at once.
     */
    List<Refusal> validate(List<BuildJob> jobsToValidate, String runId, Path runDirectory, Path exe,
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
        PackerCache cache = PackerCache.of(runDirectory, settings);
        String packer = PackerCache.packerIdentity(exe, version.toString(),
                PluginChecks.pluginDirectories(settings));
        Batch batch = new Batch(packer, DefaultProcessRunner.baseEnv(settings));
        List<Validation> all = new ArrayList<>();
        int n = 0;
        for (List<BuildJob> jobs : combinations.values()) {
            TemplateSnapshots.Snapshot snapshot = snapshots.of(runId, jobs.get(0));
            if (snapshot != null) {
                all.add(validation(jobs, runId, dir, snapshot, exe, ++n, environment, batch));
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
            Set<String> declared = new HashSet<>();
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
        new TreeMap<>(j.connection().variables()).forEach((k, v) -> key.append('\n').append(k).append('=')
                .append(Values.show(v)));
        key.append('\n').append(new TreeSet<>(j.connection().fields().keySet()));
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
        /** The run's redactor; this validation's own, with its secrets, is made only when a message needs it. */
        final Redactor runRedactor;
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
                   Map<String, Object> variables, Map<String, String> env, Redactor runRedactor, Path exe, String what,
                   String key) {
            this.jobs = jobs;
            this.n = n;
            this.dir = dir;
            this.snapshot = snapshot;
            this.variables = variables;
            this.env = env;
            this.runRedactor = runRedactor;
            this.exe = exe;
            this.what = what;
            this.key = key;
        }

        BuildJob job() {
            return jobs.get(0);
        }

        /**
         * Masks this validation's secrets: its sensitive variables and the environment's secret-looking
         * values. Made on demand because most validations pass, and a 5,000-build plan's thousands of
         * validations each scanned the whole environment for secrets they never had to mask.
         */
        Redactor redactor() {
            return runRedactor.withSecrets(DefaultProcessRunner.sensitiveValues(job(), null, variables))
                    .withSecretsFrom(env);
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

    /**
     * What the validations of one preflight share, each made once: packer's identity, the base of
     * every validation's environment, each snapshot's facts, and the key of each set of inputs (a
     * 50,000-build plan has 50,000 validations to key and 50 distinct keys).
     */
    private static final class Batch {
        final String packer;
        final Map<String, String> baseEnv;
        final Map<Path, Optional<SnapshotFacts>> facts = new HashMap<>();
        final Map<PackerCache.Inputs, String> keys = new HashMap<>();

        Batch(String packer, Map<String, String> baseEnv) {
            this.packer = packer;
            this.baseEnv = baseEnv;
        }
    }

    /** A build's validation as it will run: the snapshot, from the snapshot's directory, with the build's variables. */
    private Validation validation(List<BuildJob> jobs, String runId, Path dir, TemplateSnapshots.Snapshot snapshot,
            Path exe, int n, Function<BuildJob, Map<String, String>> environment, Batch batch) {
        BuildJob job = jobs.get(0);
        Path template = job.image().template().toAbsolutePath().normalize();
        Map<String, Object> variables = new LinkedHashMap<>(job.connection().variables());
        variables.putAll(DefaultProcessRunner.kilnVariables(job, runId));
        variables = DefaultProcessRunner.forTemplate(job, variables);
        Map<String, String> env = new HashMap<>(batch.baseEnv);
        env.putAll(environment.apply(job));
        String what = template + " -only=" + job.connection().build() + " (image '" + job.image().name() + "', "
                + (jobs.size() == 1 ? "build " + job.id() : jobs.size() + " builds, with the variables of " + job.id())
                + ")";
        String key = null;
        Optional<SnapshotFacts> known = batch.facts.computeIfAbsent(snapshot.directory(), d -> facts(snapshot));
        if (known.isPresent()) {
            List<String> runUnique = runUnique(job, runId);
            Map<String, Object> declared = new TreeMap<>();
            List<String> undeclared = new ArrayList<>();
            variables.forEach((name, value) -> {
                if (known.get().declared().contains(name)) {
                    declared.put(name, shaped(Values.show(value), runUnique));
                } else {
                    undeclared.add(name);
                }
            });
            StringBuilder fields = new StringBuilder();
            new TreeMap<>(job.connection().fields()).forEach((k, v) -> fields.append(k).append('=')
                    .append(shaped(Values.show(v), runUnique)).append('\n'));
            key = batch.keys.computeIfAbsent(new PackerCache.Inputs(batch.packer, known.get().digest(),
                    fields.toString(), snapshot.directory().relativize(snapshot.template()) + "\n"
                    + job.connection().build(), declared, undeclared, env, known.get().referencedPaths()),
                    PackerCache::key);
        }
        return new Validation(jobs, n, dir, snapshot, variables, env, redactor, exe, what, key);
    }

    /** The strings only this run gives a build, longest first: its image name, its build id, the run id. */
    private static List<String> runUnique(BuildJob job, String runId) {
        List<String> unique = new ArrayList<>();
        for (String s : new String[] {job.imageName(), job.buildId(), runId}) {
            if (s != null && !s.isEmpty()) {
                unique.add(s);
            }
        }
        unique.sort(Comparator.comparingInt(String::length).reversed());
        return unique;
    }

    /**
     * A value as a validation's key sees it: each of the build's run-unique strings in it (its image
     * name, build id and the run id, which every run makes anew) replaced by its shape: its first
     * character by {@code a}, {@code A} or {@code 0} (a lower-case letter, an upper-case letter, a
     * digit), each later lower-case letter or digit by {@code a}, each later upper-case letter by
     * {@code A}, other characters kept. What packer's validation checks of such a name is its length
     * and its characters (an AMI name's allowed characters, a Compute Engine name's leading letter
     * and lower case), which the shape keeps; where in a random run id its digits fall is no rule of
     * any cloud's, and a shape that kept it was new at every run ({@code k} and 7 random base-36
     * characters). So a template that names its image or tags its build with Kiln's values passed
     * for the next run too, instead of being validated again by every run.
     */
    static String shaped(String value, List<String> runUnique) {
        String out = value;
        for (String u : runUnique) {
            if (out.contains(u)) {
                out = out.replace(u, shape(u));
            }
        }
        return out;
    }

    private static String shape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isUpperCase(c) ? 'A'
                : Character.isDigit(c) ? (b.isEmpty() ? '0' : 'a') : Character.isLetter(c) ? 'a' : c));
        return b.toString();
    }

    /** Runs these validations, {@link #VALIDATIONS_AT_ONCE} at a time, each ending with its verdict. */
    private void runAll(List<Validation> validations) {
        ArrayDeque<Validation> running = new ArrayDeque<>();
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
                Files.copy(v.snapshot.template(), v.validated, StandardCopyOption.REPLACE_EXISTING);
                TemplateCopy.write(v.validated, job.connection().builderIndex(), job.connection().fields());
            }
            v.varFile = Files0600.writeVarFile(v.dir, VALIDATE_VAR_FILE_PREFIX, v.variables);
            v.output = Files0600.createTempFile(v.dir, VALIDATE_VAR_FILE_PREFIX + "out-", ".txt");
            v.started = commands.start(List.of(v.exe.toString(), "validate",
                    "-machine-readable", "-only=" + job.connection().build(), "-var-file=" + v.varFile.toAbsolutePath(),
                    v.validated.toString()), v.snapshot.directory(), v.env, settings.commandTimeout(), v.output);
        } catch (IOException e) {
            v.verdict = Optional.of(v.refusal("could not run packer validate on " + v.what + ": "
                    + v.redactor().redact(String.valueOf(e.getMessage()))));
            cleanUp(v);
        }
    }

    private void finish(Validation v) {
        try {
            Commands.Result result = commands.await(v.started, DefaultProcessRunner.MAX_COMMAND_LINES);
            v.verdict = judge(v, result);
        } catch (IOException e) {
            v.verdict = Optional.of(v.refusal("could not run packer validate on " + v.what + ": "
                    + v.redactor().redact(String.valueOf(e.getMessage()))));
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
        Redactor redactor = v.redactor();
        return Optional.of(new Refusal(v.template().toString(), Refusal.Kind.TEMPLATE_INVALID,
                rejected + redactor.redact(message.concise()), rejected + redactor.redact(message.full()), v.ids()));
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
}
