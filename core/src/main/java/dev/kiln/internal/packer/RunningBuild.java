package dev.kiln.internal.packer;

import dev.kiln.packer.Artifact;
import dev.kiln.packer.PackerEvent;
import dev.kiln.packer.Redactor;
import dev.kiln.spi.BuildCallbacks;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.BuildHandle;
import dev.kiln.spi.BuildRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code packer build} process and the two threads that read its output. Whatever happens —
 * exit, failure to start, timeout, cancellation, a stream held open by an orphan — {@link #finish}
 * runs once and calls {@link BuildCallbacks#onExit} once.
 */
final class RunningBuild implements BuildHandle {

    private static final Logger LOG = LoggerFactory.getLogger(RunningBuild.class);
    private static final Pattern LOG_TIMESTAMP = Pattern.compile("^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d ");
    private static final int MAX_ERRORS = 100;
    /** How often the process tree is looked at while packer runs, so it is known after packer dies. */
    private static final Duration TREE_WATCH = Duration.ofSeconds(1);
    static final int EXIT_NOT_STARTED = 127;

    private final DefaultProcessRunner runner;
    private final BuildRequest request;
    private final BuildCallbacks callbacks;
    private final Redactor redactor;
    private final AlarmClock clock;
    private final Executor executor;
    private final RunnerSettings settings;

    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private final AtomicInteger openStreams = new AtomicInteger(2);
    private final List<Artifact> streamArtifacts = new ArrayList<>();
    private final Deque<String> errors = new ArrayDeque<>();
    /** Whether packer said a build was under way: its failures are then not the template's. */
    private volatile boolean buildStarted;
    private final Object logLock = new Object();

    private volatile boolean cancelled;
    private volatile boolean timedOut;
    private volatile boolean killed;
    /** packer exited and processes it started lived on: they were killed, and the build waits for them to go. */
    private volatile boolean leftBehind;
    private final Object survivorsLock = new Object();
    /** Set once packer has exited and nothing of its tree was alive: a tree of none cannot start anything again. */
    private boolean treeGone;
    private Process process;
    private ProcessTree tree;
    private Path varFile;
    private Writer log;
    private Manifest manifest;
    private AlarmClock.Alarm timeoutAlarm;
    private volatile AlarmClock.Alarm graceAlarm;
    private volatile AlarmClock.Alarm drainAlarm;

    RunningBuild(DefaultProcessRunner runner, BuildRequest request, BuildCallbacks callbacks, Redactor redactor,
                 AlarmClock clock, Executor executor, RunnerSettings settings) {
        this.runner = runner;
        this.request = request;
        this.callbacks = callbacks;
        this.redactor = redactor;
        this.clock = clock;
        this.executor = executor;
        this.settings = settings;
    }

    /** Makes the build's workspace ready and says which template packer runs, and from where. */
    interface Preparation {
        Prepared prepare(Path workspace) throws IOException;
    }

    /** The template packer runs and the directory it runs in (where relative paths resolve, manifests land). */
    record Prepared(Path template, Path directory) {
    }

    /** Starts packer; never throws: a build that cannot start still ends through {@code onExit}. */
    void launch(List<String> argvWithoutVarFile, Preparation preparation, Map<String, String> env,
                Map<String, ?> variables, String cannotStart) {
        try {
            synchronized (logLock) {
                log = Files0600.openLog(request.logFile());
            }
            if (cannotStart != null) {
                throw new IOException(cannotStart);
            }
            Files0600.createDirectories(request.workspace());
            Prepared prepared = preparation.prepare(request.workspace());
            Path template = prepared.template();
            manifest = Manifest.before(prepared.directory());
            varFile = Files0600.writeVarFile(request.workspace(), ".kiln-vars-" + request.attempt() + "-", variables);
            List<String> argv = new ArrayList<>(argvWithoutVarFile);
            argv.add("-var-file=" + varFile.toAbsolutePath());
            argv.add(template.toAbsolutePath().toString());
            List<String> started = ProcessTree.inOwnGroup(argv);
            ProcessBuilder pb = new ProcessBuilder(started).directory(prepared.directory().toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            note("kiln: starting " + String.join(" ", argv) + " in " + prepared.directory());
            process = pb.start();
            tree = ProcessTree.of(process, started);
        } catch (IOException | RuntimeException e) {
            failToStart(e);
            return;
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // packer reads nothing from us; a stdin that will not close does no harm
        }
        process.onExit().thenRun(this::exited);
        long now = clock.time().nanoTime();
        try {
            timeoutAlarm = clock.schedule(saturatedAdd(now, request.timeout()), this::timeout);
            clock.schedule(now + TREE_WATCH.toNanos(), this::watchTree);
            executor.execute(() -> pump(process.getInputStream(), true));
            executor.execute(() -> pump(process.getErrorStream(), false));
        } catch (RejectedExecutionException e) {
            note("kiln: no thread to read packer's output (" + e.getMessage() + "); killing it");
            killed = true;
            tree.kill();
            openStreams.set(0);
            finishAfterExit();
        }
    }

    @Override
    public void cancel() {
        if (finished.get() || process == null || !cancelRequested.compareAndSet(false, true)) {
            return;
        }
        cancelled = true;
        clock.schedule(clock.time().nanoTime(), () -> {
            if (finished.get()) {
                return;
            }
            note("kiln: cancelled; sending SIGINT to packer and every process it started");
            tree.interrupt(settings.commandTimeout());
            graceAlarm = clock.schedule(saturatedAdd(clock.time().nanoTime(), request.gracePeriod()), () -> {
                if (!finished.get() && process.isAlive()) {
                    note("kiln: packer still running " + request.gracePeriod() + " after SIGINT; killing it");
                    killed = true;
                    tree.kill();
                }
            });
        });
    }

    @Override
    public OptionalLong pid() {
        Process p = process;
        return p == null ? OptionalLong.empty() : OptionalLong.of(p.pid());
    }

    /** Kills the build now, as when the runner closes. */
    void abort() {
        if (finished.get() || process == null) {
            return;
        }
        cancelled = true;
        killed = true;
        note("kiln: runner closing; killing packer and every process it started");
        tree.kill();
    }

    boolean isFinished() {
        return finished.get();
    }

    String describe() {
        return request.job().id() + " attempt " + request.attempt();
    }

    // A packer killed from outside (kill -9, the OOM killer) leaves its real process, its plugins
    // and their scripts running, orphaned: they can only be found through a tree seen earlier, and
    // they must be stopped before the build is swept, or they go on creating what the sweep missed.
    // So the tree is looked at on packer's output and every second while it is quiet.
    private void watchTree() {
        if (finished.get() || !process.isAlive()) {
            return;
        }
        tree.snapshot();
        try {
            clock.schedule(clock.time().nanoTime() + TREE_WATCH.toNanos(), this::watchTree);
        } catch (RejectedExecutionException e) {
            // the runner is closing, and kills what it runs
        }
    }

    private void timeout() {
        if (finished.get()) {
            return;
        }
        timedOut = !cancelled;
        killed = true;
        note("kiln: build exceeded its timeout of " + request.timeout() + "; killing packer and every process it started");
        tree.kill();
    }

    private void pump(InputStream in, boolean stdout) {
        UnaryOperator<String> filter = redactor.lineFilter();
        MachineReadable.Parser parser = new MachineReadable.Parser(() -> clock.time().now());
        try (InputStreamReader stream = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            BoundedLines reader = new BoundedLines(stream);
            String line;
            while ((line = reader.readLine()) != null) {
                // The first line comes from packer's real process, not its wrapper: seen now, it
                // and all it starts can be found even if the wrapper is killed a moment later. In
                // a process group of its own they stay in the group, and are found there.
                if (!tree.grouped()) {
                    tree.snapshotIfOlderThan(clock.time().nanoTime(), TREE_WATCH.toNanos());
                }
                String safe = filter.apply(line);
                write(safe);
                if (stdout) {
                    stdoutLine(parser, safe);
                } else {
                    stderrLine(safe);
                }
            }
        } catch (IOException e) {
            // The pipe broke: the process is gone, and its exit is handled where it is seen.
        } catch (RuntimeException e) {
            LOG.warn("Reading packer's output for {} failed", describe(), e);
        } finally {
            if (openStreams.decrementAndGet() == 0) {
                finishAfterExit();
            }
        }
    }

    private void stdoutLine(MachineReadable.Parser parser, String safe) {
        Optional<PackerEvent> parsed = parser.parse(safe);
        if (parsed.isEmpty()) {
            return;
        }
        PackerEvent event = redact(parsed.get());
        String throttleText = null;
        if (event instanceof PackerEvent.ArtifactReady a) {
            synchronized (streamArtifacts) {
                streamArtifacts.add(a.artifact());
            }
        } else if (event instanceof PackerEvent.Error e) {
            // The end-of-run summary repeats each build's error behind "-->".
            if (!e.text().startsWith("--> ") && !e.text().startsWith("==> Some builds didn't complete")) {
                error(e.text());
                throttleText = e.text();
            }
        } else if (event instanceof PackerEvent.BuildErrored e) {
            if (!e.build().isEmpty() && !e.text().isEmpty()) {
                error(e.text());
            }
        } else if (event instanceof PackerEvent.Say say) {
            throttleText = say.text().startsWith("--> ") ? null : say.text();
            if (!buildStarted && OutputPatterns.showsBuildStarted(say.text())) {
                buildStarted = true;
            }
        } else if (event instanceof PackerEvent.Message m) {
            throttleText = m.text();
        } else if (event instanceof PackerEvent.Unparsed u) {
            throttleText = u.line();
        }
        if (throttleText != null && OutputPatterns.isThrottle(throttleText)) {
            throttle(throttleText);
        }
        try {
            callbacks.onEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("A BuildCallbacks.onEvent for {} failed", describe(), e);
        }
    }

    // The debug log repeats every machine-readable line behind a timestamp; those were seen on
    // stdout already. Everything else there (SDK retries, plugin logs) is news.
    private void stderrLine(String safe) {
        String rest = LOG_TIMESTAMP.matcher(safe).replaceFirst("");
        if (MachineReadable.isMachineReadable(rest)) {
            return;
        }
        if (OutputPatterns.isThrottle(rest)) {
            throttle(rest);
        }
    }

    private void throttle(String text) {
        try {
            callbacks.onThrottle(OutputPatterns.throttledApi(text).orElse(null));
        } catch (RuntimeException e) {
            LOG.warn("A BuildCallbacks.onThrottle for {} failed", describe(), e);
        }
    }

    private void error(String text) {
        synchronized (errors) {
            if (errors.contains(text)) {
                return;
            }
            errors.addLast(text);
            while (errors.size() > MAX_ERRORS) {
                errors.removeFirst();
            }
        }
    }

    private PackerEvent redact(PackerEvent e) {
        if (e instanceof PackerEvent.Say s) {
            return new PackerEvent.Say(s.at(), s.build(), redactor.redact(s.text()));
        } else if (e instanceof PackerEvent.Message m) {
            return new PackerEvent.Message(m.at(), m.build(), redactor.redact(m.text()));
        } else if (e instanceof PackerEvent.Error x) {
            return new PackerEvent.Error(x.at(), x.build(), redactor.redact(x.text()));
        } else if (e instanceof PackerEvent.BuildErrored b) {
            return new PackerEvent.BuildErrored(b.at(), b.build(), redactor.redact(b.text()));
        } else if (e instanceof PackerEvent.Unparsed u) {
            return new PackerEvent.Unparsed(u.at(), redactor.redact(u.line()));
        } else if (e instanceof PackerEvent.Other o) {
            return new PackerEvent.Other(o.at(), o.target(), o.type(), o.data().stream().map(redactor::redact).toList());
        } else if (e instanceof PackerEvent.ArtifactReady a) {
            Artifact artifact = a.artifact();
            return new PackerEvent.ArtifactReady(a.at(), new Artifact(artifact.buildName(), artifact.builderId(),
                    redactor.redact(artifact.id()), artifact.files()));
        }
        return e;
    }

    private void exited() {
        deleteVarFile();
        killLeftBehind();
        if (finished.get()) {
            return;
        }
        // Streams normally close right after the exit; an orphan that inherited them may keep
        // them open, and must not keep the build from ending.
        try {
            drainAlarm = clock.schedule(saturatedAdd(clock.time().nanoTime(), settings.drainTimeout()), () -> {
                if (!finished.get()) {
                    note("kiln: packer exited but a process it started still holds its output open; ending the build");
                    runAsync(this::finish);
                }
            });
            if (finished.get()) {
                drainAlarm.cancel();
            }
        } catch (RejectedExecutionException e) {
            // The runner is closing; the readers end the build.
        }
    }

    /**
     * Whatever packer started must not outlive it: scripts a graceful exit left behind (holding our
     * pipes open, or detached), or all of packer's own processes when only its wrapper was killed.
     * Called when packer's exit is seen and again as the build ends: its output can close, and the
     * build end, before the exit handler has run. Once it has found nothing alive, there is nothing
     * left that could start a process, and it does not look again.
     */
    private void killLeftBehind() {
        synchronized (survivorsLock) {
            if (treeGone) {
                return;
            }
            int survivors = tree.survivors();
            treeGone = survivors == 0;
            if (survivors > 0) {
                // Set before the kill: the kill closes packer's output, and the build must then wait for them.
                leftBehind = true;
                if (!cancelled && !timedOut && !killed) {
                    note("kiln: packer ended and left " + survivors + " of its processes running; killing them");
                }
                tree.killSurvivors();
            }
        }
    }

    private void finishAfterExit() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finish();
    }

    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        cancelAlarm(timeoutAlarm);
        cancelAlarm(graceAlarm);
        cancelAlarm(drainAlarm);
        if (!process.isAlive()) {
            killLeftBehind();
        }
        if (cancelled || timedOut || killed || leftBehind) {
            tree.killSurvivors();
            try {
                if (!tree.awaitGone(clock.time(), settings.commandTimeout())) {
                    note("kiln: some processes of " + tree + " did not die");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteVarFile();
        int exitCode = killed ? -1 : process.isAlive() ? -1 : process.exitValue();
        List<Artifact> artifacts;
        synchronized (streamArtifacts) {
            artifacts = Manifest.merge(List.copyOf(streamArtifacts), manifest.artifacts().stream()
                    .map(a -> new Artifact(a.buildName(), a.builderId(), redactor.redact(a.id()), a.files())).toList());
        }
        List<String> errorLines;
        synchronized (errors) {
            errorLines = List.copyOf(errors);
        }
        note("kiln: packer ended with exit code " + exitCode + (timedOut ? " (timed out)" : "")
                + (cancelled ? " (cancelled)" : ""));
        closeLog();
        deliver(new BuildExit(exitCode, artifacts, errorLines, timedOut, cancelled, Optional.empty(), buildStarted));
    }

    private void failToStart(Exception e) {
        String reason = redactor.redact(String.valueOf(e.getMessage()));
        note("kiln: could not start packer: " + reason);
        deleteVarFile();
        closeLog();
        finished.set(true);
        BuildExit exit = new BuildExit(EXIT_NOT_STARTED, List.of(), List.of("could not start packer: " + reason),
                false, false, Optional.empty());
        runAsync(() -> deliver(exit));
    }

    private void deliver(BuildExit exit) {
        runner.ended(this);
        try {
            callbacks.onExit(exit);
        } catch (RuntimeException e) {
            LOG.warn("A BuildCallbacks.onExit for {} failed", describe(), e);
        }
    }

    private void runAsync(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private void deleteVarFile() {
        Path file;
        synchronized (this) {
            file = varFile;
            varFile = null;
        }
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                note("kiln: could not delete the var-file " + file + ": " + e.getClass().getSimpleName());
            }
        }
    }

    private void note(String line) {
        write(redactor.redact(line));
    }

    private void write(String line) {
        synchronized (logLock) {
            if (log == null) {
                return;
            }
            try {
                log.write(line);
                log.write('\n');
                log.flush();
            } catch (IOException e) {
                LOG.warn("Writing the packer log {} failed; it stays incomplete", request.logFile(), e);
                closeLog();
            }
        }
    }

    private void closeLog() {
        synchronized (logLock) {
            if (log != null) {
                try {
                    log.close();
                } catch (IOException e) {
                    LOG.warn("Closing the packer log {} failed", request.logFile(), e);
                }
                log = null;
            }
        }
    }

    private static void cancelAlarm(AlarmClock.Alarm alarm) {
        if (alarm != null) {
            alarm.cancel();
        }
    }

    // A deadline far enough away to be never, without overflowing the clock's arithmetic.
    private static long saturatedAdd(long nanos, Duration d) {
        long limit = Long.MAX_VALUE / 4;
        long add = d.compareTo(Duration.ofNanos(limit)) > 0 ? limit : Math.max(0, d.toNanos());
        return nanos + add;
    }
}
