package dev.kiln.internal.packer;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs a short packer command (version, validate, plugins) to completion, killed at its timeout. */
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
}
