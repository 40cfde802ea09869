package dev.kiln.spi;

import dev.kiln.plan.BuildJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a runner needs to start one attempt of one build.
 *
 * @param job         the build
 * @param attempt     1 for the first attempt
 * @param workspace   a directory of its own, created by Kiln, where packer runs
 * @param logFile     where the redacted packer log goes
 * @param env         extra environment (provider settings, PACKER_* variables, the build's network); may
 *                    hold secrets
 * @param variables   template variables, passed in a 0600 var-file, never argv
 * @param sensitive   variable names whose values are secret
 * @param timeout     kill the build after this long
 * @param gracePeriod after an interrupt, how long packer gets to clean up before it is killed
 * @param timers      the run's timers (simulated runners schedule their progress on them)
 * @param secrets     values of {@code env} to redact wherever they appear, whatever their names (the
 *                    token in a proxy URL)
 */
public record BuildRequest(BuildJob job, int attempt, Path workspace, Path logFile, Map<String, String> env,
                           Map<String, String> variables, Set<String> sensitive, Duration timeout,
                           Duration gracePeriod, Timers timers, List<String> secrets) {

    public BuildRequest {
        env = Map.copyOf(env);
        variables = Map.copyOf(variables);
        sensitive = Set.copyOf(sensitive);
        secrets = List.copyOf(secrets);
    }

    /** A request whose environment holds no secret beyond those its names tell. */
    public BuildRequest(BuildJob job, int attempt, Path workspace, Path logFile, Map<String, String> env,
                        Map<String, String> variables, Set<String> sensitive, Duration timeout, Duration gracePeriod,
                        Timers timers) {
        this(job, attempt, workspace, logFile, env, variables, sensitive, timeout, gracePeriod, timers, List.of());
    }
}
