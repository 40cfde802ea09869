package dev.kiln.packer;

import dev.kiln.internal.packer.DefaultProcessRunner;
import dev.kiln.internal.packer.RunnerSettings;
import dev.kiln.time.TimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where packer runners come from.
 *
 * <pre>{@code
 * try (ProcessPackerRunner packer = PackerRunners.processBuilder()
 *         .pluginPath(Path.of("/opt/packer/plugins"))
 *         .time(timeSource)
 *         .build()) {
 *     List<Refusal> refusals = packer.preflight(plan, runDirectory);
 *     ...
 * }
 * }</pre>
 */
public final class PackerRunners {

    private PackerRunners() {
    }

    /** A runner with every default: packer from {@code KILN_PACKER} or PATH, system time, its own threads. */
    public static ProcessPackerRunner process() {
        return processBuilder().build();
    }

    public static Builder processBuilder() {
        return new Builder();
    }

    /** Configures a {@link ProcessPackerRunner}; {@link #build()} copies the settings, so a builder can be reused. */
    public static final class Builder {
        private Path executable;
        private Path pluginPath;
        private final Map<String, String> extraEnv = new LinkedHashMap<>();
        private final Set<String> withheldEnv = new LinkedHashSet<>();
        private TimeSource time = TimeSource.system();
        private Redactor redactor = Redactor.standard();
        private ExecutorService executor;
        private Duration commandTimeout = Duration.ofMinutes(2);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private boolean validate = true;
        private boolean standIns;
        private Path cacheDirectory;

        private Builder() {
        }

        /** The packer to run. Default: {@code KILN_PACKER}, else the first {@code packer} on PATH. */
        public Builder executable(Path packer) {
            this.executable = Objects.requireNonNull(packer, "packer");
            return this;
        }

        /**
         * Where packer finds plugins: set as {@code PACKER_PLUGIN_PATH} for every packer started,
         * and searched by preflight. Default: packer's own lookup ({@code PACKER_PLUGIN_PATH} as
         * inherited, {@code ~/.packer.d/plugins}, {@code ~/.config/packer/plugins}).
         */
        public Builder pluginPath(Path directory) {
            this.pluginPath = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** The time source timeouts and grace periods are measured in. Default: {@link TimeSource#system()}. */
        public Builder time(TimeSource timeSource) {
            this.time = Objects.requireNonNull(timeSource, "timeSource");
            return this;
        }

        /**
         * The redactor every log line, event and error goes through. Each build adds its sensitive
         * variables and secret-looking environment values to it. Default: {@link Redactor#standard()}.
         */
        public Builder redactor(Redactor redactor) {
            this.redactor = Objects.requireNonNull(redactor, "redactor");
            return this;
        }

        /** An environment variable for every packer started, over Kiln's own; values whose names look secret are redacted. */
        public Builder extraEnv(String name, String value) {
            extraEnv.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder extraEnv(Map<String, String> env) {
            env.forEach(this::extraEnv);
            return this;
        }

        /**
         * Variables of Kiln's own environment that no packer inherits, e.g. {@code PGPASSWORD} when
         * Kiln's coordination store reads its password from there: packer, its plugins and every
         * provisioner script would otherwise see it.
         */
        public Builder withholdEnv(String... names) {
            for (String name : names) {
                withheldEnv.add(Objects.requireNonNull(name, "name"));
            }
            return this;
        }

        /**
         * The threads to run on: two per running build while it runs, plus one for all timeouts
         * while any is pending. The runner does not shut it down. Default: a pool the runner owns
         * and stops on {@link ProcessPackerRunner#close()}.
         */
        public Builder executor(ExecutorService executorService) {
            this.executor = Objects.requireNonNull(executorService, "executorService");
            return this;
        }

        /**
         * The limit for short commands ({@code packer version}, {@code packer validate}) and for
         * killed processes to disappear. Default: 2 minutes.
         */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = positive(timeout, "commandTimeout");
            return this;
        }

        /**
         * How long packer's output may stay open after packer exited (held by a process it left
         * behind) before the build ends anyway. Default: 10 seconds.
         */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = positive(timeout, "drainTimeout");
            return this;
        }

        /** Whether preflight runs {@code packer validate} on each template. Default: true. */
        public Builder validateTemplates(boolean validateTemplates) {
            this.validate = validateTemplates;
            return this;
        }

        /**
         * For a simulated run: every build whose builder is not packer's {@code null} builder runs a
         * null stand-in instead (same build name, no provisioners or post-processors, the template
         * itself is still validated), and every packer started gets {@code HTTP(S)_PROXY} pointing at
         * a closed loopback port, so nothing it or a provisioner asks of the network through a proxy-aware
         * client leaves the machine. Default: off.
         */
        public Builder standIns() {
            this.standIns = true;
            return this;
        }

        /**
         * Where the runner keeps what packer told it that holds until its inputs change (packer's
         * version, the {@code packer validate} runs that passed), in one file {@code .kiln-cache}
         * of hashes and versions: for a caller whose runs directory is a scratch one, such as a
         * plan that should validate no template it validated before. Default: each run's runs
         * directory.
         */
        public Builder cacheDirectory(Path directory) {
            this.cacheDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        public ProcessPackerRunner build() {
            RunnerSettings settings = new RunnerSettings(executable, pluginPath, extraEnv, withheldEnv, commandTimeout,
                    drainTimeout, validate, standIns, cacheDirectory);
            ExecutorService owned = executor == null ? Executors.newCachedThreadPool(new NamedDaemons()) : null;
            return new DefaultProcessRunner(settings, time, redactor, executor == null ? owned : executor, owned);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }
    }

    private static final class NamedDaemons implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "kiln-packer-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
