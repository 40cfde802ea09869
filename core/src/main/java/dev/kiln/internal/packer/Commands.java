package dev.kiln.internal.packer;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a short packer command (version, validate, plugins) to completion, killed at its timeout:
 * read as it runs, or ({@link #start}) written to a file, so that several run at once without a
 * thread each.
 */
final class Commands {

    /** What a command printed (stdout and stderr together) and how it ended. */
    record Result(int exitCode, List<String> lines, boolean timedOut) {
        Result {
            lines = List.copyOf(lines);
        }

        String firstLine() {
            return lines.isEmpty() ? "(no output)" : lines.get(0);
        }
    }

    private final AlarmClock clock;

    Commands(AlarmClock clock) {
        this.clock = clock;
    }

    /**
     * Runs {@code argv} in {@code cwd} with exactly the environment {@code env}; output lines beyond
     * {@code maxLines} are dropped.
     *
     * @throws IOException when the command cannot be started
     */
    Result run(List<String> argv, Path cwd, Map<String, String> env, Duration timeout, int maxLines)
            throws IOException, InterruptedException {
        List<String> grouped = ProcessTree.inOwnGroup(argv);
        ProcessBuilder pb = new ProcessBuilder(grouped).redirectErrorStream(true);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        pb.environment().clear();
        pb.environment().putAll(env);
        Process process = pb.start();
        process.getOutputStream().close();
        ProcessTree tree = ProcessTree.of(process, grouped);
        boolean[] timedOut = new boolean[1];
        AlarmClock.Alarm alarm = clock.schedule(clock.time().nanoTime() + timeout.toNanos(), () -> {
            synchronized (timedOut) {
                timedOut[0] = true;
            }
            tree.kill();
        });
        List<String> lines = new ArrayList<>();
        int code;
        try (InputStreamReader stream = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
            BoundedLines r = new BoundedLines(stream);
            String line;
            while ((line = r.readLine()) != null) {
                if (lines.size() < maxLines) {
                    lines.add(line);
                }
            }
            code = process.waitFor();
        } catch (IOException | InterruptedException | RuntimeException e) {
            tree.kill();
            throw e;
        } finally {
            alarm.cancel();
        }
        synchronized (timedOut) {
            return new Result(code, lines, timedOut[0]);
        }
    }

    /** A command {@link #start started} with its output going to a file; {@link #await} it. */
    static final class Started {
        private final Process process;
        private final ProcessTree tree;
        private final AlarmClock.Alarm alarm;
        private final boolean[] timedOut;
        private final Path output;

        private Started(Process process, ProcessTree tree, AlarmClock.Alarm alarm, boolean[] timedOut, Path output) {
            this.process = process;
            this.tree = tree;
            this.alarm = alarm;
            this.timedOut = timedOut;
            this.output = output;
        }
    }

    /**
     * Starts {@code argv} as {@link #run} would, its stdout and stderr going to {@code output} (the
     * caller's to delete), and returns at once.
     *
     * @throws IOException when the command cannot be started
     */
    Started start(List<String> argv, Path cwd, Map<String, String> env, Duration timeout, Path output)
            throws IOException {
        List<String> grouped = ProcessTree.inOwnGroup(argv);
        ProcessBuilder pb = new ProcessBuilder(grouped).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        pb.environment().clear();
        pb.environment().putAll(env);
        Process process = pb.start();
        ProcessTree tree = ProcessTree.of(process, grouped);
        boolean[] timedOut = new boolean[1];
        AlarmClock.Alarm alarm = clock.schedule(clock.time().nanoTime() + timeout.toNanos(), () -> {
            synchronized (timedOut) {
                timedOut[0] = true;
            }
            tree.kill();
        });
        return new Started(process, tree, alarm, timedOut, output);
    }

    /** Waits for a started command to end and reads what it printed; lines beyond {@code maxLines} are dropped. */
    Result await(Started started, int maxLines) throws IOException, InterruptedException {
        int code;
        try {
            code = started.process.waitFor();
        } catch (InterruptedException e) {
            started.tree.kill();
            throw e;
        } finally {
            started.alarm.cancel();
        }
        List<String> lines = new ArrayList<>();
        try (Reader stream = Files.newBufferedReader(started.output, StandardCharsets.UTF_8)) {
            BoundedLines r = new BoundedLines(stream);
            String line;
            while ((line = r.readLine()) != null && lines.size() < maxLines) {
                lines.add(line);
            }
        }
        synchronized (started.timedOut) {
            return new Result(code, lines, started.timedOut[0]);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
